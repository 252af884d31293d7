namespace AutomationPortal.Web.Features.Automations.Kinds.InvoiceIntake;

/// <summary>Reason codes of invoice intake in plain words, for the invoice view, the run summary and the escalation queue.</summary>
public static class InvoiceReasons
{
    public static string Describe(string code) => code switch
    {
        "duplicate" => "Duplicate: the supplier already sent this invoice number",
        "possible-duplicate" => "Possible duplicate: same amount within a week, or the same content under another number",
        "unusual-amount" => "Unusual amount for this supplier",
        "over-threshold" => "Above the review threshold",
        "new-supplier" => "First invoice from this supplier",
        "unreadable" => "The file could not be read",
        _ when code.StartsWith("arithmetic:", StringComparison.Ordinal) => $"Totals do not add up ({code["arithmetic:".Length..]})",
        _ when code.StartsWith("missing:", StringComparison.Ordinal) => $"Required field missing: {code["missing:".Length..].Replace('-', ' ')}",
        _ => code,
    };
}
