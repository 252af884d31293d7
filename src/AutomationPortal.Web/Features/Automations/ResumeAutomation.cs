using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Security;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>Resume (Admins only): the rule of which state comes back is the automation's own, Automation.Resume.</summary>
public sealed class ResumeAutomation(CurrentActor currentActor, AutomationChanges changes, AutomationScheduler scheduler, HeldInput held, GetAutomation get, TimeProvider time)
{
    /// <summary>
    /// Switches the automation back on in the state it had before the pause. The resume is the acknowledgement:
    /// open alerts are acknowledged and the guardrails count only what happens from now on. Input held while it was
    /// paused is processed at once.
    /// </summary>
    public async Task<AutomationDetail> ResumeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("resume automations");
        await changes.LoadAsync(id, null, cancellationToken);
        DateTime? pausedAt = null;
        if (await changes.ChangeAsync(id, a =>
            {
                pausedAt = a.PausedAt;
                return a.Resume(Now);
            }, cancellationToken, acknowledgeAlertsBy: actor.Name) is { } automation)
        {
            await scheduler.ApplyStateAsync(automation, cancellationToken);
            await held.RunAsync(automation, pausedAt, actor.Name, cancellationToken);
        }

        return await get.GetAsync(id, cancellationToken);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
