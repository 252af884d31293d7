using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>An earlier invoice shown as evidence for a check.</summary>
public sealed record InvoiceEvidence(
    Guid WorkItemId,
    Guid AutomationId,
    string? InvoiceNumber,
    string? SupplierName,
    string DocumentType,
    DateOnly? IssueDate,
    decimal? PayableAmount,
    string? Currency,
    DateTime ReceivedAt);

/// <summary>
/// A check that flagged the invoice: its reason code, a sentence for people, and the evidence. For unusual-amount,
/// <paramref name="Compared"/> is the supplier's median and <paramref name="Limit"/> the factor it may be exceeded by
/// (both absent on invoices checked before they were kept).
/// </summary>
public sealed record InvoiceCheck(string Code, string Message, IReadOnlyList<InvoiceEvidence> Evidence, decimal? Compared = null, decimal? Limit = null);

/// <summary>
/// The invoices already known to invoice intake (every invoice-intake automation), held in memory for one run so
/// the duplicate and risk checks cost no query per invoice. Each invoice the run reads is added after its checks,
/// so two copies in one run find each other.
/// </summary>
public sealed class InvoiceHistory
{
    public const int PossibleDuplicateDays = 7;
    public const int MinimumHistory = 3;

    private readonly Dictionary<string, InvoiceEvidence> _byNumber = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InvoiceEvidence> _byContent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<InvoiceEvidence>> _byAmount = new(StringComparer.Ordinal);
    private readonly HashSet<string> _suppliers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<InvoiceEvidence>> _invoicesBySupplierAndCurrency = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    /// <summary>Adds a known invoice. <paramref name="supplierKey"/> is the supplier's identity (see <see cref="InvoiceParty.Identity"/>).</summary>
    public void Add(string? supplierKey, string? contentKey, InvoiceEvidence invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        Count++;
        if (contentKey is not null)
        {
            _byContent.TryAdd(contentKey, invoice);
        }

        if (supplierKey is null)
        {
            return;
        }

        if (NormaliseNumber(invoice.InvoiceNumber) is { } number)
        {
            _byNumber.TryAdd(NumberKey(supplierKey, invoice.DocumentType, number), invoice);
        }

        if (invoice.PayableAmount is { } amount)
        {
            Bucket(_byAmount, AmountKey(supplierKey, amount, invoice.Currency)).Add(invoice);
        }

        _suppliers.Add(supplierKey);
        if (invoice.DocumentType == nameof(InvoiceDocumentType.Invoice) && invoice.PayableAmount is not null)
        {
            Bucket(_invoicesBySupplierAndCurrency, $"{supplierKey}|{invoice.Currency}").Add(invoice);
        }
    }

    /// <summary>
    /// The duplicate and risk checks that depend on history: duplicate, possible-duplicate, unusual-amount and
    /// new-supplier (flagged or not by the decision, from settings).
    /// </summary>
    public List<InvoiceCheck> Check(string? supplierKey, string contentKey, InvoiceEvidence invoice, decimal unusualFactor, int unusualHistory)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var checks = new List<InvoiceCheck>();
        if (supplierKey is null)
        {
            return checks;
        }

        var number = NormaliseNumber(invoice.InvoiceNumber);
        if (number is not null && _byNumber.TryGetValue(NumberKey(supplierKey, invoice.DocumentType, number), out var earlier))
        {
            checks.Add(new InvoiceCheck("duplicate",
                $"The same supplier already sent {Describe(invoice.DocumentType)} {earlier.InvoiceNumber}, received {earlier.ReceivedAt:yyyy-MM-dd HH:mm} UTC.",
                [earlier]));
        }
        else
        {
            var candidates = new List<InvoiceEvidence>();
            if (invoice.PayableAmount is { } amount && invoice.IssueDate is { } issued &&
                _byAmount.TryGetValue(AmountKey(supplierKey, amount, invoice.Currency), out var sameAmount))
            {
                candidates.AddRange(sameAmount.Where(c =>
                    c.IssueDate is { } other && Math.Abs(other.DayNumber - issued.DayNumber) <= PossibleDuplicateDays &&
                    !string.Equals(NormaliseNumber(c.InvoiceNumber), number, StringComparison.Ordinal)));
            }

            if (_byContent.TryGetValue(contentKey, out var sameContent) && !candidates.Contains(sameContent))
            {
                candidates.Insert(0, sameContent);
            }

            if (candidates.Count > 0)
            {
                var first = candidates[0];
                var message = sameContent is not null && first == sameContent
                    ? $"The content is identical to {first.InvoiceNumber} of the same supplier, under another number."
                    : $"The same supplier sent {first.InvoiceNumber} for the same amount ({Money(first.PayableAmount, first.Currency)}) within {PossibleDuplicateDays} days ({first.IssueDate:yyyy-MM-dd}).";
                checks.Add(new InvoiceCheck("possible-duplicate", message, candidates.Take(5).ToList()));
            }
        }

