using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>What the invoice view needs beyond the work item: the invoice with its checks, the settings it was judged by, and its evidence.</summary>
public sealed record InvoiceExplanation(InvoiceDocument Document, InvoiceIntakeSettings? Settings, IReadOnlyDictionary<Guid, WorkItemState> Originals);

/// <summary>Invoices in people's words: the labels, reasons, statuses and the invoice view the generic pages show.</summary>
public sealed class InvoicePresentation : KindPresentation
{
    public static InvoicePresentation Instance { get; } = new();

    public override ItemUnit Unit { get; } = new("invoice", "invoices");

    public override SummaryLabels Labels { get; } = new("Invoice number", "Supplier", "Supplier id", "Payable", "Issue date", "Document type");

    public override Type ItemView => typeof(InvoiceItemView);

    public override string DescribeReason(string code, object? settings) => InvoiceReasons.Describe(code, settings as InvoiceIntakeSettings);

    public override string? ReasonHelp(string code) => code switch
    {
        "duplicate" => "Compare it with the earlier invoice: if that one was posted, reject this one.",
        "possible-duplicate" => "Open the candidates: the same amount or content under another number is usually a resent invoice.",
        "unusual-amount" => "Check the lines against the order or contract, and ask the supplier if the amount is unexpected.",
        "over-threshold" => "Check it against its order and approve it if it is right: amounts this high need a person.",
        "new-supplier" => "Check the supplier's VAT id and bank account before the first payment.",
        "unreadable" or "unknown-format" or "empty" or "too-large" or "too-many-lines" or "too-deep" =>
            "Open the file: if it is an invoice, ask the supplier for it as a UBL or CII e-invoice.",
        _ when code.StartsWith("arithmetic:", StringComparison.Ordinal) => "The totals do not add up: ask the supplier for a corrected invoice.",
        _ when code.StartsWith("missing:", StringComparison.Ordinal) => "A required field is missing: ask the supplier for a complete invoice.",
        _ => null,
    };

    public override string StatusLabel(WorkItemStatus status) => status switch
    {
        WorkItemStatus.ActionFailed => "Posting failed",
        WorkItemStatus.AwaitingAction => "Awaiting posting",
        WorkItemStatus.AwaitingCompensation => "Awaiting reversal",
        WorkItemStatus.Compensated => "Reversed",
        _ => status.ToString(),
    };

    public override string ActedOn => "Approved and posted to accounting.";

    public override string ActedVerb => "Posted";

    public override string WaitsForResume => "It will post when the automation is resumed.";

    public override string ActionFailedPrefix => "Posting failed";

    public override string NothingDoneYet => "Nothing yet. Approved invoices are exported at the end of their run; escalated ones wait for a person.";

    public override async Task<ItemExplanation> ExplainAsync(ItemContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = context.Settings as InvoiceIntakeSettings;
        if (context.Detail.Payload is not { } payload || InvoiceIntakeKind.ReadPayload(payload) is not { } document)
        {
            // A quarantined file: no invoice was read, so the reasons are explained with the automation's settings.
            var plain = await base.ExplainAsync(context, cancellationToken);
            return plain with { Reasons = context.Detail.Item.ReasonCodes.Distinct().ToDictionary(c => c, c => InvoiceReasons.Describe(c, settings)) };
        }

        var originals = await context.Items.StatesAsync(document.Checks.SelectMany(c => c.Evidence).Select(e => e.WorkItemId).ToHashSet(), cancellationToken);
        var invoice = document.Invoice;
        var title = $"{(invoice.DocumentType == InvoiceDocumentType.CreditNote ? "Credit note" : "Invoice")} {invoice.Number ?? "without a number"}";
        var subtitle = $"{invoice.Supplier.Name ?? "Unnamed supplier"} · {InvoiceHistory.Money(document.SignedPayable, invoice.Currency)} · {context.Detail.AutomationName}";
        // Invoices read before they kept their figures are explained with the automation's settings.
        var reasons = context.Detail.Item.ReasonCodes.Distinct().ToDictionary(c => c, c => InvoiceReasons.Describe(c, document, settings, originals));
        return new ItemExplanation(title, subtitle, reasons, new InvoiceExplanation(document, settings, originals));
    }

    public override IReadOnlyDictionary<string, string?> EditableValues(string? payload)
    {
        if (payload is null || InvoiceIntakeKind.ReadPayload(payload) is not { } document)
        {
            return new Dictionary<string, string?>();
        }

        var invoice = document.Invoice;
        return new Dictionary<string, string?>
        {
            ["invoiceNumber"] = invoice.Number,
            ["issueDate"] = invoice.IssueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["dueDate"] = invoice.DueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["supplierName"] = invoice.Supplier.Name,
            ["supplierVatId"] = invoice.Supplier.VatId,
        };
    }

    /// <summary>Invoices and credit notes keep the API's invoice field names; a payable credit note is negative.</summary>
    public override IReadOnlyDictionary<string, object?> ApiFields(WorkItemView item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var isInvoice = item.Type is "Invoice" or "CreditNote";
        return new Dictionary<string, object?>
        {
            ["invoiceNumber"] = isInvoice ? item.Reference : null,
            ["supplierName"] = isInvoice ? item.Party : null,
            ["supplierId"] = isInvoice ? item.PartyId : null,
            ["documentType"] = isInvoice ? item.Type : null,
            ["payableAmount"] = isInvoice ? item.Amount : null,
            ["issueDate"] = isInvoice ? item.DocumentDate : null,
        };
    }
}
