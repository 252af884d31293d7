using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>The automations list: each automation with its schedule, last run, success figure and open alerts.</summary>
public sealed class ListAutomations(PortalDbContext db, AutomationScheduler scheduler, TimeProvider time)
{
    public async Task<IReadOnlyList<AutomationSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var automations = await db.Set<Automation>().AsNoTracking().OrderBy(a => a.Name).ToListAsync(cancellationToken);
        var since = Now.AddDays(-7);
        var runs = await db.Set<AutomationRun>().AsNoTracking()
            .Where(r => r.QueuedAt >= since && r.SkipReason == null
                && (r.Status == RunStatus.Succeeded || r.Status == RunStatus.PartiallySucceeded || r.Status == RunStatus.Failed || r.Status == RunStatus.Stopped))
            .Select(r => new { r.AutomationId, r.Status, Work = r.ItemsDone + r.ItemsEscalated + r.ItemsFailed + r.ItemsQuarantined, Faults = r.ItemsFailed })
            .ToListAsync(cancellationToken);
        var alerts = await db.Set<Alert>().AsNoTracking().Where(a => a.AcknowledgedAt == null).GroupBy(a => a.AutomationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        // Each automation's latest run that was not skipped, in one query.
        var latest = (await db.Set<AutomationRun>().AsNoTracking()
                .Where(r => r.SkipReason == null && r.QueuedAt == db.Set<AutomationRun>()
                    .Where(x => x.AutomationId == r.AutomationId && x.SkipReason == null).Max(x => x.QueuedAt))
                .ToListAsync(cancellationToken))
            .GroupBy(r => r.AutomationId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Id).First());
        var summaries = new List<AutomationSummary>(automations.Count);
        foreach (var a in automations)
        {
            var last = latest.GetValueOrDefault(a.Id);
            var rate = SuccessRate(runs.Where(r => r.AutomationId == a.Id).Select(r => (r.Status, r.Work, r.Faults)));
            summaries.Add(new AutomationSummary(a.Id, a.Kind, a.Name, a.State, a.Schedule, CronSchedule.Describe(a.Schedule), a.TimeZone,
                await scheduler.NextFireAsync(a.Id, cancellationToken), last is null ? null : Summarise(last), rate, alerts.GetValueOrDefault(a.Id), a.IsDemo, a.Version));
        }

        return summaries;
    }

    /// <summary>
    /// The success figure: of the finished (or stopped) runs that had work (read something new, retried an action, or
    /// failed outright), the share that finished without a fault. Empty runs are left out; quarantined bad input is the
    /// automation doing its job and no fault. Null when no run had work.
    /// </summary>
    public static double? SuccessRate(IEnumerable<(RunStatus Status, int Work, int Faults)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var counted = runs.Where(r => r.Work > 0 || r.Status == RunStatus.Failed).ToList();

        // A run stopped by a pause did what it did: without a failed action it counts as a success.
        return counted.Count == 0 ? null
            : (double)counted.Count(r => r.Status == RunStatus.Succeeded || (r.Status == RunStatus.Stopped && r.Faults == 0)) / counted.Count;
    }

    /// <summary>What the success figure counts, for its tooltip.</summary>
    public const string SuccessRateExplained =
        "Of the last 7 days' runs that had work, the share that finished without a fault (a failed action or error). Empty runs are left out, and quarantined bad input is not a fault.";

    public static RunSummary Summarise(AutomationRun r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new RunSummary(r.Id, r.Trigger, r.Mode, r.Status, r.QueuedAt, r.StartedAt, r.EndedAt, r.ItemsRead, r.ItemsDone, r.ItemsEscalated, r.ItemsFailed, r.ItemsSkipped, r.Misfired, r.SkipReason, r.ItemsQuarantined, r.StopReason, r.ItemsRetried);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
