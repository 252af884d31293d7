using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Handling;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Escalations;

/// <summary>
/// What people do in the escalation queue: claim, release, assign, defer, add notes, and resolve (approve, reject,
/// correct and approve), and override a decision already made. Holding is kept on the server: a claim needs no body,
/// the escalation's version decides between people claiming at once (exactly one wins, the others are told who has
/// it), and only the holder resolves. Each action is audited and leaves an entry in the item's timeline.
/// </summary>
public sealed class EscalationActions(
    PortalDbContext db,
    CurrentActor currentActor,
    ItemHandling handling,
    EscalationQueries queue,
    TimeProvider time,
    IOptions<EscalationOptions> options)
{
    public const int MaxNotesPerItem = 500;

    public const int MaxDeferDays = 366;

    public async Task<EscalationView> ClaimAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await RequireHandlerAsync();
        // One query loads the escalation and what its answer shows; the answer is the row as saved, not read again.
        var (escalation, view) = await queue.ToChangeAsync(id, cancellationToken) ?? throw NoSuch(id);
        RequireOpen(escalation);
        if (escalation.AssigneeId == actor.Id && escalation.Status is EscalationStatus.Claimed)
        {
            return view();
        }

        if (escalation.AssigneeId is not null && escalation.AssigneeId != actor.Id)
        {
            throw Held(escalation);
        }

        escalation.Status = EscalationStatus.Claimed;
        escalation.AssigneeId = actor.Id;
        escalation.AssigneeName = actor.Name;
        escalation.ClaimedAt = Now;
        escalation.DeferredUntil = null;
        db.Add(Event(escalation, actor, ItemEventType.Claimed));
        await SaveAsync(escalation, cancellationToken);
        return view();
    }

    /// <summary>Gives an item back to the queue: its holder, or a Manager or Admin for anyone's.</summary>
    public async Task<EscalationView> ReleaseAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await RequireHandlerAsync();
        var escalation = await LoadAsync(id, cancellationToken);
        RequireOpen(escalation);
        if (escalation.AssigneeId is null)
        {
            return await ViewAsync(id, cancellationToken);
        }

        if (escalation.AssigneeId != actor.Id && !IsLead(actor))
        {
            throw Held(escalation);
        }

        var from = escalation.AssigneeName;
        escalation.Status = EscalationStatus.Open;
        escalation.AssigneeId = null;
        escalation.AssigneeName = null;
        escalation.ClaimedAt = null;
        escalation.DeferredUntil = null;
        db.Add(Event(escalation, actor, ItemEventType.Released, text: from is not null && from != actor.Name ? $"Taken from {from}." : null));
        await SaveAsync(escalation, cancellationToken);
        return await ViewAsync(id, cancellationToken);
    }

    /// <summary>Assigns or reassigns an item to a person who may decide items: Managers and Admins only.</summary>
    public async Task<EscalationView> AssignAsync(Guid id, Guid? userId, CancellationToken cancellationToken = default)
    {
        var actor = await RequireHandlerAsync();
        if (!IsLead(actor))
        {
            throw new ForbiddenException("Only Managers and Admins assign items; an Agent claims or releases them.");
        }

        if (userId is not { } target)
        {
            throw new PortalValidationException(new Dictionary<string, string[]> { ["userId"] = ["Name the person to assign the item to."] });
        }

        // The same rule as the people the assign dialog offers.
        var person = (await queue.AssignableAsync(target, cancellationToken)).SingleOrDefault()
            ?? throw new PortalValidationException(new Dictionary<string, string[]> { ["userId"] = ["Assign to an active Agent, Manager or Admin."] });

        var escalation = await LoadAsync(id, cancellationToken);
        RequireOpen(escalation);
        if (escalation.AssigneeId == target)
        {
            return await ViewAsync(id, cancellationToken);
        }

        escalation.AssigneeId = target;
        escalation.AssigneeName = person.Email.Length > 0 ? person.Email : person.DisplayName;
        escalation.ClaimedAt = Now;
        if (escalation.Status != EscalationStatus.Deferred)
        {
            escalation.Status = EscalationStatus.Claimed;
        }

        db.Add(Event(escalation, actor, ItemEventType.Assigned, assigneeId: target, assigneeName: escalation.AssigneeName));
        await SaveAsync(escalation, cancellationToken);
        return await ViewAsync(id, cancellationToken);
    }

    /// <summary>Puts an item aside until a time, with a note; it comes back to the queue then (to its holder).</summary>
    public async Task<EscalationView> DeferAsync(Guid id, DateTimeOffset? until, string? note, CancellationToken cancellationToken = default)
    {
        var actor = await RequireHandlerAsync();
        var errors = new Dictionary<string, string[]>();
        var now = Now;
        if (until is not { } when)
        {
            errors["until"] = ["Give the date and time the item should come back."];
        }
        else if (when.UtcDateTime <= now.AddMinutes(1) || when.UtcDateTime > now.AddDays(MaxDeferDays))
        {
            errors["until"] = [$"Give a time in the future, at most {MaxDeferDays} days ahead."];
        }

        if (string.IsNullOrWhiteSpace(note))
        {
            errors["note"] = ["Say why the item waits, so whoever picks it up knows."];
        }
        else if (note.Length > HandlingNote.MaxNoteLength)
        {
            errors["note"] = [$"Keep the note to {HandlingNote.MaxNoteLength:N0} characters."];
        }

        if (errors.Count > 0)
        {
            throw new PortalValidationException(errors);
        }

        var escalation = await LoadAsync(id, cancellationToken);
        RequireOpen(escalation);
        RequireHolder(escalation, actor, "defer");
        escalation.Status = EscalationStatus.Deferred;
        escalation.DeferredUntil = until!.Value.UtcDateTime;
        db.Add(Event(escalation, actor, ItemEventType.Deferred, text: note!.Trim(), until: escalation.DeferredUntil));
        await SaveAsync(escalation, cancellationToken);
        return await ViewAsync(id, cancellationToken);
    }

    /// <summary>Adds a note to the item's thread: anyone who sees the queue may.</summary>
    public async Task<TimelineEntry> AddNoteAsync(Guid id, string? text, CancellationToken cancellationToken = default)
    {
        var actor = await RequireHandlerAsync();
        if (string.IsNullOrWhiteSpace(text) || text.Length > HandlingNote.MaxNoteLength)
        {
            throw new PortalValidationException(new Dictionary<string, string[]> { ["text"] = [$"Write the note: 1 to {HandlingNote.MaxNoteLength:N0} characters."] });
        }

        var escalation = await LoadAsync(id, cancellationToken);
        if (await db.Set<ItemEvent>().CountAsync(e => e.WorkItemId == escalation.WorkItemId && e.Type == ItemEventType.Note, cancellationToken) >= MaxNotesPerItem)
        {
            throw new ConflictException($"This item has {MaxNotesPerItem} notes already, the most one item keeps.");
        }

        var note = Event(escalation, actor, ItemEventType.Note, text: text.Trim());
        db.Add(note);
        await db.SaveChangesAsync(cancellationToken);
        return new TimelineEntry(note.At, "note", note.ActorName, note.Text!);
    }

    /// <summary>
    /// Resolves the item its holder holds: approve (acted on as an automated approval, once), reject (with a reason from
    /// the kind's list), or correct and approve. The minutes are those measured since the claim unless the person
    /// gives their own, at most the setting.
    /// </summary>
    public async Task<ResolveResult> ResolveAsync(Guid id, ResolveRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = await RequireHandlerAsync();
        var escalation = await LoadAsync(id, cancellationToken);
        RequireOpen(escalation);
        RequireHolder(escalation, actor, "resolve");
        var minutes = Minutes(request.Minutes, escalation.ClaimedAt);
        var note = new HandlingNote(request.Note, minutes, request.Reason);
        var handled = request.Decision?.Trim().ToLowerInvariant() switch
        {
            "approve" => await handling.ApproveAsync(escalation.WorkItemId, note, cancellationToken),
            "reject" => await handling.RejectAsync(escalation.WorkItemId, note, cancellationToken),
            "editandapprove" or "edit-and-approve" or "correct-and-approve" => await handling.EditAndApproveAsync(escalation.WorkItemId, request.Corrections ?? new Dictionary<string, string?>(), note, cancellationToken),
            _ => throw new PortalValidationException(new Dictionary<string, string[]> { ["decision"] = ["Resolve with Approve, Reject or EditAndApprove."] }),
        };
        return new ResolveResult(await queue.FindAsync(id, cancellationToken), handled);
    }

    /// <summary>Overrides the decision on a work item (see <see cref="ItemHandling.OverrideAsync"/>), with the minutes it took.</summary>
    public async Task<ResolveResult> OverrideAsync(Guid workItemId, OverrideRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await RequireHandlerAsync();
        var minutes = Minutes(request.Minutes, null);
        var handled = await handling.OverrideAsync(workItemId, request.Decision ?? "", new HandlingNote(request.Note, minutes, request.Reason), cancellationToken);
        var escalation = await queue.OfWorkItemAsync(workItemId, cancellationToken);
        return new ResolveResult(escalation is { } e ? await queue.FindAsync(e, cancellationToken) : null, handled);
    }

    private decimal Minutes(decimal? given, DateTime? claimedAt)
    {
        var max = options.Value.MaxMinutes;
        if (given is { } minutes)
        {
            if (minutes < 0 || minutes > max)
            {
                throw new PortalValidationException(new Dictionary<string, string[]> { ["minutes"] = [$"Give the minutes it took, from 0 to {max} (the most one item counts; Portal:Escalations:MaxMinutes)."] });
            }

            return decimal.Round(minutes, 1);
        }

        return queue.MeasuredMinutes(claimedAt);
    }

    private async Task SaveAsync(Escalation escalation, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone else changed it between our read and our write (their claim won): say who holds it now.
            var now = await db.Set<Escalation>().AsNoTracking().FirstAsync(e => e.Id == escalation.Id, cancellationToken);
            throw now.Status == EscalationStatus.Resolved
                ? new ConflictException("This item was resolved meanwhile.")
                : now.AssigneeName is { } holder
                    ? new ConflictException($"{holder} has this item now.") { Holder = holder }
                    : new ConflictException("This item was changed meanwhile: reload it and try again.");
        }
    }

    private async Task<Escalation> LoadAsync(Guid id, CancellationToken cancellationToken) =>
        await db.Set<Escalation>().FirstOrDefaultAsync(e => e.Id == id, cancellationToken) ?? throw NoSuch(id);

    private static NotFoundException NoSuch(Guid id) => new($"No escalation has the id {id}: check the link or the id you used.");

    private async Task<EscalationView> ViewAsync(Guid id, CancellationToken cancellationToken) =>
        await queue.FindAsync(id, cancellationToken) ?? throw new NotFoundException($"No escalation has the id {id}.");

    private static void RequireOpen(Escalation escalation)
    {
        if (escalation.Status == EscalationStatus.Resolved)
        {
            throw new ConflictException("This item is resolved already: override its decision from the item instead.");
        }
    }

    private static void RequireHolder(Escalation escalation, Actor actor, string what)
    {
        if (escalation.AssigneeId is null)
        {
            throw new ConflictException($"Claim this item first: only the person holding it may {what} it.");
        }

        if (escalation.AssigneeId != actor.Id)
        {
            throw Held(escalation);
        }
    }

    private static ConflictException Held(Escalation escalation) =>
        new($"{escalation.AssigneeName ?? "Someone else"} has this item{(escalation.Status == EscalationStatus.Deferred ? $", deferred until {escalation.DeferredUntil:yyyy-MM-dd HH:mm} UTC" : "")}.")
        {
            Holder = escalation.AssigneeName,
        };

    private ItemEvent Event(Escalation escalation, Actor actor, ItemEventType type, string? text = null, DateTime? until = null, Guid? assigneeId = null, string? assigneeName = null) => new()
    {
        WorkItemId = escalation.WorkItemId,
        EscalationId = escalation.Id,
        At = Now,
        Type = type,
        ActorId = actor.Id,
        ActorName = actor.Name,
        Text = text,
        Until = until,
        AssigneeId = assigneeId,
        AssigneeName = assigneeName,
    };

    private static bool IsLead(Actor actor) => actor.Has(Role.Manager) || actor.Has(Role.Admin);

    private async Task<Actor> RequireHandlerAsync()
    {
        var actor = (await currentActor.GetAsync()).RequireItemHandler("Only Agents, Managers and Admins handle escalations.");

        if (actor.Id is null)
        {
            throw new ForbiddenException("Escalations are held by people: sign in, or use an API key of your own.");
        }

        return actor;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
