using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;
using Quartz;

namespace AutomationPortal.Web.Features.Automations.Scheduling;

/// <summary>
/// Keeps Quartz in step with the automations: one durable job per automation (keyed by its id) that requests
/// recovery, one cron trigger that fires once now after a misfire, paused whenever the automation does not run.
/// </summary>
public sealed class AutomationScheduler(ISchedulerFactory schedulerFactory)
{
    public const string JobGroup = "automations";
    public const string ScheduleGroup = "automation-schedules";
    public const string AutomationIdKey = "automationId";
    public const string RunIdKey = "runId";

    public static JobKey JobKeyFor(Guid automationId) => new(automationId.ToString(), JobGroup);

    public static TriggerKey TriggerKeyFor(Guid automationId) => new(automationId.ToString(), ScheduleGroup);

    /// <summary>Creates or replaces the automation's job and schedule, paused unless the automation runs.</summary>
    public async Task ScheduleAsync(Automation automation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(automation);
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<AutomationJob>()
            .WithIdentity(JobKeyFor(automation.Id))
            .WithDescription(automation.Name)
            .UsingJobData(AutomationIdKey, automation.Id.ToString())
            .StoreDurably()
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TriggerKeyFor(automation.Id))
            .ForJob(job)
            .WithCronSchedule(automation.Schedule, cron => cron
                .InTimeZone(TimeZoneInfo.FindSystemTimeZoneById(automation.TimeZone))
                .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], ScheduleJobOptions.Replacing, cancellationToken);
        if (!Automation.IsRunnable(automation.State))
        {
            await scheduler.PauseTrigger(trigger.Key, cancellationToken);
        }
    }

    /// <summary>
    /// At start: leaves a stored schedule that already matches alone, so Quartz can replay what it missed while the
    /// portal was down (fire once now); creates or corrects it otherwise.
    /// </summary>
    public async Task EnsureScheduledAsync(Automation automation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(automation);
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var stored = await scheduler.GetTrigger(TriggerKeyFor(automation.Id), cancellationToken) as ICronTrigger;
        var matches = stored is not null
            && await scheduler.Exists(JobKeyFor(automation.Id), cancellationToken)
            && stored.CronExpressionString == automation.Schedule
            && stored.TimeZone.Id == automation.TimeZone;
        if (!matches)
        {
            await ScheduleAsync(automation, cancellationToken);
            return;
        }

        var paused = await scheduler.GetTriggerState(stored!.Key, cancellationToken) == TriggerState.Paused;
        if (paused == Automation.IsRunnable(automation.State))
        {
            await ScheduleAsync(automation, cancellationToken);
        }
    }

    /// <summary>
    /// Pauses or resumes the schedule to match the automation's state. Resuming reschedules from now, so fires
    /// missed while paused are not made up.
    /// </summary>
    public Task ApplyStateAsync(Automation automation, CancellationToken cancellationToken = default) =>
        ScheduleAsync(automation, cancellationToken);

    /// <summary>Starts a run now; the run record already exists (Queued). Runs of one automation never overlap.</summary>
    public async Task TriggerNowAsync(Guid automationId, Guid runId, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        await scheduler.TriggerJob(JobKeyFor(automationId), new JobDataMap { [RunIdKey] = runId.ToString() }, cancellationToken);
    }

    /// <summary>The runs handed to the scheduler for the automation (<see cref="TriggerNowAsync"/>) that it still holds to start.</summary>
    public async Task<IReadOnlySet<Guid>> HandedOverAsync(Guid automationId, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var triggers = await scheduler.GetTriggersOfJob(JobKeyFor(automationId), cancellationToken);
        return triggers.Select(t => Guid.TryParse(t.JobDataMap.GetString(RunIdKey), out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToHashSet();
    }

    public async Task<DateTime?> NextFireAsync(Guid automationId, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var trigger = await scheduler.GetTrigger(TriggerKeyFor(automationId), cancellationToken);
        if (trigger is null || await scheduler.GetTriggerState(trigger.Key, cancellationToken) == TriggerState.Paused)
        {
            return null;
        }

        return trigger.NextFireTimeUtc?.UtcDateTime;
    }

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        return await scheduler.GetStatus(cancellationToken) == SchedulerStatus.Running;
    }
}
