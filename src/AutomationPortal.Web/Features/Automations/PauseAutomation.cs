using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Security;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>Pause (Admins only): the rule of what a pause keeps and stops is the automation's own, Automation.Pause.</summary>
public sealed class PauseAutomation(CurrentActor currentActor, AutomationChanges changes, AutomationScheduler scheduler, RunStops stops, GetAutomation get, TimeProvider time)
{
    /// <summary>
    /// Switches the automation off: the schedule stops, nothing is deleted, the state becomes Paused, and a going
    /// run stops after the item it is on.
    /// </summary>
    public async Task<AutomationDetail> PauseAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("pause automations");
        await changes.LoadAsync(id, null, cancellationToken);

        // A pause is an intent, not an edit of what someone read: a change at the same moment is no reason to refuse it.
        if (await changes.ChangeAsync(id, a => a.Pause(actor.Name, Now), cancellationToken) is { } automation)
        {
            await scheduler.ApplyStateAsync(automation, cancellationToken);
            stops.RequestStop(automation.Id, automation.PauseDescription ?? $"paused by {actor.Name}");
        }

        return await get.GetAsync(id, cancellationToken);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
