using System.Globalization;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>
/// Reason codes of invoice intake in plain words, for the invoice view, the run summary and the escalation queue.
/// Each reason states the figure it was compared with: for one invoice the figures it was judged by, for many the
/// automation's settings.
/// </summary>
public static class InvoiceReasons
{
    /// <summary>A reason in words; with <paramref name="settings"/> it names their figures (for lists of many invoices).</summary>
    public static string Describe(string code, InvoiceIntakeSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code switch
        {
            "duplicate" => "Duplicate: the supplier already sent this invoice number",
            "possible-duplicate" => $"Possible duplicate: same amount within {InvoiceHistory.PossibleDuplicateDays} days, or the same content under another number",
            "unusual-amount" => settings is null
                ? "Unusual amount for this supplier"
                : $"Unusual amount: more than {Factor(settings.UnusualFactor)} the median of the supplier's last {settings.UnusualHistory} invoices",
            "over-threshold" => settings is null ? "Above the review threshold" : $"Above the review threshold of {Thresholds(settings)}",
            "new-supplier" => "First invoice from this supplier",
            "unreadable" => "The file could not be read",
            "unknown-format" => "Not an e-invoice: a PDF, an archive, a text or another format the portal does not read",
            "empty" => "The file is empty",
            "not-a-file" => "Not a plain file (a link, a folder or a device): it was not read",
            "too-large" => settings is null ? "Larger than this automation reads" : $"Larger than this automation reads ({Bytes(settings.MaxFileBytes)}, maxFileBytes)",
            "too-many-lines" => settings is null ? "More lines than this automation reads" : $"More than {settings.MaxLines:N0} lines, the most this automation reads (maxLines)",
            "too-deep" => $"XML nested more than {Reading.InvoiceReaderOptions.MaxXmlDepth} deep, far beyond any invoice",
            _ when code.StartsWith("arithmetic:", StringComparison.Ordinal) => $"Totals do not add up ({code["arithmetic:".Length..]})",
            _ when code.StartsWith("missing:", StringComparison.Ordinal) => $"Required field missing: {code["missing:".Length..].Replace('-', ' ')}",
            _ => code,
        };
    }

    private static string Bytes(long bytes) => Infrastructure.Files.FileSizes.Of(bytes);

    /// <summary>A reason in words, without figures: where neither the invoice nor the settings are at hand.</summary>
    public static string Describe(string code) => Describe(code, settings: null);

    /// <summary>
    /// A reason of one invoice, with the figures it was judged by: those kept with the invoice, else the automation's
    /// <paramref name="settings"/>. <paramref name="originals"/> tells where the invoices it duplicates stand.
    /// </summary>
    public static string Describe(string code, InvoiceDocument document, InvoiceIntakeSettings? settings, IReadOnlyDictionary<Guid, WorkItemState>? originals = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var check = document.Checks.FirstOrDefault(c => c.Code == code);
        var currency = document.Invoice.Currency;
        switch (code)
        {
            case "over-threshold" when (document.ReviewThreshold ?? (settings is null ? null : InvoiceIntakeKind.ThresholdFor(settings, currency))) is { } threshold:
                return $"Above the review threshold of {InvoiceHistory.Money(threshold, currency)}";
            case "unusual-amount" when check is not null && (check.Compared ?? InvoiceHistory.MedianOf(check.Evidence)) is { } median and > 0
                                       && (check.Limit ?? settings?.UnusualFactor) is { } factor:
                var ratio = document.SignedPayable is { } payable ? $"{(payable / median).ToString("0.0", CultureInfo.InvariantCulture)}× " : "";
                return $"Unusual amount: {ratio}the supplier's median of {InvoiceHistory.Money(median, currency)} over their last {check.Evidence.Count} invoices; the limit is {Factor(factor)}";
            case "duplicate" when check is { Evidence: [var original, ..] }:
                var standing = originals?.GetValueOrDefault(original.WorkItemId) is { } state ? $"; {Original(state).Sentence}" : "";
                return $"Duplicate: the supplier already sent {InvoiceHistory.Describe(original.DocumentType)} {original.InvoiceNumber ?? "without a number"}{standing}";
            default:
                return Describe(code, settings);
        }
    }

    /// <summary>Where an earlier invoice stands, as the evidence of a duplicate shows it: posted or not, and why.</summary>
    public static (string Label, string Sentence) Original(WorkItemState state) => state switch
    {
        { Status: WorkItemStatus.Done, Lane: Lane.Shadow } => ("Decided in shadow", "the original was decided in shadow and not posted"),
        { Status: WorkItemStatus.Done, Decision: Decisions.Approve } => ("Posted", "the original was posted"),
        { Status: WorkItemStatus.Done } => ("Not posted", $"the original was not posted (decision: {state.Decision ?? "none"})"),
        { Status: WorkItemStatus.Escalated } => ("Escalated", "the original waits for a person and is not posted"),
        { Status: WorkItemStatus.AwaitingAction } => ("Awaiting posting", "the original is approved and awaiting posting"),
        { Status: WorkItemStatus.ActionFailed } => ("Posting failed", "the original is approved, but posting it has failed so far"),
        { Status: WorkItemStatus.AwaitingCompensation } => ("Awaiting reversal", "the original was posted and its reversal is under way"),
        { Status: WorkItemStatus.Compensated } => ("Reversed", "the original was posted and then reversed"),
        _ => ("Quarantined", "the original could not be read and was not posted"),
    };

    /// <summary>The general threshold, and each currency's own: "5,000.00 (USD 6,000.00)", in the invoice's currency.</summary>
    private static string Thresholds(InvoiceIntakeSettings settings)
    {
        var general = settings.ReviewThreshold.ToString("#,##0.00", CultureInfo.InvariantCulture);
        return settings.ReviewThresholds.Count == 0
            ? $"{general} in the invoice's currency"
            : $"{general} in the invoice's currency ({string.Join(", ", settings.ReviewThresholds.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => InvoiceHistory.Money(t.Value, t.Key)))})";
    }

    private static string Factor(decimal factor) => $"{factor.ToString("0.##", CultureInfo.InvariantCulture)}×";
}
