using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Uploads;
using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Files;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>The automations API: kinds, automations, runs, work items and alerts. Agents read and hand in files; Admins change.</summary>
public static class AutomationsApi
{
    public static IEndpointRouteBuilder MapAutomationsApi(this IEndpointRouteBuilder app)
    {
        var changedMeanwhile = new ChangedMeanwhileProblem("The automation was changed by someone else meanwhile. Reload it and try again.");
        var read = app.MapGroup("").RequireAuthorization(Policies.Agent).WithMetadata(changedMeanwhile).WithTags("Automations");
        var admin = app.MapGroup("").RequireAuthorization(Policies.Admin).WithMetadata(changedMeanwhile).WithTags("Automations");

        read.MapGet("/automation-kinds", GetKinds);
        read.MapGet("/automations", GetAutomations);
        read.MapGet("/automations/{id:guid}", GetAutomationById);
        read.MapGet("/automations/{id:guid}/runs", GetRuns);
        read.MapGet("/runs/{id:guid}", GetRunById);
        read.MapGet("/work-items", GetWorkItems)
            .WithSummary("Work items, newest first; search matches the reference (invoice number), party (supplier) or party id. page counts from 1; pageSize up to 500.");
        read.MapGet("/work-items/{id:guid}", GetWorkItemById)
            .WithSummary("A work item with its payload (for invoices: the invoice, its verification and the duplicate evidence), decisions, escalation and effects. An invoice's lines come 200 at a time (linesFrom, lines up to 1000), with linesTotal, linesFrom and linesShown in the payload.");
        read.MapGet("/work-items/{id:guid}/original", GetOriginal)
            .WithSummary("Downloads the original file of a work item, as it arrived.");
        read.MapPost("/automations/{id:guid}/items", HandInFiles)
            .DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(AutomationsModule.IntakeRequestLimit))
            .WithFormOptions(multipartBodyLengthLimit: AutomationsModule.IntakeRequestLimit)
            .WithSummary("Hands files to an automation whose kind takes them: a multipart form with one or more files, or one file as the raw body (name in X-File-Name). Answers with each file's work item id, or its error, once the run that reads them has finished.");
        read.MapGet("/alerts", GetAlerts);

