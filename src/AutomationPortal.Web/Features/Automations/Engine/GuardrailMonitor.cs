using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>What a guardrail check found: null when all is well.</summary>
public sealed record GuardrailBreach(string Code, string Message);

/// <summary>
/// After every run: checks the automation's limits (failure rate over its latest items, failed runs in a row)
/// and, when one is breached, auto-pauses the automation and raises an alert.
/// </summary>
public sealed class GuardrailMonitor(IServiceScopeFactory scopes, TimeProvider time, ILogger<GuardrailMonitor> logger)
{
    public static GuardrailBreach? Evaluate(Guardrails limits, IReadOnlyList<WorkItemStatus> latestItems, IReadOnlyList<RunStatus> latestRuns)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(latestItems);
        ArgumentNullException.ThrowIfNull(latestRuns);
        if (limits.FailureRateWindow > 0 && latestItems.Count >= limits.FailureRateWindow)
        {
            var window = latestItems.Take(limits.FailureRateWindow).ToList();
            var failed = window.Count(s => s is WorkItemStatus.Quarantined or WorkItemStatus.PostingFailed);
            var rate = (decimal)failed / window.Count;
            if (rate > limits.MaxFailureRate)
            {
                return new GuardrailBreach("auto-paused:failure-rate",
                    $"{failed} of the last {window.Count} items failed ({rate:P0}), above the limit of {limits.MaxFailureRate:P0}.");
            }
        }

        if (limits.MaxConsecutiveFailedRuns > 0 && latestRuns.Count >= limits.MaxConsecutiveFailedRuns
            && latestRuns.Take(limits.MaxConsecutiveFailedRuns).All(s => s == RunStatus.Failed))
        {
            return new GuardrailBreach("auto-paused:failed-runs", $"The last {limits.MaxConsecutiveFailedRuns} runs failed.");
        }

        return null;
    }

    /// <summary>
    /// Checks the limits with the run that is finishing counted as <paramref name="finishing"/>, before its final
    /// status is stored: whoever sees the run finished also sees the automation paused when it breached a limit.
    /// </summary>
    public async Task CheckAsync(Automation snapshot, Lane lane, Guid runId, RunStatus finishing, IReadOnlyList<WorkItemStatus>? latestItems, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!Automation.IsRunnable(snapshot.State))
        {
            return;
        }

        var limits = snapshot.Guardrails;
        var automationId = snapshot.Id;
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("guardrails");
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();

        // The run's own latest outcomes when it handled a whole window; otherwise the stored items.
        var window = Math.Max(limits.FailureRateWindow, 1);
        var items = latestItems is { } latest && latest.Count >= window ? latest : await db.Set<WorkItem>().AsNoTracking()
            .Where(w => w.AutomationId == automationId && w.Lane == lane)
            .OrderByDescending(w => w.ReceivedAt).Take(window).Select(w => w.Status).ToListAsync(cancellationToken);

        // Failed runs in a row can only reach the limit with this run failing.
        List<RunStatus> runs = [];
        if (finishing == RunStatus.Failed)
        {
            var earlier = await db.Set<AutomationRun>().AsNoTracking()
                .Where(r => r.AutomationId == automationId && r.Id != runId && r.SkipReason == null && (r.Status == RunStatus.Succeeded || r.Status == RunStatus.PartiallySucceeded || r.Status == RunStatus.Failed))
                .OrderByDescending(r => r.QueuedAt).Take(Math.Max(limits.MaxConsecutiveFailedRuns, 1)).Select(r => r.Status).ToListAsync(cancellationToken);
            runs = [finishing, .. earlier];
        }

        var breach = Evaluate(limits, items, runs);
        if (breach is null)
        {
            return;
        }

        var automation = await db.Set<Automation>().FirstOrDefaultAsync(a => a.Id == automationId, cancellationToken);
        if (automation is null || !Automation.IsRunnable(automation.State))
        {
            return;
        }

        automation.StateBeforePause = automation.State;
        automation.State = AutomationState.AutoPaused;
        db.Set<Alert>().Add(new Alert { AutomationId = automationId, Code = breach.Code, Message = $"{automation.Name} paused itself: {breach.Message}", RaisedAt = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<AutomationScheduler>().ApplyStateAsync(automation, cancellationToken);
        logger.LogWarning("Automation {Name} auto-paused: {Message}", automation.Name, breach.Message);
    }
}
