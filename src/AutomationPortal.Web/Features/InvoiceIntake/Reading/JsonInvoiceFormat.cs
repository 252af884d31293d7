using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

/// <summary>The portal's JSON invoice format (docs/invoice-formats.md): the model itself, camelCase.</summary>
internal static class JsonInvoiceFormat
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    public static Invoice Read(Stream stream)
    {
        JsonInvoice? document;
        try
        {
            document = JsonSerializer.Deserialize<JsonInvoice>(stream, Options);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at {e.Path}";
            var reason = e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "an unknown field" : "not valid here";
            throw new InvoiceReadException("unreadable", $"The JSON is {reason}{field}.", (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1);
        }

        if (document is null)
        {
            throw new InvoiceReadException("unreadable", "The JSON holds no invoice object.");
        }

        var t = document.Totals ?? new JsonTotals();
        return new Invoice(
            InvoiceFormat.Json,
            document.DocumentType ?? InvoiceDocumentType.Invoice,
            document.Number,
            document.IssueDate,
            document.DueDate,
            document.Currency,
            document.TaxCurrency,
            document.Supplier?.ToParty() ?? new InvoiceParty(null, null, null, null),
            document.Buyer?.ToParty() ?? new InvoiceParty(null, null, null, null),
            document.Lines ?? [],
            document.AllowancesCharges ?? [],
            document.VatBreakdown ?? [],
            new InvoiceTotals(t.LineTotal, t.AllowanceTotal, t.ChargeTotal, t.TaxExclusive, t.TaxTotal, t.TaxTotalInAccountingCurrency, t.TaxInclusive, t.Prepaid, t.Rounding, t.Payable),
            document.Attachments ?? []);
    }

    public static string Write(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var t = invoice.Totals;
        return JsonSerializer.Serialize(new JsonInvoice
        {
            DocumentType = invoice.DocumentType,
            Number = invoice.Number,
            IssueDate = invoice.IssueDate,
            DueDate = invoice.DueDate,
            Currency = invoice.Currency,
            TaxCurrency = invoice.TaxCurrency,
            Supplier = JsonParty.From(invoice.Supplier),
            Buyer = JsonParty.From(invoice.Buyer),
            Lines = [.. invoice.Lines],
            AllowancesCharges = [.. invoice.AllowancesCharges],
            VatBreakdown = [.. invoice.VatBreakdown],
            Totals = new JsonTotals
            {
                LineTotal = t.LineTotal, AllowanceTotal = t.AllowanceTotal, ChargeTotal = t.ChargeTotal, TaxExclusive = t.TaxExclusive, TaxTotal = t.TaxTotal,
                TaxTotalInAccountingCurrency = t.TaxTotalInAccountingCurrency, TaxInclusive = t.TaxInclusive, Prepaid = t.Prepaid, Rounding = t.Rounding, Payable = t.Payable,
            },
            Attachments = [.. invoice.Attachments],
        }, Options);
    }

    private sealed class JsonInvoice
    {
        public InvoiceDocumentType? DocumentType { get; set; }

        public string? Number { get; set; }

        public DateOnly? IssueDate { get; set; }

        public DateOnly? DueDate { get; set; }

        public string? Currency { get; set; }

        public string? TaxCurrency { get; set; }

        public JsonParty? Supplier { get; set; }

        public JsonParty? Buyer { get; set; }

        public List<InvoiceLine>? Lines { get; set; }

        public List<InvoiceAllowanceCharge>? AllowancesCharges { get; set; }

        public List<InvoiceVatBreakdown>? VatBreakdown { get; set; }

        public JsonTotals? Totals { get; set; }

        public List<InvoiceAttachment>? Attachments { get; set; }
    }

    private sealed class JsonParty
    {
        public string? Name { get; set; }

        public string? VatId { get; set; }

        public string? EndpointId { get; set; }

        public string? LegalId { get; set; }

        public InvoiceParty ToParty() => new(Name, VatId, EndpointId, LegalId);

        public static JsonParty From(InvoiceParty party) => new() { Name = party.Name, VatId = party.VatId, EndpointId = party.EndpointId, LegalId = party.LegalId };
    }

    private sealed class JsonTotals
    {
        public decimal? LineTotal { get; set; }

        public decimal? AllowanceTotal { get; set; }

        public decimal? ChargeTotal { get; set; }

        public decimal? TaxExclusive { get; set; }

        public decimal? TaxTotal { get; set; }

        public decimal? TaxTotalInAccountingCurrency { get; set; }

        public decimal? TaxInclusive { get; set; }

        public decimal? Prepaid { get; set; }

        public decimal? Rounding { get; set; }

        public decimal? Payable { get; set; }
    }
}
