using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Uploads;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Files;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
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
        services.AddScoped<DecisionReplay>();
        services.AddScoped<Handling.ItemHandling>();
        services.AddAutomationUseCases();
        services.AddScoped<AutomationQueries>();
        services.AddScoped<AutomationUploads>();
        services.AddScoped<IStartupTask, ReconcileSchedulesTask>();
        services.AddScoped<AutomationDemo>();
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

    public static RouteGroupBuilder MapAutomationEndpoints(this RouteGroupBuilder api)
    {
        var changedMeanwhile = new ChangedMeanwhileProblem("The automation was changed by someone else meanwhile. Reload it and try again.");
        var read = api.MapGroup("").RequireAuthorization(Policies.Agent).WithMetadata(changedMeanwhile).WithTags("Automations");
        var admin = api.MapGroup("").RequireAuthorization(Policies.Admin).WithMetadata(changedMeanwhile).WithTags("Automations");

        read.MapGet("/automation-kinds", (AutomationKindCatalog catalog) => TypedResults.Ok(catalog.All.Select(k => new
        {
            key = k.Key,
            name = k.DisplayName,
            description = k.Description,
            defaults = System.Text.Json.JsonDocument.Parse(KindSettings.Defaults(k)).RootElement,
        })));
        read.MapGet("/automations", async (AutomationService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)));
        read.MapGet("/automations/{id:guid}", async (Guid id, AutomationService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)));
        read.MapGet("/automations/{id:guid}/runs", async (Guid id, int? page, int? pageSize, AutomationQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.RunsAsync(id, page ?? 1, pageSize ?? 50, true, ct)));
        read.MapGet("/runs/{id:guid}", async Task<Results<Ok<RunDetail>, NotFound>> (Guid id, AutomationQueries queries, CancellationToken ct) =>
            await queries.RunAsync(id, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound());
        read.MapGet("/work-items", async (Guid? automationId, WorkItemStatus? status, string? reason, Guid? runId, string? search, int? page, int? pageSize, AutomationQueries queries, CancellationToken ct) =>
            TypedResults.Ok(await queries.WorkItemsAsync(automationId, status, reason, runId, search, page ?? 1, pageSize ?? 50, ct)))
            .WithSummary("Work items, newest first; search matches the reference (invoice number), party (supplier) or party id. page counts from 1; pageSize up to 500.");
        read.MapGet("/work-items/{id:guid}", async Task<Results<Ok<WorkItemDetail>, NotFound>> (Guid id, int? linesFrom, int? lines, AutomationQueries queries, AutomationKindCatalog catalog, CancellationToken ct) =>
            {
                if (await queries.WorkItemAsync(id, ct) is not { } item)
                {
                    return TypedResults.NotFound();
                }

                // Long lists in the payload (an invoice's lines) come a page at a time: 200 unless asked, 1,000 at most.
                var count = Math.Clamp(lines ?? 200, 1, 1000);
                return TypedResults.Ok(item.Payload is { } payload && catalog.Find(item.Kind) is { } kind
                    ? item with { Payload = kind.PagePayload(payload, Math.Max(linesFrom ?? 0, 0), count) }
                    : item);
            })
            .WithSummary("A work item with its payload (for invoices: the invoice, its verification and the duplicate evidence), decisions, escalation and effects. An invoice's lines come 200 at a time (linesFrom, lines up to 1000), with linesTotal, linesFrom and linesShown in the payload.");
        read.MapGet("/work-items/{id:guid}/original", async Task<Results<FileStreamHttpResult, NotFound>> (Guid id, AutomationQueries queries, CancellationToken ct) =>
            await queries.OpenOriginalAsync(id, ct) is { } original
                ? TypedResults.File(original.Content, "application/octet-stream", Infrastructure.Files.FileNames.Safe(original.Name))
                : TypedResults.NotFound())
            .WithSummary("Downloads the original file of a work item, as it arrived.");
        read.MapPost("/automations/{id:guid}/items", async (Guid id, HttpRequest request, AutomationUploads intake, TimeProvider time, CancellationToken ct) =>
            {
                var files = new List<IntakeFile>();
                if (request.HasFormContentType)
                {
                    IFormCollection form;
                    try
                    {
                        form = await request.ReadFormAsync(ct);
                    }
                    catch (InvalidDataException e)
                    {
                        // More parts than a form may hold, or a part beyond the size limit.
                        throw AutomationValidationException.For("files", $"The form could not be read: {e.Message} Send at most {MaxFilesPerRequest} files in one request.");
                    }

                    if (form.Files.Count > MaxFilesPerRequest)
                    {
                        throw AutomationValidationException.For("files", $"{form.Files.Count} files were sent; send at most {MaxFilesPerRequest} in one request.");
                    }

                    files.AddRange(form.Files.Select(f => new IntakeFile(f.FileName, f.OpenReadStream())));
                }
                else
                {
                    var name = request.Headers["X-File-Name"].FirstOrDefault() ?? request.Query["fileName"].FirstOrDefault() ?? $"upload-{time.GetUtcNow():yyyyMMdd-HHmmss}";
                    files.Add(new IntakeFile(name, request.Body));
                }

                var result = await intake.AcceptAsync(id, files, ct);
                // 200 when files were decided; 202 when they are kept for later (held while paused, or still waiting
                // for the run); 400 when none was taken.
                return result.Files.Any(f => f.WorkItemId is not null)
                    ? Results.Ok(result)
                    : Results.Json(result, statusCode: result.RunId is null && result.Held is null ? StatusCodes.Status400BadRequest : StatusCodes.Status202Accepted);
            })
            .DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(IntakeRequestLimit))
            .WithFormOptions(multipartBodyLengthLimit: IntakeRequestLimit)
            .WithSummary("Hands files to an automation whose kind takes them: a multipart form with one or more files, or one file as the raw body (name in X-File-Name). Answers with each file's work item id, or its error, once the run that reads them has finished.");
        read.MapGet("/alerts", async (bool? open, AutomationQueries queries, CancellationToken ct) => TypedResults.Ok(await queries.AlertsAsync(open ?? true, ct)));

        admin.MapPost("/automations", async (AutomationRequest request, AutomationService service, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(request, ct);
            return TypedResults.Created($"/api/automations/{created.Id}", created);
        }).WithSummary("Creates an automation of a built-in kind. Settings not given take their documented defaults.");
        admin.MapPut("/automations/{id:guid}", async (Guid id, AutomationRequest request, AutomationService service, CancellationToken ct) =>
            TypedResults.Ok(await service.UpdateAsync(id, request, ct)));
        admin.MapPost("/automations/{id:guid}/runs", async (Guid id, AutomationService service, CancellationToken ct) =>
            {
                var runId = await service.RunNowAsync(id, ct);
                return TypedResults.Accepted($"/api/runs/{runId}", new RunStarted(runId));
            })
            .WithSummary("Runs the automation now. When a run is going, this one is queued behind it; either way the answer is 202 with the run's id. A paused automation answers 409: resume it instead.");
        admin.MapPost("/automations/{id:guid}/pause", async (Guid id, AutomationService service, CancellationToken ct) => TypedResults.Ok(await service.PauseAsync(id, ct)));
        admin.MapPost("/automations/{id:guid}/resume", async (Guid id, AutomationService service, CancellationToken ct) => TypedResults.Ok(await service.ResumeAsync(id, ct)));
        admin.MapPost("/automations/pause-all", async (AutomationService service, CancellationToken ct) =>
            {
                var result = await service.PauseAllAsync(ct);
                return TypedResults.Ok(new EmergencyStopAnswer(result.Count, null, result.Automations, result.LeftPaused));
            })
            .WithSummary("Emergency stop: pauses every automation that runs; going runs stop after their current item. Recorded, so Resume all undoes exactly this.");
        admin.MapPost("/automations/resume-all", async (AutomationService service, CancellationToken ct) =>
            {
                var result = await service.ResumeAllAsync(ct);
                return TypedResults.Ok(new EmergencyStopAnswer(null, result.Count, result.Automations, result.LeftPaused));
            })
            .WithSummary("Resumes exactly the automations Pause all paused; says which automations stay paused and why (paused on their own, or by their guardrails).");
        admin.MapPost("/alerts/{id:guid}/acknowledge", async (Guid id, AutomationService service, CancellationToken ct) =>
        {
            await service.AcknowledgeAlertAsync(id, ct);
            return TypedResults.NoContent();
        });
        return api;
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
        }
    }
}

public sealed record RunStarted(Guid Id);

/// <summary>The answer of Pause all (paused) or Resume all (resumed), with the automations and those left paused.</summary>
public sealed record EmergencyStopAnswer(int? Paused, int? Resumed, IReadOnlyList<AutomationRef> Automations, IReadOnlyList<PausedAutomation> LeftPaused);

public sealed class SchedulerHealthCheck(AutomationScheduler scheduler, StartupState startup) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        !startup.IsReady || await scheduler.IsRunningAsync(cancellationToken)
            ? HealthCheckResult.Healthy("The scheduler is running.")
            : HealthCheckResult.Unhealthy("The scheduler is not running.");
}
