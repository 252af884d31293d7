using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Escalations;

/// <summary>
/// Everything that happened to an item, oldest first, each with who and when: read, decided, escalated, claimed,
/// released, assigned, deferred, returned, notes, resolved, overridden, acted on and undone. Built from the records
/// the engine and people leave (decisions, events, effects), so it can never disagree with them.
/// </summary>
public static class ItemTimeline
{
    public const string Automation = "the automation";

    public static IReadOnlyList<TimelineEntry> Of(WorkItemDetail detail, IReadOnlyList<ItemEvent> events, KindPresentation presentation)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(presentation);
        var item = detail.Item;
        var entries = new List<TimelineEntry>
        {
            new(item.ReceivedAt, "read", Automation, item.FileName is { } file ? $"Read from {file}" : "Read"),
        };
        if (item.Status == WorkItemStatus.Quarantined)
        {
            entries.Add(new(item.ReceivedAt, "quarantined", Automation, $"Quarantined: {item.Error ?? "it could not be read"}"));
        }

        // Effects recorded after a person asked to undo the item are its compensation.
        var undoneAt = detail.Decisions.Where(d => d.Decision == Decisions.Compensate || (d.Override && d.Decision == Decisions.Reject)).Select(d => (DateTime?)d.At).Max();
        foreach (var decision in detail.Decisions)
        {
            entries.Add(Decision(decision, presentation));
        }

        foreach (var e in events)
        {
            entries.Add(e.Type switch
            {
                ItemEventType.Claimed => new(e.At, "claimed", e.ActorName, "Claimed"),
                ItemEventType.Released => new(e.At, "released", e.ActorName, "Released back to the queue", e.Text),
                ItemEventType.Assigned => new(e.At, "assigned", e.ActorName, $"Assigned to {e.AssigneeName ?? "someone"}"),
                ItemEventType.Deferred => new(e.At, "deferred", e.ActorName, $"Deferred until {e.Until:yyyy-MM-dd HH:mm} UTC", e.Text),
                ItemEventType.Returned => new(e.At, "returned", e.ActorName, "Back in the queue: its deferral ended"),
                _ => new(e.At, "note", e.ActorName, "Note", e.Text),
            });
        }

        foreach (var effect in detail.Effects)
        {
            var compensation = undoneAt is { } at && effect.At >= at;
            var what = $"{effect.Type} {Path.GetFileName(effect.Target.TrimEnd('/'))}".Trim();
            entries.Add(compensation
                ? new(effect.At, "compensated", Automation, $"Undone: {what}")
                : new(effect.At, "acted", Automation, $"{presentation.ActedVerb}: {what}{(effect.Status == EffectStatus.Compensated ? " (undone since)" : "")}"));
        }

        return entries.OrderBy(e => e.At).ThenBy(e => Order(e.Type)).ToList();
    }

    private static TimelineEntry Decision(DecisionRecord d, KindPresentation presentation)
    {
        var reasons = d.ReasonCodes.Length == 0 ? "" : string.Join("; ", d.ReasonCodes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => presentation.DescribeReason(c, null)));
        var because = d.Reason is null ? "" : $" ({d.Reason})";
        if (d.DecidedBy != DecidedBy.Person)
        {
            var shadow = d.DecidedBy == DecidedBy.AutomationShadow ? " in shadow" : "";
            return d.Decision == Decisions.Escalate
                ? new(d.At, "escalated", Automation, $"Escalated{shadow}: {reasons}", d.Note)
                : new(d.At, "decided", Automation, $"Decided{shadow}: {d.Decision}{(reasons.Length > 0 ? $" ({reasons})" : "")}", d.Note);
        }

        if (d.Override)
        {
            return new(d.At, "overridden", d.PersonName, $"Overrode the decision: {d.Decision}{because}", d.Note);
        }

        return d.Decision switch
        {
            Decisions.Approve => new(d.At, "resolved", d.PersonName, $"Approved{Minutes(d)}", d.Note),
            Decisions.CorrectAndApprove => new(d.At, "resolved", d.PersonName, $"Corrected and approved{Minutes(d)}", d.Note),
            Decisions.Reject => new(d.At, "resolved", d.PersonName, $"Rejected{because}{Minutes(d)}", d.Note),
            Decisions.Compensate => new(d.At, "overridden", d.PersonName, "Asked to undo what was done", d.Note),
            _ => new(d.At, "resolved", d.PersonName, d.Decision, d.Note),
        };
    }

    private static string Minutes(DecisionRecord d) => d.HumanMinutes > 0 ? $" · {d.HumanMinutes:0.#} min" : "";

    private static int Order(string type) => type switch
    {
        "read" => 0,
        "quarantined" or "decided" or "escalated" => 1,
        _ => 2,
    };
}
