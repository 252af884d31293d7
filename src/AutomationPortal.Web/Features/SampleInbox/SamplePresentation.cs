using System.Globalization;
using AutomationPortal.Web.Features.Automations.Kinds;

namespace AutomationPortal.Web.Features.SampleInbox;

/// <summary>The sample kind's items in words: numbers read from files.</summary>
public sealed class SamplePresentation : KindPresentation
{
    public static SamplePresentation Instance { get; } = new();

    public override ItemUnit Unit { get; } = new("number", "numbers");

    public override SummaryLabels Labels { get; } = new(Reference: "File", Amount: "Value");

    public override string DescribeReason(string code, object? settings) => code switch
    {
        "negative-value" => "A negative value: rejected, nothing is written",
        "over-threshold" => settings is SampleInboxSettings sample
            ? $"Above {sample.EscalateAbove.ToString("#,##0.##", CultureInfo.InvariantCulture)} (escalateAbove)"
            : "Above escalateAbove",
        "unreadable" => "The file could not be read",
        _ => base.DescribeReason(code, settings),
    };

    public override string? ReasonHelp(string code) => code switch
    {
        "over-threshold" => "Check the value and approve it if it is right.",
        "unreadable" => "The file should hold one number, such as 42.50.",
        _ => null,
    };
}
