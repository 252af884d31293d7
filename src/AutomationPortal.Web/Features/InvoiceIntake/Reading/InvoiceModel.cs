namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

public enum InvoiceFormat
{
    Ubl,
    Cii,
    Csv,
    Json,
}

public enum InvoiceDocumentType
{
    Invoice,
    CreditNote,
}

/// <summary>A supplier or buyer as the document names it.</summary>
public sealed record InvoiceParty(string? Name, string? VatId, string? EndpointId, string? LegalId)
{
    /// <summary>
    /// Who this party is, for duplicate checks: the VAT id, else the endpoint id, else the legal registration id,
    /// else the normalised name.
    /// </summary>
    public string? Identity =>
        Clean(VatId) is { } vat ? "vat:" + vat
        : Clean(EndpointId) is { } endpoint ? "endpoint:" + endpoint
        : Clean(LegalId) is { } legal ? "legal:" + legal
        : NormaliseName(Name) is { Length: > 0 } name ? "name:" + name
        : null;

    private static string? Clean(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        var chars = id.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray();
        return chars.Length == 0 ? null : new string(chars);
    }

    private static string NormaliseName(string? name) =>
        string.Join(' ', (name ?? "").ToUpperInvariant().Split([' ', '\t', '\n', '\r', ',', '.'], StringSplitOptions.RemoveEmptyEntries));
}

public sealed record InvoiceLine(string? Id, decimal? Quantity, string? Unit, decimal? Price, decimal? NetAmount, string? VatCategory, decimal? VatRate);

public sealed record InvoiceAllowanceCharge(bool IsCharge, decimal Amount, string? Reason, string? VatCategory, decimal? VatRate);

public sealed record InvoiceVatBreakdown(string? Category, decimal? Rate, decimal? TaxableAmount, decimal? TaxAmount);

/// <summary>The document's totals as it states them (nothing computed). Amounts are in the document currency.</summary>
public sealed record InvoiceTotals(
    decimal? LineTotal,
    decimal? AllowanceTotal,
    decimal? ChargeTotal,
    decimal? TaxExclusive,
    decimal? TaxTotal,
    decimal? TaxTotalInAccountingCurrency,
    decimal? TaxInclusive,
    decimal? Prepaid,
    decimal? Rounding,
    decimal? Payable,
    int TaxTotalsInDocumentCurrency = 1);

/// <summary>An attachment, listed by name, type and size; its content is never held in memory whole.</summary>
public sealed record InvoiceAttachment(string? Name, string? MimeType, long SizeBytes, string? ExternalUri);

/// <summary>Every supported e-invoice format read into one model. Amounts are decimals in <see cref="Currency"/>.</summary>
public sealed record Invoice(
    InvoiceFormat Format,
    InvoiceDocumentType DocumentType,
    string? Number,
    DateOnly? IssueDate,
    DateOnly? DueDate,
    string? Currency,
    string? TaxCurrency,
    InvoiceParty Supplier,
    InvoiceParty Buyer,
    IReadOnlyList<InvoiceLine> Lines,
    IReadOnlyList<InvoiceAllowanceCharge> AllowancesCharges,
    IReadOnlyList<InvoiceVatBreakdown> VatBreakdown,
    InvoiceTotals Totals,
    IReadOnlyList<InvoiceAttachment> Attachments);

/// <summary>Why a document could not be read. The reader throws nothing else.</summary>
public sealed class InvoiceReadException(string code, string message, int? line = null, int? column = null)
    : Exception(line is null ? message : $"Line {line}, column {column}: {message}")
{
    /// <summary>Stable, for example "empty", "too-large", "unreadable", "unknown-format".</summary>
    public string Code { get; } = code;

    public int? Line { get; } = line;

    public int? Column { get; } = column;
}
