using System.ComponentModel.DataAnnotations;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Handling;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Escalations;

public sealed class EscalationOptions
{
    public const string Section = "Portal:Escalations";

    /// <summary>
    /// The most minutes one resolution may count: the time from claim to resolve is capped here, so a claim left open
    /// over lunch does not count as work.
    /// </summary>
    [Range(1, 1440)]
    public int MaxMinutes { get; set; } = 60;

    /// <summary>How often deferred items whose time has come are put back in the queue, in seconds.</summary>
    [Range(1, 3600)]
    public int ReturnCheckSeconds { get; set; } = 15;
}

/// <summary>The quick views of the queue, each with its count.</summary>
public enum QueueView
{
    /// <summary>Everything not resolved yet.</summary>
    All,
    /// <summary>What I hold to work on now (claimed by or assigned to me); what I deferred comes back here at its time.</summary>
    Mine,
    /// <summary>Waiting for someone to claim it.</summary>
    Unassigned,
    Deferred,
    /// <summary>Resolved since midnight, in the organisation's time zone.</summary>
    ResolvedToday,
}

/// <summary>
/// The queue's filters, all applied on the server. <see cref="Assignee"/> is a user id, <c>me</c> or <c>none</c>;
/// ages are in hours since the item was escalated.
/// </summary>
public sealed record EscalationFilter(
    QueueView View = QueueView.All,
    Guid? AutomationId = null,
    EscalationStatus? Status = null,
    string? Assignee = null,
    string? Reason = null,
    decimal? MinAmount = null,
    decimal? MaxAmount = null,
    string? Party = null,
    string? Search = null,
    int? MinAgeHours = null,
    int? MaxAgeHours = null);

/// <summary>The columns the queue sorts by.</summary>
public enum EscalationSortField
{
    Age,
    Amount,
    Reference,
    Party,
    Automation,
    Assignee,
    Status,
}

public sealed record EscalationSort(EscalationSortField Field = EscalationSortField.Age, bool Descending = false)
{
    /// <summary>Reads <c>age</c>, <c>-amount</c> (descending) and the like; null for a field the queue does not sort by.</summary>
    public static EscalationSort? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new EscalationSort();
        }

        var trimmed = text.Trim();
        var descending = trimmed.StartsWith('-');
        var name = descending ? trimmed[1..] : trimmed;
        name = name switch
        {
            "createdAt" or "created" => nameof(EscalationSortField.Age),
            "assignee" => nameof(EscalationSortField.Assignee),
            _ => name,
        };
        // By name only: Enum.TryParse also reads numbers ("1") and lists ("amount,party") as some field.
        return name.Length > 0 && name.All(char.IsAsciiLetter) && Enum.TryParse<EscalationSortField>(name, ignoreCase: true, out var field) && Enum.IsDefined(field)
            ? new EscalationSort(field, descending)
            : null;
    }
}

/// <summary>A person as the queue names them.</summary>
public sealed record PersonRef(Guid Id, string Name);

/// <summary>
/// One escalation as the queue and the API show it: where it stands, who holds it, why it was escalated, and the
/// item's summary fields (generic, and under the kind's own names in <see cref="KindFields"/>).
/// </summary>
public sealed record EscalationView(
    Guid Id,
    Guid WorkItemId,
    Guid AutomationId,
    string AutomationName,
    string Kind,
    EscalationStatus Status,
    PersonRef? Assignee,
    IReadOnlyList<string> ReasonCodes,
    DateTime CreatedAt,
    DateTime? ClaimedAt,
    DateTime? DeferredUntil,
    DateTime? ResolvedAt,
    string? Reference,
    string? Party,
    string? PartyId,
    decimal? Amount,
    string? Currency,
    string? Type,
    DateOnly? DocumentDate,
    WorkItemStatus ItemStatus,
    long Version)
{
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object?>? KindFields { get; init; }

    public string Title => Reference ?? $"Item {WorkItemId.ToString("N")[^8..]}";
}

/// <summary>The queue's quick views with their counts, for the current person.</summary>
public sealed record QueueCounts(int All, int Mine, int Unassigned, int Deferred, int ResolvedToday);

/// <summary>One line of an item's timeline: when, what, who, and in words.</summary>
public sealed record TimelineEntry(DateTime At, string Type, string? Who, string Text, string? Note = null);

/// <summary>An earlier item of the same party and how it was decided (by the automation or by whom).</summary>
public sealed record EarlierItem(
    Guid WorkItemId,
    string AutomationName,
    string? Reference,
    decimal? Amount,
    string? Currency,
    DateOnly? DocumentDate,
    DateTime ReceivedAt,
    WorkItemStatus Status,
    string? Decision,
    string DecidedBy,
    bool Overridden,
    string? Note);

/// <summary>What a person may do with the item and what each action will do, in its kind's words, with the reject reasons.</summary>
public sealed record ActionPreview(
    string Approve,
    string Reject,
    IReadOnlyList<EditableField> Editable,
    string? Compensate,
    IReadOnlyList<RejectReason> RejectReasons,
    string? WhenPaused)
{
    /// <summary>The current value of each editable field, as the automation read it (or a person corrected it).</summary>
    public IReadOnlyDictionary<string, string?> Values { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// An escalation with the whole context on one page: the item with its payload, decisions and effects, the reasons in
/// words with their figures and what to check, earlier items of the same party, the run it came from, the original
/// file, the notes and the timeline, what each action will do, and the minutes measured since the claim.
/// </summary>
public sealed record EscalationDetail(
    EscalationView Escalation,
    WorkItemDetail Item,
    IReadOnlyList<ReasonExplained> Reasons,
    IReadOnlyList<EarlierItem> Earlier,
    RunName? Run,
    bool HasOriginal,
    IReadOnlyList<TimelineEntry> Notes,
    IReadOnlyList<TimelineEntry> Timeline,
    ActionPreview Actions,
    bool HeldByMe,
    int MeasuredMinutes,
    int MaxMinutes);

/// <summary>A reason code the queue has seen, with the kind whose words describe it.</summary>
public sealed record SeenReason(string Kind, string Code);

/// <summary>A person who may be given an item: an active Agent, Manager or Admin, with their roles.</summary>
public sealed record AssignablePerson(Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles);

/// <summary>A reason code in plain words, with the figure it was judged by and what to check.</summary>
public sealed record ReasonExplained(string Code, string Text, string? Check);

/// <summary>A resolution: the decision, its reason (for Reject), a note, the minutes (measured when left out), and corrections for EditAndApprove.</summary>
public sealed record ResolveRequest(string? Decision, string? Reason = null, string? Note = null, decimal? Minutes = null, IReadOnlyDictionary<string, string?>? Corrections = null);

public sealed record OverrideRequest(string? Decision, string? Reason = null, string? Note = null, decimal? Minutes = null);

public sealed record DeferRequest(DateTimeOffset? Until, string? Note);

public sealed record AssignRequest(Guid? UserId);

public sealed record NoteRequest(string? Text);

/// <summary>What a resolution or override did: the escalation now, and the item's handling (its run, its sentence).</summary>
public sealed record ResolveResult(EscalationView? Escalation, HandledItem Item);