        admin.MapPost("/automations", Create)
            .WithSummary("Creates an automation of a built-in kind. Settings not given take their documented defaults.");
        admin.MapPut("/automations/{id:guid}", Update);
        admin.MapPost("/automations/{id:guid}/runs", RunNow)
            .WithSummary("Runs the automation now. When a run is going, this one is queued behind it; either way the answer is 202 with the run's id. A paused automation answers 409: resume it instead.");
        admin.MapPost("/automations/{id:guid}/pause", Pause);
        admin.MapPost("/automations/{id:guid}/resume", Resume);
        admin.MapPost("/automations/pause-all", PauseAll)
            .WithSummary("Emergency stop: pauses every automation that runs; going runs stop after their current item. Recorded, so Resume all undoes exactly this.");
        admin.MapPost("/automations/resume-all", ResumeAll)
            .WithSummary("Resumes exactly the automations Pause all paused; says which automations stay paused and why (paused on their own, or by their guardrails).");
        admin.MapPost("/alerts/{id:guid}/acknowledge", Acknowledge);
        return app;
    }

    public static Ok<IEnumerable<AutomationKindInfo>> GetKinds(AutomationKindCatalog catalog) =>
        TypedResults.Ok(catalog.All.Select(k => new AutomationKindInfo(k.Key, k.DisplayName, k.Description, System.Text.Json.JsonDocument.Parse(KindSettings.Defaults(k)).RootElement, k.RejectReasons)));

    public static async Task<Ok<IReadOnlyList<AutomationSummary>>> GetAutomations(ListAutomations automations, CancellationToken ct) =>
        TypedResults.Ok(await automations.ListAsync(ct));

    public static async Task<Ok<AutomationDetail>> GetAutomationById(Guid id, GetAutomation automation, CancellationToken ct) =>
        TypedResults.Ok(await automation.GetAsync(id, ct));

    public static async Task<Ok<Paged<RunSummary>>> GetRuns(Guid id, int? page, int? pageSize, AutomationQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.RunsAsync(id, page ?? 1, pageSize ?? 50, true, ct));

    public static async Task<Results<Ok<RunDetail>, NotFound>> GetRunById(Guid id, AutomationQueries queries, CancellationToken ct) =>
        await queries.RunAsync(id, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound();

    public static async Task<Ok<Paged<WorkItemView>>> GetWorkItems(
        Guid? automationId, WorkItemStatus? status, string? reason, Guid? runId, string? search, int? page, int? pageSize, AutomationQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.WorkItemsAsync(automationId, status, reason, runId, search, page ?? 1, pageSize ?? 50, ct));

    public static async Task<Results<Ok<WorkItemDetail>, NotFound>> GetWorkItemById(Guid id, int? linesFrom, int? lines, AutomationQueries queries, AutomationKindCatalog catalog, CancellationToken ct)
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
    }

    public static async Task<Results<FileStreamHttpResult, NotFound>> GetOriginal(Guid id, AutomationQueries queries, CancellationToken ct) =>
        await queries.OpenOriginalAsync(id, ct) is { } original
            ? TypedResults.File(original.Content, "application/octet-stream", FileNames.Safe(original.Name))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<IntakeResponse>, JsonHttpResult<IntakeResponse>>> HandInFiles(Guid id, HttpRequest request, AutomationUploads intake, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
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
                throw AutomationValidationException.For("files", $"The form could not be read: {e.Message} Send at most {AutomationsModule.MaxFilesPerRequest} files in one request.");
            }

            if (form.Files.Count > AutomationsModule.MaxFilesPerRequest)
            {
                throw AutomationValidationException.For("files", $"{form.Files.Count} files were sent; send at most {AutomationsModule.MaxFilesPerRequest} in one request.");
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
            ? TypedResults.Ok(result)
            : TypedResults.Json(result, statusCode: result.RunId is null && result.Held is null ? StatusCodes.Status400BadRequest : StatusCodes.Status202Accepted);
    }

    public static async Task<Ok<IReadOnlyList<AlertView>>> GetAlerts(bool? open, AutomationQueries queries, CancellationToken ct) =>
        TypedResults.Ok(await queries.AlertsAsync(open ?? true, ct));

    public static async Task<Created<AutomationDetail>> Create(AutomationRequest request, CreateAutomation automations, CancellationToken ct)
    {
        var created = await automations.CreateAsync(request, ct);
        return TypedResults.Created($"/api/automations/{created.Id}", created);
    }

    public static async Task<Ok<AutomationDetail>> Update(Guid id, AutomationRequest request, UpdateAutomation automations, CancellationToken ct) =>
        TypedResults.Ok(await automations.UpdateAsync(id, request, ct));

    public static async Task<Accepted<RunStarted>> RunNow(Guid id, RunAutomationNow runs, CancellationToken ct)
    {
        var runId = await runs.RunNowAsync(id, ct);
        return TypedResults.Accepted($"/api/runs/{runId}", new RunStarted(runId));
    }

    public static async Task<Ok<AutomationDetail>> Pause(Guid id, PauseAutomation automations, CancellationToken ct) =>
        TypedResults.Ok(await automations.PauseAsync(id, ct));

    public static async Task<Ok<AutomationDetail>> Resume(Guid id, ResumeAutomation automations, CancellationToken ct) =>
        TypedResults.Ok(await automations.ResumeAsync(id, ct));

    public static async Task<Ok<EmergencyStopAnswer>> PauseAll(PauseAllAutomations automations, CancellationToken ct)
    {
        var result = await automations.PauseAllAsync(ct);
        return TypedResults.Ok(new EmergencyStopAnswer(result.Count, null, result.Automations, result.LeftPaused));
    }

    public static async Task<Ok<EmergencyStopAnswer>> ResumeAll(ResumeAllAutomations automations, CancellationToken ct)
    {
        var result = await automations.ResumeAllAsync(ct);
        return TypedResults.Ok(new EmergencyStopAnswer(null, result.Count, result.Automations, result.LeftPaused));
    }

    public static async Task<NoContent> Acknowledge(Guid id, AcknowledgeAlert alerts, CancellationToken ct)
    {
        await alerts.AcknowledgeAlertAsync(id, ct);
        return TypedResults.NoContent();
    }
}

/// <summary>A kind of automation as the API lists it, with its settings' defaults and the reasons a person may reject or override with.</summary>
public sealed record AutomationKindInfo(string Key, string Name, string Description, System.Text.Json.JsonElement Defaults, IReadOnlyList<RejectReason> RejectReasons);

public sealed record RunStarted(Guid Id);

/// <summary>The answer of Pause all (paused) or Resume all (resumed), with the automations and those left paused.</summary>
public sealed record EmergencyStopAnswer(int? Paused, int? Resumed, IReadOnlyList<AutomationRef> Automations, IReadOnlyList<PausedAutomation> LeftPaused);
