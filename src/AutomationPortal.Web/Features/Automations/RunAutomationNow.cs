using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>Run now (Admins only): a manual run, queued behind a going one.</summary>
public sealed class RunAutomationNow(PortalDbContext db, CurrentActor currentActor, AutomationChanges changes, AutomationScheduler scheduler, TimeProvider time)
{
    /// <summary>
    /// Queues a run now. When a run is going, this one waits for it (runs never overlap). A paused automation
    /// decides nothing: the request is refused with the reason, and Resume is the way on.
    /// </summary>
    public async Task<Guid> RunNowAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("start runs");
        var automation = await changes.LoadAsync(id, null, cancellationToken);
        if (automation.IsPaused)
        {
            throw new ConflictException($"{automation.Name} is {AutomationStateWords.Of(automation.State)}: it was {automation.PauseDescription}. A paused automation decides nothing; resume it to run it.");
        }

        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Manual, QueuedAt = Now, RequestedBy = actor.Name };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(automation.Id, run.Id, cancellationToken);
        return run.Id;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
