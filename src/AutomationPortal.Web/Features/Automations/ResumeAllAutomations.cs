using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>Resume all (Admins only): undoes the emergency stops, and only them.</summary>
public sealed class ResumeAllAutomations(
    PortalDbContext db,
    CurrentActor currentActor,
    AutomationChanges changes,
    EmergencyStops emergencyStops,
    AutomationScheduler scheduler,
    HeldInput held,
    TimeProvider time)
{
    /// <summary>
    /// Undoes the emergency stops: resumes exactly the automations Pause all paused and that are still paused by it.
    /// Those paused on their own, before or after, and those that paused themselves stay paused, each with its reason.
    /// </summary>
    public async Task<EmergencyStopResult> ResumeAllAsync(CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("resume all automations");
        var stopIds = await db.Set<EmergencyStop>().AsNoTracking().Where(s => s.ResumedAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        var candidates = await db.Set<Automation>().AsNoTracking()
            .Where(a => a.State == AutomationState.Paused && a.EmergencyStopId != null && stopIds.Contains(a.EmergencyStopId.Value))
            .Select(a => a.Id).ToListAsync(cancellationToken);
        var resumed = new List<Automation>();
        foreach (var id in candidates)
        {
            DateTime? pausedAt = null;
            var automation = await changes.ChangeAsync(id, a =>
            {
                pausedAt = a.PausedAt;
                return a.State == AutomationState.Paused && a.EmergencyStopId is { } by && stopIds.Contains(by) && a.Resume(Now);
            }, cancellationToken, acknowledgeAlertsBy: actor.Name);
            if (automation is not null)
            {
                resumed.Add(automation);
                await scheduler.ApplyStateAsync(automation, cancellationToken);
                await held.RunAsync(automation, pausedAt, actor.Name, cancellationToken);
            }
        }

        foreach (var stopId in stopIds)
        {
            await emergencyStops.ChangeAsync(stopId, s =>
            {
                s.ResumedAt ??= Now;
                s.ResumedBy ??= actor.Name;
            }, cancellationToken);
        }

        return new EmergencyStopResult(resumed.Count, resumed.Select(a => new AutomationRef(a.Id, a.Name)).ToList(), await emergencyStops.LeftPausedAsync(resumed.Select(a => a.Id).ToHashSet(), cancellationToken));
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
