using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Domain;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>What a person sends to create or change an automation. Missing values take their defaults.</summary>
public sealed record AutomationRequest(
    string? Kind,
    string? Name,
    System.Text.Json.JsonElement? Settings,
    string? Schedule,
    string? TimeZone,
    AutomationState? State,
    GuardrailsRequest? Guardrails = null,
    decimal? ImplementationCost = null,
    decimal? MonthlyRunningCost = null,
    string? CostCurrency = null,
    long? Version = null,
    int? OverrideWindowDays = null);

public sealed record GuardrailsRequest(decimal? MaxFailureRate, int? FailureRateWindow, int? MaxConsecutiveFailedRuns, decimal? MaxQuarantineRate = null, int? QuarantineRateWindow = null);

public sealed record AutomationRef(Guid Id, string Name);

/// <summary>An automation an emergency stop or its undoing left paused, and why.</summary>
public sealed record PausedAutomation(Guid Id, string Name, AutomationState State, string? PausedBy, DateTime? PausedAt, string Reason);

/// <summary>What Pause all or Resume all did: how many and which automations, and which it left paused and why.</summary>
public sealed record EmergencyStopResult(int Count, IReadOnlyList<AutomationRef> Automations, IReadOnlyList<PausedAutomation> LeftPaused);

/// <summary>States in words for sentences.</summary>
public static class AutomationStateWords
{
    public static string Of(AutomationState state) => state == AutomationState.AutoPaused ? "auto-paused" : state.ToString().ToLowerInvariant();
}

/// <summary>Refused input to an automation, by field (camelCase, settings fields as settings.x).</summary>
public sealed class AutomationValidationException(IReadOnlyDictionary<string, string[]> errors) : PortalValidationException(errors)
{
    public static AutomationValidationException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

public sealed class AutomationNotFoundException(Guid id) : NotFoundException($"No automation has the id {id}: check the link or the id you used.");

public sealed record AutomationSummary(
    Guid Id,
    string Kind,
    string Name,
    AutomationState State,
    string Schedule,
    string? ScheduleDescription,
    string TimeZone,
    DateTime? NextRunAt,
    RunSummary? LastRun,
    double? SuccessRate7Days,
    int OpenAlerts,
    bool IsDemo,
    long Version);

/// <summary>
/// A run's outcome and counts. ItemsRead counts what the run read for the first time; ItemsSkipped what it had seen
/// before; ItemsFailed faults (failed actions); ItemsQuarantined unreadable input put aside with its reason;
/// ItemsRetried earlier runs' items whose action was tried again (each also counted as done or failed).
/// </summary>
public sealed record RunSummary(Guid Id, RunTrigger Trigger, RunMode Mode, RunStatus Status, DateTime QueuedAt, DateTime? StartedAt, DateTime? EndedAt, int ItemsRead, int ItemsDone, int ItemsEscalated, int ItemsFailed, int ItemsSkipped, bool Misfired, string? SkipReason, int ItemsQuarantined = 0, string? StopReason = null, int ItemsRetried = 0);

public sealed record AutomationDetail(
    Guid Id,
    string Kind,
    string KindName,
    string Name,
    AutomationState State,
    AutomationState? StateBeforePause,
    System.Text.Json.JsonElement Settings,
    int SettingsVersion,
    string Schedule,
    string? ScheduleDescription,
    string TimeZone,
    IReadOnlyList<DateTime> NextRuns,
    Guardrails Guardrails,
    decimal ImplementationCost,
    decimal MonthlyRunningCost,
    string CostCurrency,
    string OwnerName,
    bool IsDemo,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    long Version,
    IReadOnlyList<KindFolder> Folders,
    string? PausedBy = null,
    DateTime? PausedAt = null,
    string? PauseDescription = null,
    int OverrideWindowDays = Model.Automation.DefaultOverrideWindowDays);
