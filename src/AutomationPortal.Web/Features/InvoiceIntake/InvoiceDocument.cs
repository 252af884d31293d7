using System.Text.Json.Serialization;
using System.Text.Json;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>
/// A work item of invoice intake: the invoice as read, where it came from, its verification findings and the
/// history checks with their evidence, the review threshold that applied to its currency (absent on invoices
/// read before it was kept), and the history's facts as of its arrival (<see cref="History"/>: absent on invoices
/// read before they were kept), from which it can be decided again. Stored as the work item's payload; the invoice
/// view shows it.
/// </summary>
public sealed record InvoiceDocument(
    string FileName,
    long SizeBytes,
    Invoice Invoice,
    string? SupplierKey,
    decimal? SignedPayable,
    string ContentKey,
    IReadOnlyList<InvoiceFinding> Findings,
    IReadOnlyList<InvoiceCheck> Checks,
    decimal? ReviewThreshold = null,
    InvoiceHistoryFacts? History = null)
{
    [JsonIgnore]
    public string DocumentType => Invoice.DocumentType.ToString();

    /// <summary>The amount that counts: a credit note's payable amount is negative.</summary>
    public static decimal? CountedAmount(Invoice invoice) =>
        invoice?.Totals.Payable is not { } payable ? null
        : invoice.DocumentType == InvoiceDocumentType.CreditNote ? -Math.Abs(payable)
        : payable;

    private decimal Sign => Invoice.DocumentType == InvoiceDocumentType.CreditNote ? -1m : 1m;

    /// <summary>The accounting entry posted for an approved invoice: by the export and the webhook alike.</summary>
    public InvoicePosting Posting(Guid workItemId, string idempotencyKey) => new(
        idempotencyKey,
        workItemId,
        DocumentType,
        Invoice.Number,
        Invoice.IssueDate,
        Invoice.DueDate,
        Invoice.Supplier.Name,
        SupplierKey,
        Invoice.Supplier.VatId,
        Invoice.Buyer.Name,
        Invoice.Currency,
        Invoice.Totals.TaxExclusive is { } net ? Sign * Math.Abs(net) : null,
        Invoice.Totals.TaxTotal is { } tax ? Sign * Math.Abs(tax) : null,
        SignedPayable,
        FileName);
}

/// <summary>One approved invoice as accounting receives it. Amounts are signed: credit notes are negative.</summary>
public sealed record InvoicePosting(
    string IdempotencyKey,
    Guid WorkItemId,
    string DocumentType,
    string? InvoiceNumber,
    DateOnly? IssueDate,
    DateOnly? DueDate,
    string? SupplierName,
    string? SupplierId,
    string? SupplierVatId,
    string? BuyerName,
    string? Currency,
    decimal? NetAmount,
    decimal? VatAmount,
    decimal? PayableAmount,
    string SourceFile)
{
    /// <summary>The export's columns, in order (documented in docs/automation-kinds.md).</summary>
    public static readonly string[] Columns =
    [
        "workItemId", "documentType", "invoiceNumber", "issueDate", "dueDate", "supplierName", "supplierId", "supplierVatId",
        "buyerName", "currency", "netAmount", "vatAmount", "payableAmount", "sourceFile", "idempotencyKey",
    ];

    public static string Header => string.Join(',', Columns);

    /// <summary>The document type of a reversal line or post: the same entry with its amounts negated.</summary>
    public const string ReversalType = "Reversal";

    /// <summary>The entry that undoes this one in accounting: its amounts negated, under <paramref name="idempotencyKey"/>.</summary>
    public InvoicePosting Reversal(string idempotencyKey) => this with
    {
        IdempotencyKey = idempotencyKey,
        DocumentType = ReversalType,
        NetAmount = -NetAmount,
        VatAmount = -VatAmount,
        PayableAmount = -PayableAmount,
    };

    public string CsvLine() => SpreadsheetCsv.Line(
    [
        WorkItemId.ToString(), SpreadsheetCsv.Text(DocumentType), SpreadsheetCsv.Text(InvoiceNumber), SpreadsheetCsv.Date(IssueDate), SpreadsheetCsv.Date(DueDate),
        SpreadsheetCsv.Text(SupplierName), SpreadsheetCsv.Text(SupplierId), SpreadsheetCsv.Text(SupplierVatId), SpreadsheetCsv.Text(BuyerName),
        SpreadsheetCsv.Text(Currency), SpreadsheetCsv.Number(NetAmount), SpreadsheetCsv.Number(VatAmount), SpreadsheetCsv.Number(PayableAmount),
        SpreadsheetCsv.Text(SourceFile), SpreadsheetCsv.Text(IdempotencyKey),
    ]);
}

/// <summary>Compiled JSON for the payload and the webhook body: no reflection per invoice.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InvoiceDocument))]
[JsonSerializable(typeof(InvoicePosting))]
internal sealed partial class InvoiceIntakeJson : JsonSerializerContext;
