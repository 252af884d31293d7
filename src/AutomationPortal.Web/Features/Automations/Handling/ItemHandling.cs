using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Files;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations.Handling;

/// <summary>What a person's action made of an item: its status now, the run that acts on it (if one was started) and a sentence.</summary>
public sealed record HandledItem(Guid WorkItemId, WorkItemStatus Status, Guid? RunId, string Message);

/// <summary>
/// Whether an item's decision may be overridden now: the decisions a person may put in its place, why not if none,
/// whether the override undoes what was done (the kind's compensation), until when, and what it will do.
/// </summary>
public sealed record OverrideOption(IReadOnlyList<string> Decisions, string? Why, bool Compensates, DateTime? WindowEndsAt, string? WhatHappens)
{
    public bool Allowed => Decisions.Count > 0;

    public static OverrideOption No(string why) => new([], why, false, null, null);
}

/// <summary>
/// A person's decision on an item: an optional note, the minutes it took (which the ROI nets out), and for a rejection
/// or an override the reason code, from the kind's <see cref="IAutomationKind.RejectReasons"/>.
/// </summary>
public sealed record HandlingNote(string? Note = null, decimal Minutes = 0, string? Reason = null)
{
    public const int MaxNoteLength = 2000;

    /// <summary>The longest a person may say one item took; more is a typing error, not work.</summary>
    public const decimal MaxMinutes = 24 * 60;
}

