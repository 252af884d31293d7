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
/// The history's facts about an invoice as of its arrival, kept with it so it can be decided again later, with
/// other settings, and get the same answer as the first time for the same settings: whether it is the supplier's
/// first, and the amounts of the supplier's latest invoices in its currency (oldest first; empty for a credit note).
/// </summary>
public sealed record InvoiceHistoryFacts(bool NewSupplier, IReadOnlyList<decimal> RecentAmounts);

/// <summary>The history's evidence for one invoice: the duplicate checks, the facts the decision reads, and the recent invoices in full, to show.</summary>
public sealed record InvoiceHistoryEvidence(IReadOnlyList<InvoiceCheck> Duplicates, InvoiceHistoryFacts Facts, IReadOnlyList<InvoiceEvidence> Recent);

/// <summary>
/// The invoice rules that depend on settings, pure: the decision reads them from its arguments only, and the checks
/// shown with an invoice are written by the same rules, so what people see and what was decided never differ.
/// </summary>
public static class InvoiceRules
{
    /// <summary>
    /// The unusual-amount rule: an invoice (not a credit note) above <paramref name="factor"/> × the median of the
    /// supplier's last <paramref name="history"/> invoices, when at least <see cref="InvoiceHistory.MinimumHistory"/> are known.
    /// Null when the amount is not unusual; else the median compared with and how many invoices made it.
    /// </summary>
    public static (decimal Median, int Count)? Unusual(string documentType, decimal? payable, IReadOnlyList<decimal> recentAmounts, decimal factor, int history)
    {
        ArgumentNullException.ThrowIfNull(recentAmounts);
        if (documentType != nameof(InvoiceDocumentType.Invoice) || payable is not { } amount || recentAmounts.Count < InvoiceHistory.MinimumHistory)
        {
            return null;
        }

        var count = Math.Clamp(history, 1, recentAmounts.Count);
        var median = InvoiceHistory.Median([.. recentAmounts.Skip(recentAmounts.Count - count)]);
        return median > 0 && amount > factor * median ? (median, count) : null;
    }

    /// <summary>The checks shown with an invoice: the duplicate checks, then new-supplier or unusual-amount, by the settings given.</summary>
    public static List<InvoiceCheck> Checks(InvoiceEvidence invoice, string? supplierKey, InvoiceHistoryEvidence evidence, InvoiceIntakeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(settings);
        var checks = evidence.Duplicates.ToList();
        if (evidence.Facts.NewSupplier)
        {
            checks.Add(new InvoiceCheck("new-supplier", $"This is the first invoice from {invoice.SupplierName ?? supplierKey}.", []));
        }
        else if (Unusual(invoice.DocumentType, invoice.PayableAmount, evidence.Facts.RecentAmounts, settings.UnusualFactor, settings.UnusualHistory) is var (median, count))
        {
            var payable = invoice.PayableAmount!.Value;
            var recent = evidence.Recent.Skip(evidence.Recent.Count - count).ToList();
            checks.Add(new InvoiceCheck("unusual-amount",
                $"{InvoiceHistory.Money(payable, invoice.Currency)} is {payable / median:0.0}× the median ({InvoiceHistory.Money(median, invoice.Currency)}) of the supplier's last {count} invoices; the limit is {settings.UnusualFactor.ToString("0.##", CultureInfo.InvariantCulture)}×.",
                recent, Compared: median, Limit: settings.UnusualFactor));
        }

        return checks;
    }
}

/// <summary>
/// The invoices already known to invoice intake (every invoice-intake automation), held in memory for one run so
/// the duplicate and risk checks cost no query per invoice. Each invoice the run reads is added after its checks,
/// so two copies in one run find each other.
/// </summary>
public sealed class InvoiceHistory
{
    public const int PossibleDuplicateDays = 7;
    public const int MinimumHistory = 3;

    /// <summary>The supplier's latest invoices kept with each invoice for the unusual-amount check: the most <c>unusualHistory</c> may ask for.</summary>
    public const int EvidenceWindow = 100;

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
    /// What the history says of an invoice as it arrives, whatever the settings: the duplicate and possible-duplicate
    /// checks with their evidence, whether the supplier is new, and the supplier's latest invoices in the currency
    /// (up to <see cref="EvidenceWindow"/>, oldest first) for the unusual-amount check the decision makes.
    /// </summary>
    public InvoiceHistoryEvidence Evidence(string? supplierKey, string contentKey, InvoiceEvidence invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var checks = new List<InvoiceCheck>();
        if (supplierKey is null)
        {
            // Without the supplier's identity nothing can be compared: no duplicate, no history, not "new" either.
            return new InvoiceHistoryEvidence(checks, new InvoiceHistoryFacts(NewSupplier: false, []), []);
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
            return new InvoiceHistoryEvidence(checks, new InvoiceHistoryFacts(NewSupplier: true, []), []);
        }

        IReadOnlyList<InvoiceEvidence> recent = [];
        if (invoice.DocumentType == nameof(InvoiceDocumentType.Invoice) &&
            _invoicesBySupplierAndCurrency.TryGetValue($"{supplierKey}|{invoice.Currency}", out var history))
        {
            var count = Math.Min(EvidenceWindow, history.Count);
            recent = history.GetRange(history.Count - count, count);
        }

        return new InvoiceHistoryEvidence(checks, new InvoiceHistoryFacts(NewSupplier: false, [.. recent.Select(r => r.PayableAmount!.Value)]), recent);
    }

    /// <summary>The checks of an invoice as the rules write them with this unusual-amount factor and history.</summary>
    public List<InvoiceCheck> Check(string? supplierKey, string contentKey, InvoiceEvidence invoice, decimal unusualFactor, int unusualHistory) =>
        InvoiceRules.Checks(invoice, supplierKey, Evidence(supplierKey, contentKey, invoice),
            new InvoiceIntakeSettings { UnusualFactor = unusualFactor, UnusualHistory = unusualHistory });

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

    internal static decimal Median(List<decimal> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2m;
    }
}
