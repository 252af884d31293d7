using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>Pause all, the emergency stop (Admins only), recorded so Resume all undoes exactly it.</summary>
public sealed class PauseAllAutomations(
    PortalDbContext db,
    CurrentActor currentActor,
    AutomationChanges changes,
    EmergencyStops emergencyStops,
    AutomationScheduler scheduler,
    RunStops stops,
    TimeProvider time)
{
    /// <summary>
    /// Emergency stop: pauses every automation that runs, recorded as one stop that Resume all undoes. Each automation is
    /// paused on its own and tried again when someone changed it at the same moment, so one edit cannot keep the rest
    /// running; pressing it again pauses whatever a stop in the middle left running.
    /// </summary>
    public async Task<EmergencyStopResult> PauseAllAsync(CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("pause all automations");
        var stop = new EmergencyStop { PausedBy = actor.Name };
        db.Add(stop);
        await db.SaveChangesAsync(cancellationToken);
        var candidates = (await db.Set<Automation>().AsNoTracking().Select(a => new { a.Id, a.State }).ToListAsync(cancellationToken))
            .Where(a => Automation.IsRunnable(a.State)).Select(a => a.Id).ToList();
        var paused = new List<Automation>();
        foreach (var id in candidates)
        {
            if (await changes.ChangeAsync(id, a => Automation.IsRunnable(a.State) && a.Pause(actor.Name, Now, stop.Id), cancellationToken) is { } automation)
            {
                paused.Add(automation);
                await scheduler.ApplyStateAsync(automation, cancellationToken);
                stops.RequestStop(automation.Id, automation.PauseDescription ?? $"paused by {actor.Name} with Pause all");
            }
        }

        await emergencyStops.ChangeAsync(stop.Id, s => s.AutomationsPaused = paused.Count, cancellationToken);
        return new EmergencyStopResult(paused.Count, paused.Select(a => new AutomationRef(a.Id, a.Name)).ToList(), await emergencyStops.LeftPausedAsync(paused.Select(a => a.Id).ToHashSet(), cancellationToken));
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
