using AutomationPortal.Web.Features.Automations.Model;
using MudBlazor;

namespace AutomationPortal.Web.Features.Automations.Pages;

/// <summary>How states and statuses look, the same on every automation page.</summary>
public static class AutomationUi
{
    public static Color StateColor(AutomationState state) => state switch
    {
        AutomationState.Production => Color.Success,
        AutomationState.Pilot => Color.Info,
        AutomationState.Shadow => Color.Secondary,
        AutomationState.Paused => Color.Default,
        AutomationState.AutoPaused => Color.Error,
        _ => Color.Dark,
    };

    public static Color RunColor(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Color.Success,
        RunStatus.PartiallySucceeded => Color.Warning,
        RunStatus.Failed => Color.Error,
        RunStatus.Running => Color.Info,
        RunStatus.Queued => Color.Default,
        RunStatus.Stopped => Color.Info,
        _ => Color.Dark,
    };

    public static Color ItemColor(WorkItemStatus status) => status switch
    {
        WorkItemStatus.Done => Color.Success,
        WorkItemStatus.Escalated => Color.Warning,
        WorkItemStatus.Quarantined or WorkItemStatus.ActionFailed => Color.Error,
        WorkItemStatus.Compensated => Color.Default,
        _ => Color.Info,
    };

    public static string StateLabel(AutomationState state) => state == AutomationState.AutoPaused ? "Auto-paused" : state.ToString();

    public static string RunLabel(RunStatus status) => status == RunStatus.PartiallySucceeded ? "Partly succeeded" : status.ToString();

    public static string Duration(DateTime? start, DateTime? end) =>
        start is { } s && end is { } e ? (e - s).TotalSeconds < 60 ? $"{(e - s).TotalSeconds:0.0} s" : $"{(e - s).TotalMinutes:0.0} min" : "—";

    public static string Percent(double? rate) => rate is { } r ? $"{r:P0}" : "—";
}
