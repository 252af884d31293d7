using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>What a guardrail check found: null when all is well.</summary>
public sealed record GuardrailBreach(string Code, string Message);

/// <summary>
/// During and after every run: checks the automation's limits (faults over its latest items, quarantined input
/// over its latest items, failed runs in a row), counting only what happened since the latest resume, and, when one
/// is breached, auto-pauses the automation and raises an alert.
/// </summary>
public sealed class GuardrailMonitor(IServiceScopeFactory scopes, RunStops stops, TimeProvider time, ILogger<GuardrailMonitor> logger)
{
    /// <summary>How many latest outcomes the limits look at: the larger of the two item windows.</summary>
    public static int WindowOf(Guardrails limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return Math.Max(Math.Max(limits.FailureRateWindow, limits.QuarantineRateWindow), 1);
    }

    /// <summary>
    /// The pure rule. <paramref name="latestItems"/> are the latest item outcomes since the latest resume, newest first;
    /// <paramref name="latestRuns"/> the latest finished runs since then, newest first. Quarantined input is not a
    /// fault: only failed actions count towards the failure rate; the quarantine rate has its own limit.
    /// </summary>
    public static GuardrailBreach? Evaluate(Guardrails limits, IReadOnlyList<WorkItemStatus> latestItems, IReadOnlyList<RunStatus> latestRuns)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(latestItems);
        ArgumentNullException.ThrowIfNull(latestRuns);
        if (ItemBreach(limits, Share(latestItems, limits.FailureRateWindow, s => s is WorkItemStatus.ActionFailed),
                Share(latestItems, limits.QuarantineRateWindow, s => s is WorkItemStatus.Quarantined)) is { } breach)
        {
            return breach;
        }

        if (limits.MaxConsecutiveFailedRuns > 0 && latestRuns.Count >= limits.MaxConsecutiveFailedRuns
            && latestRuns.Take(limits.MaxConsecutiveFailedRuns).All(s => s == RunStatus.Failed))
        {
            return new GuardrailBreach("auto-paused:failed-runs", $"the last {limits.MaxConsecutiveFailedRuns} runs failed.");
        }

        return null;
    }

    /// <summary>How many of the latest <paramref name="window"/> outcomes match, of how many; null while the window is not full.</summary>
    private static (int Matching, int Count)? Share(IReadOnlyList<WorkItemStatus> latest, int window, Func<WorkItemStatus, bool> matches) =>
        window <= 0 || latest.Count < window ? null : (latest.Take(window).Count(matches), window);

    /// <summary>
    /// The item limits on counts over full windows: failed actions over the failure-rate window, quarantined items
    /// over the quarantine-rate window. The one place their texts are written.
    /// </summary>
    public static GuardrailBreach? ItemBreach(Guardrails limits, (int Matching, int Count)? failed, (int Matching, int Count)? quarantined)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (failed is { Count: > 0 } f && (decimal)f.Matching / f.Count is var rate && rate > limits.MaxFailureRate)
        {
            return new GuardrailBreach("auto-paused:failure-rate",
                $"the actions of {f.Matching} of the last {f.Count} items failed ({rate:P0}), above the limit of {limits.MaxFailureRate:P0}.");
        }

        if (quarantined is { Count: > 0 } q && (decimal)q.Matching / q.Count is var share && share > limits.MaxQuarantineRate)
        {
            return new GuardrailBreach("auto-paused:quarantine-rate",
                $"{q.Matching} of the last {q.Count} items could not be read and were quarantined ({share:P0}), above the limit of {limits.MaxQuarantineRate:P0}. Check what sends them.");
        }

        return null;
    }

    /// <summary>
    /// Pauses the automation for a breach a going run found (its own outcomes crossed an item limit); the run stops after
    /// the item that breached it. False when the automation was not running any more.
    /// </summary>
    public Task<bool> PauseForAsync(Guid automationId, GuardrailBreach breach, CancellationToken cancellationToken) =>
        AutoPauseAsync(automationId, breach, cancellationToken);

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
        var since = snapshot.GuardrailsSince;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();

        // The run's window (the stored outcomes since the resume, then the run's own); the store's when there is none.
        var items = latestItems ?? await db.Set<WorkItem>().AsNoTracking()
            .Where(w => w.AutomationId == automationId && w.Lane == lane && (since == null || w.LastOutcomeAt >= since))
            .OrderByDescending(w => w.LastOutcomeAt).Take(WindowOf(limits)).Select(w => w.Status).ToListAsync(cancellationToken);

        // Failed runs in a row can only reach the limit with this run failing.
        List<RunStatus> runs = [];
        if (finishing == RunStatus.Failed)
        {
            var earlier = await db.Set<AutomationRun>().AsNoTracking()
                .Where(r => r.AutomationId == automationId && r.Id != runId && r.SkipReason == null && (since == null || r.StartedAt >= since)
                    && (r.Status == RunStatus.Succeeded || r.Status == RunStatus.PartiallySucceeded || r.Status == RunStatus.Failed))
                .OrderByDescending(r => r.QueuedAt).Take(Math.Max(limits.MaxConsecutiveFailedRuns, 1)).Select(r => r.Status).ToListAsync(cancellationToken);
            runs = [finishing, .. earlier];
        }

        if (Evaluate(limits, items, runs) is { } breach)
        {
            await AutoPauseAsync(automationId, breach, cancellationToken);
        }
    }

    private async Task<bool> AutoPauseAsync(Guid automationId, GuardrailBreach breach, CancellationToken cancellationToken)
    {
        // A person may change the automation at the same moment: try again on the fresh row, so the pause is never lost.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAutoPauseAsync(automationId, breach, cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                logger.LogInformation("Automation {Id} changed while it was being auto-paused; trying again.", automationId);
            }
        }
    }

    private async Task<bool> TryAutoPauseAsync(Guid automationId, GuardrailBreach breach, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("guardrails");
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var automation = await db.Set<Automation>().FirstOrDefaultAsync(a => a.Id == automationId, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (automation is null || !Automation.IsRunnable(automation.State) || !automation.Pause("guardrails", now, automatic: true))
        {
            return false;
        }

        db.Set<Alert>().Add(new Alert { AutomationId = automationId, Code = breach.Code, Message = $"{automation.Name} paused itself: {breach.Message}", RaisedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<AutomationScheduler>().ApplyStateAsync(automation, cancellationToken);
        stops.RequestStop(automationId, $"paused itself: {breach.Message}");
        logger.LogWarning("Automation {Name} auto-paused: {Message}", automation.Name, breach.Message);
        return true;
    }
}