        if (!_suppliers.Contains(supplierKey))
        {
            checks.Add(new InvoiceCheck("new-supplier", $"This is the first invoice from {invoice.SupplierName ?? supplierKey}.", []));
            return checks;
        }

        if (invoice.DocumentType == nameof(InvoiceDocumentType.Invoice) && invoice.PayableAmount is { } payable &&
            _invoicesBySupplierAndCurrency.TryGetValue($"{supplierKey}|{invoice.Currency}", out var history) && history.Count >= MinimumHistory)
        {
            var count = Math.Min(unusualHistory, history.Count);
            var recent = history.GetRange(history.Count - count, count);
            var median = Median(recent.Select(h => h.PayableAmount!.Value).ToList());
            if (median > 0 && payable > unusualFactor * median)
            {
                checks.Add(new InvoiceCheck("unusual-amount",
                    $"{Money(payable, invoice.Currency)} is {payable / median:0.0}× the median ({Money(median, invoice.Currency)}) of the supplier's last {recent.Count} invoices; the limit is {unusualFactor.ToString("0.##", CultureInfo.InvariantCulture)}×.",
                    recent, Compared: median, Limit: unusualFactor));
            }
        }

        return checks;
    }

    /// <summary>
    /// A fingerprint of the document without its number: supplier, buyer, type, currency, dates, lines and totals as
    /// read into the model. The same document in another format (UBL, CII, CSV, JSON) has the same fingerprint.
    /// </summary>
    public static string ContentKey(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var text = new StringBuilder(256);
        text.Append(invoice.Supplier.Identity).Append('|').Append(invoice.Buyer.Identity).Append('|').Append(invoice.DocumentType)
            .Append('|').Append(invoice.Currency).Append('|').Append(invoice.IssueDate?.DayNumber).Append('|').Append(invoice.DueDate?.DayNumber);
        foreach (var line in invoice.Lines)
        {
            text.Append("|L").Append(Num(line.Quantity)).Append(';').Append(Num(line.Price)).Append(';').Append(Num(line.NetAmount)).Append(';').Append(line.VatCategory).Append(Num(line.VatRate));
        }

        foreach (var a in invoice.AllowancesCharges)
        {
            text.Append("|A").Append(a.IsCharge ? '+' : '-').Append(Num(a.Amount));
        }

        var t = invoice.Totals;
        text.Append("|T").Append(Num(t.TaxExclusive)).Append(';').Append(Num(t.TaxTotal)).Append(';').Append(Num(t.Payable));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..40];
    }

    public static string? NormaliseNumber(string? number) =>
        string.IsNullOrWhiteSpace(number) ? null : string.Concat(number.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();

    public static string Describe(string documentType) => documentType == nameof(InvoiceDocumentType.CreditNote) ? "credit note" : "invoice";

    public static string Money(decimal? amount, string? currency) => Infrastructure.Domain.AmountText.Of(amount, currency);

    private static string? Num(decimal? value) => value?.ToString("0.00##", CultureInfo.InvariantCulture);

    private static string NumberKey(string supplier, string type, string number) => $"{supplier}|{type}|{number}";

    private static string AmountKey(string supplier, decimal amount, string? currency) =>
        $"{supplier}|{amount.ToString("0.00", CultureInfo.InvariantCulture)}|{currency}";

    private static List<InvoiceEvidence> Bucket(Dictionary<string, List<InvoiceEvidence>> map, string key)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        return list;
    }

    /// <summary>The median of the evidence's amounts: what an unusual amount was compared with.</summary>
    public static decimal? MedianOf(IReadOnlyList<InvoiceEvidence> evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var amounts = evidence.Where(e => e.PayableAmount is not null).Select(e => e.PayableAmount!.Value).ToList();
        return amounts.Count == 0 ? null : Median(amounts);
    }

    private static decimal Median(List<decimal> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2m;
    }
}
