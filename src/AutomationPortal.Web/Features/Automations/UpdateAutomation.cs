using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>
/// Changes an automation (Admins only) on the version the caller read: name, schedule, state, guardrails, costs,
/// settings. Pausing stops a going run after its item; switching it on runs what was held meanwhile.
/// </summary>
public sealed class UpdateAutomation(
    PortalDbContext db,
    AutomationKindCatalog kinds,
    AutomationScheduler scheduler,
    CurrentActor currentActor,
    RunStops stops,
    AutomationRequestRules rules,
    AutomationChanges changes,
    AutomationFolders folders,
    HeldInput held,
    GetAutomation get)
{
    public async Task<AutomationDetail> UpdateAsync(Guid id, AutomationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("change automations");
        if (request.Version is null)
        {
            throw AutomationValidationException.For("version", "Give the version you read (from GET /api/automations/{id}), so a change made meanwhile by someone else is not overwritten.");
        }

        var automation = await changes.LoadAsync(id, request.Version, cancellationToken);
        var wasPaused = automation.IsPaused;
        var wasDraft = automation.State == AutomationState.Draft;
        var pausedAt = automation.PausedAt;
        var errors = new Dictionary<string, string[]>();
        if (request.Kind is not null && request.Kind != automation.Kind)
        {
            errors["kind"] = ["The kind of an automation cannot change; create a new automation instead."];
        }

        var pausing = rules.Apply(automation, kinds.Find(automation.Kind), request, errors, creating: false, actor.Name);
        await rules.EnsureUniqueNameAsync(automation, errors, cancellationToken);
        AutomationRequestRules.ThrowIfAny(errors);
        if (wasPaused && !automation.IsPaused)
        {
            await changes.AcknowledgeAlertsAsync(automation.Id, actor.Name, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        folders.Create(kinds.Find(automation.Kind), automation);
        await scheduler.ScheduleAsync(automation, cancellationToken);
        if (pausing)
        {
            stops.RequestStop(automation.Id, automation.PauseDescription ?? $"paused by {actor.Name}");
        }
        else if ((wasPaused || wasDraft) && Automation.IsRunnable(automation.State))
        {
            // Switched on: what was handed in while it was off (held uploads) is processed now.
            await held.RunAsync(automation, pausedAt, actor.Name, cancellationToken);
        }

        return await get.GetAsync(automation.Id, cancellationToken);
    }
}
