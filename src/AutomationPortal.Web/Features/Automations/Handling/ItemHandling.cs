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

/// <summary>A person's decision on an item: an optional note, and the minutes it took (which the ROI nets out).</summary>
public sealed record HandlingNote(string? Note = null, decimal Minutes = 0)
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

    /// <summary>Undoes an item the automation acted on, by its kind's compensation, in a run started at once.</summary>
    public async Task<HandledItem> CompensateAsync(Guid workItemId, HandlingNote note, CancellationToken cancellationToken = default)
    {
        var actor = await RequireHandlerAsync();
        if (!actor.Has(Role.Manager) && !actor.Has(Role.Admin))
        {
            // Undoing sends reversals to accounting: a Manager's or an Admin's call, not the queue's.
            throw new ForbiddenException("Only Managers and Admins may undo what an automation did.");
        }

        Check(note);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (item, automation, kind) = await LoadAsync(db, workItemId, cancellationToken);
        var actions = kind.HumanActions(KindSettings.Read(kind, automation.Settings));
        if (!actions.CanCompensate)
        {
            throw new ConflictException($"{automation.Name} cannot undo what it did: its kind offers no compensation.");
        }

        if (item.Lane != Lane.Live || item.Status != WorkItemStatus.Done || item.Decision != Decisions.Approve
            || !await db.Set<Effect>().AnyAsync(e => e.WorkItemId == item.Id && e.Status == EffectStatus.Applied, cancellationToken))
        {
            throw new ConflictException($"Only an item that was acted on can be undone; this one is {Describe(item)}.");
        }

        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await MoveAsync(db, item, WorkItemStatus.Done, WorkItemStatus.AwaitingCompensation, item.Decision, null, null, cancellationToken);

        // The undo has its own attempts: those of the action before it do not use up its retries.
        await db.Set<WorkItem>().Where(w => w.Id == item.Id).ExecuteUpdateAsync(u => u.SetProperty(w => w.ActionAttempts, 0), cancellationToken);
        db.Add(Record(item, actor, Decisions.Compensate, note, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await ActNowAsync(db, automation, item.Id, WorkItemStatus.AwaitingCompensation, actor, "undoing", cancellationToken);
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

        var settings = secrets.Reveal(KindSettings.Read(kind, automation.Settings));
        PreparedItem? corrected = null;
        var noteText = note.Note;

        // The write transaction is taken first (SQLite: at once), so a correction is checked against the history with
        // no other change committed between its check and its own commit: two corrections to the same number cannot
        // both pass.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (corrections is not null)
        {
            var actions = kind.HumanActions(settings);
            if (!actions.CanEdit)
            {
                throw new ConflictException($"{automation.Name} names no fields a person may correct; approve or reject the item as it is.");
            }

            corrected = await EditAsync(db, kind, automation, settings, item, corrections, cancellationToken);
            var changed = string.Join(", ", corrections.Keys.Order(StringComparer.Ordinal));
            noteText = string.IsNullOrWhiteSpace(noteText) ? $"Corrected {changed}." : $"Corrected {changed}. {noteText}";
        }

        var now = Now;
        var target = decision == Decisions.Approve ? WorkItemStatus.AwaitingAction : WorkItemStatus.Done;
        await MoveAsync(db, item, WorkItemStatus.Escalated, target, decision, corrected, target == WorkItemStatus.Done ? now : null, cancellationToken);
        db.Add(Record(item, actor, corrected is null ? decision : Decisions.CorrectAndApprove, note with { Note = noteText }, now));
        if (await db.Set<Escalation>().FirstOrDefaultAsync(e => e.WorkItemId == item.Id && e.Status != EscalationStatus.Resolved, cancellationToken) is { } escalation)
        {
            escalation.Status = EscalationStatus.Resolved;
            escalation.ResolvedAt = now;
            escalation.AssigneeId ??= actor.Id;
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
    private static async Task MoveAsync(PortalDbContext db, WorkItem item, WorkItemStatus from, WorkItemStatus to, string? decision, PreparedItem? corrected, DateTime? completedAt, CancellationToken cancellationToken)
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

    private async Task<Actor> RequireHandlerAsync()
    {
        var actor = await currentActor.GetAsync();
        if (!actor.Has(Role.Agent) && !actor.Has(Role.Manager) && !actor.Has(Role.Admin))
        {
            throw new ForbiddenException("Only Agents, Managers and Admins may decide items.");
        }

        return actor;
    }

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

    private static DecisionRecord Record(WorkItem item, Actor actor, string decision, HandlingNote note, DateTime at) => new()
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
    };

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