/// <summary>
/// People's decisions on items, for every kind through its contract: approve, reject or correct-and-approve an escalated
/// item, or undo one the automation acted on. Each is one atomic change of the item from the state the person saw:
/// of two people acting on the same item at once, exactly one wins and the other gets a conflict naming what happened.
/// An approval is acted on as an automated one is: by the engine, in a run started at once, under the item's own
/// idempotency key, so it happens exactly once, with the engine's retries, ledger and per-run effects; a paused
/// automation acts on it when it is resumed. Undoing is the kind's compensation, run the same way.
/// </summary>
public sealed class ItemHandling(
    IDbContextFactory<PortalDbContext> dbFactory,
    CurrentActor currentActor,
    AutomationKindCatalog catalog,
    SecretSettings secrets,
    PortalFolders folders,
    PortalDatabase database,
    AutomationScheduler scheduler,
    TimeProvider time,
    IServiceProvider services)
{
    /// <summary>Fields corrected in one go at most.</summary>
    public const int MaxCorrections = 32;

    /// <summary>What a person may do with the item now, and what each action will do, in its kind's words.</summary>
    public async Task<HumanActions> ActionsAsync(Guid workItemId, CancellationToken cancellationToken = default)
    {
        await RequireHandlerAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (_, automation, kind) = await LoadAsync(db, workItemId, cancellationToken);
        return kind.HumanActions(KindSettings.Read(kind, automation.Settings));
    }

    /// <summary>Approves an escalated item: the automation acts on it as on its own approvals, once.</summary>
    public Task<HandledItem> ApproveAsync(Guid workItemId, HandlingNote note, CancellationToken cancellationToken = default) =>
        DecideAsync(workItemId, Decisions.Approve, note, null, cancellationToken);

    /// <summary>Rejects an escalated item: it is closed, nothing is acted on.</summary>
    public Task<HandledItem> RejectAsync(Guid workItemId, HandlingNote note, CancellationToken cancellationToken = default) =>
        DecideAsync(workItemId, Decisions.Reject, note, null, cancellationToken);

    /// <summary>
    /// Corrects an escalated item's fields (those its kind names), has the kind check it again, and approves it. Values
    /// the kind refuses are answered as a validation problem by field; nothing changes then.
    /// </summary>
    public Task<HandledItem> EditAndApproveAsync(Guid workItemId, IReadOnlyDictionary<string, string?> values, HandlingNote note, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new AutomationValidationException(new Dictionary<string, string[]> { ["values"] = ["Name at least one field to correct, or approve the item as it is."] });
        }

        if (values.Count > MaxCorrections || values.Keys.Any(k => k.Length > 64))
        {
            // No answer may grow with what was sent: each unknown field would be named in it.
            throw new AutomationValidationException(new Dictionary<string, string[]> { ["values"] = [$"Name at most {MaxCorrections} fields to correct, each by its name."] });
        }

        return DecideAsync(workItemId, Decisions.Approve, note, values, cancellationToken);
    }

    /// <summary>
    /// Replaces the decision made on an item (by the automation or a person) with a person's own, within the
    /// automation's override window. Rejecting an item that was acted on undoes it by the kind's compensation (for
    /// invoices a reversal), exactly once, in a run started at once; rejecting one whose action has not happened yet
    /// cancels that action; approving one that was rejected acts on it. The override is recorded as such: it counts as
    /// an automation error in the accuracy figures.
    /// </summary>
    public async Task<HandledItem> OverrideAsync(Guid workItemId, string decision, HandlingNote note, CancellationToken cancellationToken = default)
    {
        var actor = await RequireHandlerAsync();
        Check(note);
        decision = decision?.Trim().ToLowerInvariant() switch
        {
            Decisions.Approve => Decisions.Approve,
            Decisions.Reject => Decisions.Reject,
            _ => throw new AutomationValidationException(new Dictionary<string, string[]> { ["decision"] = ["Override with Approve or Reject."] }),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (item, automation, kind) = await LoadAsync(db, workItemId, cancellationToken);
        CheckReason(kind, decision, note, requireForApproval: false);
        if (decision == Decisions.Approve && string.IsNullOrWhiteSpace(note.Note))
        {
            throw new AutomationValidationException(new Dictionary<string, string[]> { ["note"] = ["Say why the item should be acted on after all."] });
        }

        var option = await OverrideOptionAsync(db, item, automation, kind, cancellationToken);
        if (!option.Decisions.Contains(decision))
        {
            throw new ConflictException(option.Why ?? $"This item's decision is {decision} already: there is nothing to override.");
        }

        if (decision == Decisions.Reject && !option.Compensates && item.Status is WorkItemStatus.AwaitingAction or WorkItemStatus.ActionFailed
            && await db.Set<AutomationRun>().AnyAsync(r => r.AutomationId == automation.Id && r.Status == RunStatus.Running, cancellationToken))
        {
            // Its action may be under way this moment: cancelling now could leave something posted for a rejected item.
            throw new ConflictException($"{automation.Name} is running and may be acting on this item right now: try again once the run has finished.");
        }

        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        WorkItemStatus target;
        if (decision == Decisions.Approve)
        {
            // A rejected item is acted on after all: the engine's act step, once, as for any approval, with attempts of its own.
            target = WorkItemStatus.AwaitingAction;
            await MoveAsync(db, item, item.Status, target, Decisions.Approve, null, null, actor, cancellationToken);
            await db.Set<WorkItem>().Where(w => w.Id == item.Id).ExecuteUpdateAsync(u => u.SetProperty(w => w.ActionAttempts, 0), cancellationToken);
        }
        else if (option.Compensates)
        {
            // What was done is undone by the kind's compensation; the undo has its own attempts.
            target = WorkItemStatus.AwaitingCompensation;
            await MoveAsync(db, item, item.Status, target, item.Decision, null, null, actor, cancellationToken);
            await db.Set<WorkItem>().Where(w => w.Id == item.Id).ExecuteUpdateAsync(u => u.SetProperty(w => w.ActionAttempts, 0), cancellationToken);
        }
        else
        {
            // Approved, but nothing was done yet: the action is cancelled and the item closed.
            target = WorkItemStatus.Done;
            await MoveAsync(db, item, item.Status, target, Decisions.Reject, null, now, actor, cancellationToken);
        }

        db.Add(Record(item, actor, decision, note, now, isOverride: true));
        if (await db.Set<Escalation>().FirstOrDefaultAsync(e => e.WorkItemId == item.Id && e.Status != EscalationStatus.Resolved, cancellationToken) is { } open)
        {
            open.Status = EscalationStatus.Resolved;
            open.ResolvedAt = now;
            open.ResolvedById = actor.Id;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return target switch
        {
            WorkItemStatus.AwaitingAction => await ActNowAsync(db, automation, item.Id, target, actor, "acting on", cancellationToken),
            WorkItemStatus.AwaitingCompensation => await ActNowAsync(db, automation, item.Id, target, actor, "undoing", cancellationToken),
            _ => new HandledItem(item.Id, target, null, "Overridden: the item is rejected and its action will not happen."),
        };
    }

    /// <summary>Whether a person may override the item's decision now, to what, and if not, why.</summary>
    public async Task<OverrideOption> OverrideOptionAsync(Guid workItemId, CancellationToken cancellationToken = default)
    {
        await RequireHandlerAsync();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (item, automation, kind) = await LoadAsync(db, workItemId, cancellationToken);
        return await OverrideOptionAsync(db, item, automation, kind, cancellationToken);
    }

    private async Task<OverrideOption> OverrideOptionAsync(PortalDbContext db, WorkItem item, Automation automation, IAutomationKind kind, CancellationToken cancellationToken)
    {
        var actions = kind.HumanActions(KindSettings.Read(kind, automation.Settings));
        if (item.Lane != Lane.Live)
        {
            return OverrideOption.No("This item was decided in shadow: nothing was acted on, so there is no decision to override.");
        }

        var decidedAt = item.DecidedAt ?? item.ReceivedAt;
        var windowEnds = decidedAt.AddDays(automation.OverrideWindowDays);
        switch (item.Status)
        {
            case WorkItemStatus.Escalated:
                return OverrideOption.No("This item waits for a person: resolve it from the escalation queue.");
            case WorkItemStatus.Quarantined:
                return OverrideOption.No("This input could not be read: nothing was decided, so there is nothing to override.");
            case WorkItemStatus.AwaitingCompensation or WorkItemStatus.Compensated:
                return OverrideOption.No("What was done for this item is being undone, or was undone, at a person's request already.");
        }

        if (Now > windowEnds)
        {
            return OverrideOption.No($"Decided on {decidedAt:yyyy-MM-dd}, outside {automation.Name}'s override window of {automation.OverrideWindowDays} days (it ended on {windowEnds:yyyy-MM-dd}).");
        }

        if (item.Decision == Decisions.Reject)
        {
            return new OverrideOption([Decisions.Approve], null, false, windowEnds, actions.Approve);
        }

        var applied = await db.Set<Effect>().AnyAsync(e => e.WorkItemId == item.Id && e.Status == EffectStatus.Applied, cancellationToken);
        if (!applied)
        {
            return new OverrideOption([Decisions.Reject], null, false, windowEnds, "Nothing was done for the item yet: its action is cancelled and it is closed.");
        }

        return actions.CanCompensate
            ? new OverrideOption([Decisions.Reject], null, true, windowEnds, actions.Compensate!)
            : OverrideOption.No($"{automation.Name} acted on this item, and its kind cannot undo what it did: correct it where it went.");
    }

    private async Task<HandledItem> DecideAsync(Guid workItemId, string decision, HandlingNote note, IReadOnlyDictionary<string, string?>? corrections, CancellationToken cancellationToken)
    {
        var actor = await RequireHandlerAsync();
        Check(note);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (item, automation, kind) = await LoadAsync(db, workItemId, cancellationToken);
        if (item.Status != WorkItemStatus.Escalated)
        {
            throw new ConflictException($"This item is no longer waiting for a person: it is {Describe(item)}.");
        }

        if (item.Lane != Lane.Live)
        {
            throw new ConflictException("This item was decided in shadow: people handle its input by hand, and the automation acts on nothing in shadow.");
        }

        if (decision == Decisions.Reject)
        {
            CheckReason(kind, decision, note, requireForApproval: false);
        }

        var settings = secrets.Reveal(KindSettings.Read(kind, automation.Settings));
        PreparedItem? corrected = null;
        Dictionary<string, object?>? correctedValues = null;
        var noteText = note.Note;

        // The write transaction is taken first (SQLite: at once), so a correction is checked against the history with
        // no other change committed between its check and its own commit: two corrections to the same number cannot
        // both pass.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Only the person holding the item resolves it: checked inside the write transaction, so a claim, release or
        // assignment committed a moment ago is seen.
        var escalation = await db.Set<Escalation>().FirstOrDefaultAsync(e => e.WorkItemId == item.Id && e.Status != EscalationStatus.Resolved, cancellationToken);
        if (escalation is not null && (escalation.Status is not (EscalationStatus.Claimed or EscalationStatus.Deferred) || escalation.AssigneeId != actor.Id))
        {
            throw new ConflictException(escalation.AssigneeId is null
                ? "Claim this item first: only the person holding it may resolve it."
                : $"{escalation.AssigneeName ?? "Someone else"} holds this item: only they may resolve it.")
            { Holder = escalation.AssigneeName };
        }

        if (corrections is not null)
        {
            var actions = kind.HumanActions(settings);
            if (!actions.CanEdit)
            {
                throw new ConflictException($"{automation.Name} names no fields a person may correct; approve or reject the item as it is.");
            }

            corrected = await EditAsync(db, kind, automation, settings, item, corrections, cancellationToken);

            // The original and the correction are both kept: the values as read and as corrected, in the decision's
            // note (shortened) and in full in the audit entry; the original file stays as it arrived.
            var before = kind.Presentation.EditableValues(item.Payload);
            var after = kind.Presentation.EditableValues(corrected.Payload);
            var changed = string.Join(", ", corrections.Keys.Order(StringComparer.Ordinal)
                .Select(k => before.ContainsKey(k) || after.ContainsKey(k) ? $"{k} ({Short(before.GetValueOrDefault(k))} → {Short(after.GetValueOrDefault(k))})" : k));
            noteText = string.IsNullOrWhiteSpace(noteText) ? $"Corrected {changed}." : $"Corrected {changed}. {noteText}";
            correctedValues = corrections.Keys.Where(k => before.ContainsKey(k) || after.ContainsKey(k))
                .ToDictionary(k => k, k => (object?)new { before = before.GetValueOrDefault(k), after = after.GetValueOrDefault(k) });
        }

        var now = Now;
        var target = decision == Decisions.Approve ? WorkItemStatus.AwaitingAction : WorkItemStatus.Done;
        await MoveAsync(db, item, WorkItemStatus.Escalated, target, decision, corrected, target == WorkItemStatus.Done ? now : null, actor, cancellationToken, correctedValues);
        db.Add(Record(item, actor, corrected is null ? decision : Decisions.CorrectAndApprove, note with { Note = noteText }, now));
        if (escalation is not null)
        {
            escalation.Status = EscalationStatus.Resolved;
            escalation.ResolvedAt = now;
            escalation.ResolvedById = actor.Id;
            escalation.DeferredUntil = null;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return target == WorkItemStatus.Done
            ? new HandledItem(item.Id, target, null, "Rejected: the item is closed and nothing was acted on.")
            : await ActNowAsync(db, automation, item.Id, target, actor, "acting on", cancellationToken);
    }

    /// <summary>The kind's check of a person's corrections, from a run of the kind that reads the engine's history.</summary>
    private async Task<PreparedItem> EditAsync(PortalDbContext db, IAutomationKind kind, Automation automation, object settings, WorkItem item, IReadOnlyDictionary<string, string?> corrections, CancellationToken cancellationToken)
    {
        var records = new EngineRecords(database, EngineSchema.From(db.Model), automation.Id, time);
        await using var run = kind.Start(new KindRunContext(automation.Id, Guid.CreateVersion7(), RunMode.Production, settings, folders.DataFolder, (_, _) => { }, time) { History = records }, new KindRunFactory(services));
        var edited = await run.EditAsync(item.Id, run.Restore(item.Payload ?? ""), corrections, cancellationToken);
        if (edited.Item is null || edited.Errors.Count > 0)
        {
            throw new AutomationValidationException(edited.Errors.GroupBy(e => $"values.{e.Field}").ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        return edited.Item;
    }

    /// <summary>
    /// The change of state, only from the state the person saw: when two act at once, the second finds no row to change
    /// and is told what the first did.
    /// </summary>
    private async Task MoveAsync(PortalDbContext db, WorkItem item, WorkItemStatus from, WorkItemStatus to, string? decision, PreparedItem? corrected, DateTime? completedAt, Actor actor,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, object?>? correctedValues = null)
    {
        var rows = corrected is null
            ? await db.Set<WorkItem>().Where(w => w.Id == item.Id && w.Status == from)
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.Status, to).SetProperty(w => w.Decision, decision).SetProperty(w => w.CompletedAt, completedAt).SetProperty(w => w.Error, (string?)null), cancellationToken)
            : await db.Set<WorkItem>().Where(w => w.Id == item.Id && w.Status == from)
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.Status, to).SetProperty(w => w.Decision, decision).SetProperty(w => w.CompletedAt, completedAt)
                    .SetProperty(w => w.Payload, corrected.Payload)
                    .SetProperty(w => w.SummaryReference, corrected.Summary.Reference).SetProperty(w => w.SummaryParty, corrected.Summary.Party)
                    .SetProperty(w => w.SummaryPartyId, corrected.Summary.PartyId).SetProperty(w => w.SummaryAmount, corrected.Summary.Amount)
                    .SetProperty(w => w.SummaryCurrency, corrected.Summary.Currency).SetProperty(w => w.SummaryType, corrected.Summary.Type)
                    .SetProperty(w => w.SummaryDate, corrected.Summary.Date).SetProperty(w => w.ContentKey, corrected.Summary.ContentKey), cancellationToken);
        if (rows == 0)
        {
            var now = await db.Set<WorkItem>().AsNoTracking().FirstAsync(w => w.Id == item.Id, cancellationToken);
            var by = await db.Set<DecisionRecord>().AsNoTracking().Where(d => d.WorkItemId == item.Id && d.DecidedBy == DecidedBy.Person)
                .OrderByDescending(d => d.At).Select(d => d.PersonName).FirstOrDefaultAsync(cancellationToken);
            throw new ConflictException($"Someone acted on this item meanwhile{(by is null ? "" : $" ({by})")}: it is {Describe(now)} now.");
        }

        // The change is written past the change tracker (so it is conditional); its audit entry is written here.
        var changes = new Dictionary<string, object?>
        {
            [nameof(WorkItem.Status)] = new { before = from.ToString(), after = to.ToString() },
            [nameof(WorkItem.Decision)] = new { before = item.Decision, after = decision },
        };
        if (corrected is not null)
        {
            changes[nameof(WorkItem.SummaryReference)] = new { before = item.SummaryReference, after = corrected.Summary.Reference };
            changes[nameof(WorkItem.SummaryParty)] = new { before = item.SummaryParty, after = corrected.Summary.Party };
            changes[nameof(WorkItem.SummaryDate)] = new { before = item.SummaryDate, after = corrected.Summary.Date };
            foreach (var (field, change) in correctedValues ?? new Dictionary<string, object?>())
            {
                changes[$"values.{field}"] = change;
            }
        }

        db.Add(new Audit.AuditEntry
        {
            At = Now,
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = Audit.AuditAction.Updated,
            EntityType = "WorkItem",
            EntityId = item.Id.ToString(),
            Summary = $"Work item {item.SummaryReference ?? item.SourceKey[..Math.Min(12, item.SourceKey.Length)]}: {from} → {to}{(decision is null ? "" : $" ({decision})")}",
            Changes = System.Text.Json.JsonSerializer.Serialize(changes),
        });
    }

    /// <summary>Starts a run that acts on the item now, unless the automation is paused: then its resume does.</summary>
    private async Task<HandledItem> ActNowAsync(PortalDbContext db, Automation automation, Guid itemId, WorkItemStatus status, Actor actor, string what, CancellationToken cancellationToken)
    {
        var current = await db.Set<Automation>().AsNoTracking().FirstAsync(a => a.Id == automation.Id, cancellationToken);
        if (current.IsPaused)
        {
            return new HandledItem(itemId, status, null, $"{current.Name} is paused ({current.PauseDescription}): it goes on {what} the item when it is resumed.");
        }

        if (!current.IsDemo && current.State is not (AutomationState.Pilot or AutomationState.Production))
        {
            // A Draft or Shadow automation acts on nothing: the item waits for it to be in Pilot or Production again.
            return new HandledItem(itemId, status, null, $"{current.Name} is in {current.State}, where it acts on nothing: it goes on {what} the item once it is in Pilot or Production.");
        }

        // A run queued for people's decisions that has not started yet acts on this item too (it reads every item
        // waiting for its action when it starts, and this one was committed before): a person working through a queue
        // starts one run, not one per item. Only a run queued in the last two minutes: an older one may never have been
        // handed to the scheduler (the portal stopped in between), and another run costs little.
        var recently = Now - TimeSpan.FromMinutes(2);
        if (await db.Set<AutomationRun>().AsNoTracking()
                .Where(r => r.AutomationId == automation.Id && r.Trigger == RunTrigger.Handling && r.Status == RunStatus.Queued && r.QueuedAt >= recently)
                .Select(r => (Guid?)r.Id).FirstOrDefaultAsync(cancellationToken) is { } queued)
        {
            return new HandledItem(itemId, status, queued, $"{current.Name} is {what} the item in the run queued for it.");
        }

        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Handling, QueuedAt = Now, RequestedBy = actor.Name };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(automation.Id, run.Id, cancellationToken);
        return new HandledItem(itemId, status, run.Id, $"{current.Name} is {what} the item in a run started now.");
    }

    private async Task<(WorkItem Item, Automation Automation, IAutomationKind Kind)> LoadAsync(PortalDbContext db, Guid workItemId, CancellationToken cancellationToken)
    {
        var item = await db.Set<WorkItem>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == workItemId, cancellationToken)
            ?? throw new NotFoundException($"No work item has the id {workItemId}: check the link or the id you used.");
        var automation = await db.Set<Automation>().AsNoTracking().FirstAsync(a => a.Id == item.AutomationId, cancellationToken);
        return (item, automation, catalog.Get(automation.Kind));
    }

    private async Task<Actor> RequireHandlerAsync() =>
        (await currentActor.GetAsync()).RequireItemHandler("Only Agents, Managers and Admins may decide items.");

    private static void Check(HandlingNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var errors = new Dictionary<string, string[]>();
        if (note.Note is { Length: > HandlingNote.MaxNoteLength })
        {
            errors["note"] = [$"Keep the note to {HandlingNote.MaxNoteLength:N0} characters."];
        }

        if (note.Minutes is < 0 or > HandlingNote.MaxMinutes)
        {
            errors["minutes"] = [$"Give the minutes the item took, from 0 to {HandlingNote.MaxMinutes:N0}."];
        }

        if (errors.Count > 0)
        {
            throw new AutomationValidationException(errors);
        }
    }

    /// <summary>A rejection or override names a reason from the kind's list; "other" needs a note that says more.</summary>
    private static void CheckReason(IAutomationKind kind, string decision, HandlingNote note, bool requireForApproval)
    {
        if (decision == Decisions.Approve && !requireForApproval && string.IsNullOrWhiteSpace(note.Reason))
        {
            return;
        }

        var reasons = kind.RejectReasons;
        if (string.IsNullOrWhiteSpace(note.Reason))
        {
            throw new AutomationValidationException(new Dictionary<string, string[]> { ["reason"] = [$"Give the reason: one of {string.Join(", ", reasons.Select(r => r.Code))}."] });
        }

        if (reasons.FirstOrDefault(r => r.Code == note.Reason.Trim()) is not { } reason)
        {
            throw new AutomationValidationException(new Dictionary<string, string[]> { ["reason"] = [$"Not a reason this kind knows: use one of {string.Join(", ", reasons.Select(r => r.Code))}."] });
        }

        if (reason.NoteRequired && string.IsNullOrWhiteSpace(note.Note))
        {
            throw new AutomationValidationException(new Dictionary<string, string[]> { ["note"] = [$"With the reason '{reason.Code}', say in the note what is wrong."] });
        }
    }

    private static DecisionRecord Record(WorkItem item, Actor actor, string decision, HandlingNote note, DateTime at, bool isOverride = false) => new()
    {
        WorkItemId = item.Id,
        At = at,
        DecidedBy = DecidedBy.Person,
        PersonId = actor.Id,
        PersonName = actor.Name,
        Decision = decision,
        ReasonCodes = item.ReasonCodes,
        Note = string.IsNullOrWhiteSpace(note.Note) ? null : note.Note.Trim(),
        HumanMinutes = note.Minutes,
        Reason = string.IsNullOrWhiteSpace(note.Reason) ? null : note.Reason.Trim(),
        Override = isOverride,
    };

    /// <summary>A value for a sentence: at most 60 characters, "—" for none.</summary>
    private static string Short(string? value) => string.IsNullOrEmpty(value) ? "—" : value.Length <= 60 ? value : value[..57] + "…";

    private static string Describe(WorkItem item) => item.Status switch
    {
        WorkItemStatus.Done when item.Decision == Decisions.Reject => "rejected",
        WorkItemStatus.Done when item.Lane == Lane.Shadow => "decided in shadow",
        WorkItemStatus.Done => $"done (decision: {item.Decision ?? "none"})",
        WorkItemStatus.AwaitingAction => "approved and waiting for its action",
        WorkItemStatus.ActionFailed => "approved, but its action has failed so far",
        WorkItemStatus.AwaitingCompensation => "being undone",
        WorkItemStatus.Compensated => "undone",
        WorkItemStatus.Quarantined => "quarantined",
        _ => "escalated",
    };

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
