using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// The Quartz job of one automation. Records a run for every fire (scheduled, manual or recovery), including the
/// fires that were missed while the portal was down, then hands the run to the engine. Never throws to Quartz.
/// </summary>
[DisallowConcurrentExecution]
public sealed class AutomationJob(
    AutomationEngine engine,
    RunCompletions completions,
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<AutomationJob> logger) : IJob
{
    /// <summary>How many missed fires one gap records at most; a longer outage is summarised in the last one.</summary>
    public const int MaxMissedFiresRecorded = 500;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var automationId = Guid.Parse(context.MergedJobDataMap.GetString(AutomationScheduler.AutomationIdKey)!);
            var runId = await RecordRunAsync(context, automationId, cancellationToken);
            if (runId is { } id)
            {
                completions.Ended(id, await engine.ExecuteAsync(id, cancellationToken));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Automation job {Job} failed outside a run.", context.JobDetail.Key);
        }
    }

    private async Task<Guid?> RecordRunAsync(IJobExecutionContext context, Guid automationId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var automation = await db.Set<Automation>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == automationId, cancellationToken);
        if (automation is null)
        {
            logger.LogWarning("A fire for automation {Id}, which no longer exists, was ignored.", automationId);
            return null;
        }

        if (context.Recovering)
        {
            // The run that was cut off was marked Interrupted at start (ReconcileSchedulesTask).
            var recovery = new AutomationRun { AutomationId = automationId, Trigger = RunTrigger.Recovery, QueuedAt = now };
            db.Add(recovery);
            await db.SaveChangesAsync(cancellationToken);
            return recovery.Id;
        }

        if (context.MergedJobDataMap.GetString(AutomationScheduler.RunIdKey) is { } manual && Guid.TryParse(manual, out var manualRunId))
        {
            return manualRunId;
        }

        var scheduledFor = context.ScheduledFireTimeUtc?.UtcDateTime ?? now;
        var run = new AutomationRun
        {
            AutomationId = automationId,
            Trigger = RunTrigger.Schedule,
            ScheduledFor = scheduledFor,
            QueuedAt = now,
            // Late beyond the threshold, or fired off the schedule's grid: Quartz's "fire once now" after a misfire.
            Misfired = now - scheduledFor > TimeSpan.FromSeconds(options.Value.MisfireThresholdSeconds) || !OnSchedule(automation, scheduledFor),
        };
        db.Add(run);
        await RecordMissedFiresAsync(db, automation, scheduledFor, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return run.Id;
    }

    private static bool OnSchedule(Automation automation, DateTime scheduledFor) =>
        new CronExpression(automation.Schedule, TimeZoneInfo.FindSystemTimeZoneById(automation.TimeZone))
            .IsSatisfiedBy(new DateTimeOffset(DateTime.SpecifyKind(scheduledFor, DateTimeKind.Utc)));

    /// <summary>
    /// Fires between the last recorded scheduled run and this one never happened (the portal was down, or a run
    /// was still going): each gets a skipped run record, so uptime can be measured from the runs.
    /// </summary>
    private static async Task RecordMissedFiresAsync(PortalDbContext db, Automation automation, DateTime scheduledFor, DateTime now, CancellationToken cancellationToken)
    {
        var last = await db.Set<AutomationRun>().AsNoTracking()
            .Where(r => r.AutomationId == automation.Id && r.ScheduledFor != null)
            .OrderByDescending(r => r.ScheduledFor).Select(r => r.ScheduledFor).FirstOrDefaultAsync(cancellationToken);
        if (last is null)
        {
            return;
        }

        // Every grid time since the last recorded fire, up to now, was due. This run stands for one of them: its own
        // time when it is on the grid, otherwise (Quartz's "fire once now") the latest; the rest were missed.
        var from = automation.ResumedAt is { } resumed && resumed > last.Value ? resumed : last.Value;
        var due = CronSchedule.FireTimesBetween(automation.Schedule, automation.TimeZone, from, now.AddMilliseconds(1), MaxMissedFiresRecorded).ToList();
        var covered = due.Contains(scheduledFor) ? scheduledFor : due.Count > 0 ? due[^1] : (DateTime?)null;
        var missed = due.Where(t => t != covered).ToList();
        foreach (var time in missed)
        {
            db.Add(new AutomationRun
            {
                AutomationId = automation.Id,
                Trigger = RunTrigger.Schedule,
                ScheduledFor = time,
                QueuedAt = now,
                StartedAt = now,
                EndedAt = now,
                Status = RunStatus.Cancelled,
                Misfired = true,
                SkipReason = "Missed: the portal was not running, or the previous run was still going. The next fire ran instead.",
            });
        }
    }
}

public sealed class SchedulerOptions
{
    public const string Section = "Portal:Scheduler";

    /// <summary>A fire later than this counts as missed; Quartz then fires once now.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int MisfireThresholdSeconds { get; set; } = 60;

    /// <summary>How many runs of different automations may go at once.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 64)]
    public int MaxConcurrentRuns { get; set; } = 4;
}
