using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Uploads;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Files;
using AutomationPortal.Web.Infrastructure.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quartz;

namespace AutomationPortal.Web.Features.Automations;

public static class AutomationsModule
{
    public static WebApplicationBuilder AddAutomations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FilesOptions>().BindConfiguration(FilesOptions.Section);
        services.AddSingleton<AutomationKindCatalog>();
        services.AddSingleton<AutomationScheduler>();
        services.AddSingleton<GuardrailMonitor>();
        services.AddSingleton<RunStops>();
        services.AddSingleton<RunCompletions>();
        services.AddSingleton<SecretSettings>();
        services.AddSingleton(sp => new PortalFolders(
            sp.GetRequiredService<IOptions<FilesOptions>>().Value.AllowedRootsOrDefault(sp.GetRequiredService<PortalDatabase>().DataFolder),
            sp.GetRequiredService<PortalDatabase>().DataFolder));
        services.AddScoped<AutomationEngine>();
        services.AddRunLeases();
        services.AddScoped<DecisionReplay>();
        services.AddScoped<Handling.ItemHandling>();
        services.AddAutomationUseCases();
        services.AddScoped<AutomationQueries>();
        services.AddScoped<AutomationUploads>();
        services.AddScoped<IStartupTask, ReconcileSchedulesTask>();
        services.AddScoped<AutomationDemo>();
        services.AddSingleton<DemoStories>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoStories>());
        services.AddScoped<IStartupTask, AutomationsDemoTask>();

        var database = PortalDatabase.For(builder);
        var scheduler = builder.Configuration.GetSection(SchedulerOptions.Section).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var properties = new System.Collections.Specialized.NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "AutomationPortal",
            ["quartz.scheduler.instanceId"] = "AUTO",
            ["quartz.jobStore.misfireThreshold"] = (scheduler.MisfireThresholdSeconds * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Job data stays plain strings (the automation and run ids), readable in the QRTZ_ tables.
            ["quartz.jobStore.useProperties"] = "true",
        };
        services.AddQuartz(properties, q =>
        {
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = scheduler.MaxConcurrentRuns);
            q.UsePersistentStore(store =>
            {
                // The same SQLite file as the portal's data (WAL, busy timeout); never clustered: Quartz refuses that on SQLite.
                store.UseSqlite(database.ConnectionString);
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHealthChecks().AddCheck<SchedulerHealthCheck>("scheduler");
        return builder;
    }

    /// <summary>What people do with automations, one use case per class, and the pages' façade over them.</summary>
    public static IServiceCollection AddAutomationUseCases(this IServiceCollection services)
    {
        services.AddScoped<AutomationFolders>();
        services.AddScoped<AutomationRequestRules>();
        services.AddScoped<AutomationChanges>();
        services.AddScoped<EmergencyStops>();
        services.AddScoped<HeldInput>();
        services.AddScoped<ListAutomations>();
        services.AddScoped<GetAutomation>();
        services.AddScoped<CreateAutomation>();
        services.AddScoped<UpdateAutomation>();
        services.AddScoped<PauseAutomation>();
        services.AddScoped<ResumeAutomation>();
        services.AddScoped<PauseAllAutomations>();
        services.AddScoped<ResumeAllAutomations>();
        services.AddScoped<RunAutomationNow>();
        services.AddScoped<AcknowledgeAlert>();
        services.AddScoped<AutomationService>();
        return services;
    }

    /// <summary>Adds a kind of automation to the catalogue: the one line a kind module needs besides its own services.</summary>
    public static IServiceCollection AddAutomationKind<TKind>(this IServiceCollection services)
        where TKind : class, IAutomationKind
    {
        services.AddSingleton<IAutomationKind, TKind>();
        return services;
    }

    /// <summary>The most files one intake request may carry.</summary>
    public const int MaxFilesPerRequest = 1024;

    /// <summary>The largest intake request: several files, each within its automation's maxFileBytes.</summary>
    public const long IntakeRequestLimit = 512L * 1024 * 1024;

    private sealed class ReconcileSchedulesTask(PortalDbContext db, AutomationScheduler scheduler, TimeProvider time, ILogger<ReconcileSchedulesTask> logger) : IStartupTask
    {
        public int Order => 50;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            foreach (var automation in await db.Set<Automation>().AsNoTracking().ToListAsync(cancellationToken))
            {
                await scheduler.EnsureScheduledAsync(automation, cancellationToken);
            }

            // Runs cut off by a crash: Quartz recovers their jobs; the records say what happened.
            var interrupted = await db.Set<AutomationRun>().Where(r => r.Status == RunStatus.Running).ToListAsync(cancellationToken);
            foreach (var run in interrupted)
            {
                run.Status = RunStatus.Cancelled;
                run.EndedAt = time.GetUtcNow().UtcDateTime;
                run.Error = "Interrupted: the portal stopped during this run. A recovery run continues the work.";
            }

            if (interrupted.Count > 0)
            {
                await db.SaveChangesAsync(cancellationToken);
                logger.LogWarning("{Count} run(s) were cut off by the last stop; recovery runs continue them.", interrupted.Count);
            }

            await ActOnWaitingDecisionsAsync(cancellationToken);
        }

        /// <summary>
        /// People's decisions no run has acted on yet, because the portal stopped after recording one and before the
        /// run that acts on it was handed to the scheduler (or while the item's action was under way): a run now acts on
        /// them, once each by the item's key, instead of the next scheduled fire. A run recorded for them that the
        /// scheduler never got is closed, so no later decision waits on it.
        /// </summary>
        private async Task ActOnWaitingDecisionsAsync(CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var queued = await db.Set<AutomationRun>().Where(r => r.Trigger == RunTrigger.Handling && r.Status == RunStatus.Queued).ToListAsync(cancellationToken);
            var handedOver = new HashSet<Guid>();
            foreach (var runs in queued.GroupBy(r => r.AutomationId))
            {
                var held = await scheduler.HandedOverAsync(runs.Key, cancellationToken);
                foreach (var run in runs)
                {
                    if (held.Contains(run.Id))
                    {
                        handedOver.Add(run.AutomationId);
                        continue;
                    }

                    run.Status = RunStatus.Cancelled;
                    run.StartedAt = run.EndedAt = now;
                    run.SkipReason = "Never started: the portal stopped before this run began. A run started with the portal acts on its items.";
                }
            }

            var waiting = (await HeldInput.WaitingForActions(db).ToListAsync(cancellationToken))
                .Concat(queued.Where(r => r.Status == RunStatus.Cancelled).Select(r => r.AutomationId))
                .Where(id => !handedOver.Contains(id))
                .ToHashSet();
            var acting = (await db.Set<Automation>().AsNoTracking().Where(a => waiting.Contains(a.Id)).ToListAsync(cancellationToken))
                .Where(a => !a.IsPaused && (a.IsDemo || a.State is AutomationState.Pilot or AutomationState.Production))
                .Select(a => new AutomationRun { AutomationId = a.Id, Trigger = RunTrigger.Handling, QueuedAt = now, RequestedBy = "the portal at start-up" })
                .ToList();
            db.AddRange(acting);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var run in acting)
            {
                await scheduler.TriggerNowAsync(run.AutomationId, run.Id, cancellationToken);
            }

            if (acting.Count > 0)
            {
                logger.LogWarning("{Count} automation(s) had people's decisions waiting for their action since the last stop; runs act on them now.", acting.Count);
            }
        }
    }
}

public sealed class SchedulerHealthCheck(AutomationScheduler scheduler, StartupState startup) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        !startup.IsReady || await scheduler.IsRunningAsync(cancellationToken)
            ? HealthCheckResult.Healthy("The scheduler is running.")
            : HealthCheckResult.Unhealthy("The scheduler is not running.");
}
