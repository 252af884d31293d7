using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>What waited while an automation was off (paused or a draft), run as soon as it is switched on.</summary>
public sealed class HeldInput(
    PortalDbContext db,
    AutomationKindCatalog kinds,
    AutomationScheduler scheduler,
    PortalDatabase database,
    TimeProvider time,
    ILogger<HeldInput> logger)
{
    /// <summary>
    /// After a resume: a run now for what waited during the pause (files handed in, runs held or stopped by it), so
    /// held work does not wait for the next scheduled fire.
    /// </summary>
    public async Task RunAsync(Automation automation, DateTime? pausedAt, string actorName, CancellationToken cancellationToken)
    {
        var kind = kinds.Find(automation.Kind);
        if (kind is not null)
        {
            try
            {
                kind.Resumed(KindSettings.Read(kind, automation.Settings));
            }
            catch (System.Text.Json.JsonException e)
            {
                logger.LogWarning("Could not tell {Name}'s kind of its resume: {Message}", automation.Name, e.Message);
            }
        }

        // Runs stopped or held by this pause (ended since it), a run still going (it may be stopping: the new one waits
        // behind it), files handed in meanwhile, or items people decided meanwhile that wait for their action or undo.
        var since = pausedAt ?? DateTime.MinValue;
        var held = await db.Set<AutomationRun>().AnyAsync(r => r.AutomationId == automation.Id
                && ((r.Status == RunStatus.Stopped && r.EndedAt >= since) || r.Status == RunStatus.Running || r.Status == RunStatus.Queued), cancellationToken)
            || await WaitingForActions(db).AnyAsync(id => id == automation.Id, cancellationToken)
            || (kind is not null && HasHeldInput(kind, automation));
        if (!held)
        {
            return;
        }

        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Resume, QueuedAt = Now, RequestedBy = actorName };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(automation.Id, run.Id, cancellationToken);
    }

    /// <summary>
    /// The automations with live items waiting for their action or its undo (a person's decision, or a run cut off before
    /// it acted), which only a run of the automation does.
    /// </summary>
    public static IQueryable<Guid> WaitingForActions(PortalDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Set<WorkItem>()
            .Where(w => w.Lane == Lane.Live && (w.Status == WorkItemStatus.AwaitingAction || w.Status == WorkItemStatus.AwaitingCompensation)
                && w.ActionAttempts < Engine.AutomationEngine.MaxRetriesAcrossRuns)
            .Select(w => w.AutomationId)
            .Distinct();
    }

    private bool HasHeldInput(IAutomationKind kind, Automation automation)
    {
        try
        {
            return kind.HasHeldInput(KindSettings.Read(kind, automation.Settings), database.DataFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Could not look for held input of {Name}: {Message}", automation.Name, e.Message);
            return false;
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
