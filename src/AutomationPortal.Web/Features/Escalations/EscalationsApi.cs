using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AutomationPortal.Web.Features.Escalations;

/// <summary>
/// The escalation queue's API: every action the queue's pages have. Agents, Managers and Admins; assigning is for
/// Managers and Admins. Conflicts (someone else holds the item, or claimed it first) answer 409 naming the holder.
/// </summary>
public static class EscalationsApi
{
    public static IEndpointRouteBuilder MapEscalationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").RequireAuthorization(Policies.Agent).WithTags("Escalations");
        group.MapGet("/escalations", List)
            .WithSummary("The queue across all automations, paged: view (All, Mine, Unassigned, Deferred, ResolvedToday), automationId, status, assignee (a user id, me or none), reason, minAmount, maxAmount, party, search (reference or party), minAgeHours, maxAgeHours; sort by createdAt (the default, oldest first), amount, reference, party, automation, assignee or status, with '-' for descending; pageSize up to 200.");
        group.MapGet("/escalations/counts", Counts)
            .WithSummary("The quick views' counts for the caller: all open, mine, unassigned, deferred, resolved today.");
        group.MapGet("/escalations/{id:guid}", Get)
            .WithSummary("One escalation with the whole context: the work item with its payload and evidence, reasons in words, earlier items of the same party, the run, notes, the timeline, and what each action will do.");
        group.MapPost("/escalations/{id:guid}/claim", Claim)
            .WithSummary("Claims the item for the caller; no body needed. Of several people claiming at once exactly one wins; the others get 409 with the holder.");
        group.MapPost("/escalations/{id:guid}/release", Release);
        // Assigning is a lead's call: refused by role before anything is read (the service checks it again).
        app.MapGroup("").RequireAuthorization(Policies.Manager).WithTags("Escalations").MapPost("/escalations/{id:guid}/assign", Assign)
            .WithSummary("Assigns or reassigns the item to an active Agent, Manager or Admin: Managers and Admins only (an Agent gets 403).");
        group.MapPost("/escalations/{id:guid}/notes", AddNote);
        group.MapPost("/escalations/{id:guid}/defer", Defer)
            .WithSummary("Defers the item until a time (ISO 8601 with an offset), with a note: the holder only. It comes back to the holder's queue then.");
        group.MapPost("/escalations/{id:guid}/resolve", Resolve)
            .WithSummary("Resolves the item: the holder only. decision Approve, Reject (reason from the kind's list, GET /api/automation-kinds; 'other' needs a note) or EditAndApprove (corrections by field). minutes defaults to the time since the claim, capped.");
        group.MapPost("/work-items/{id:guid}/override", Override)
            .WithSummary("Replaces the decision on an item (the automation's or a person's) within the automation's override window: Reject undoes what was done by the kind's compensation (for invoices a reversal), once; Approve acts on a rejected item. Counts as an automation error.");
        group.MapGet("/work-items/{id:guid}/timeline", Timeline)
            .WithSummary("Everything that happened to a work item, escalated or not, oldest first: read, decided, escalated, claimed, notes, resolved, acted on, overridden, undone; each with who and when.");
        group.MapGet("/work-items/{id:guid}/override", OverrideOption)
            .WithSummary("Whether the item's decision may be overridden now, to what, until when, and what it will do; why not, if not.");
        return app;
    }

    public static async Task<Ok<Paged<EscalationView>>> List(
        QueueView? view, Guid? automationId, EscalationStatus? status, string? assignee, string? reason, decimal? minAmount, decimal? maxAmount,
        string? party, string? search, int? minAgeHours, int? maxAgeHours, string? sort, int? page, int? pageSize, EscalationQueries queue, CancellationToken ct)
    {
        var order = EscalationSort.Parse(sort)
            ?? throw new PortalValidationException(new Dictionary<string, string[]> { ["sort"] = ["Sort by createdAt, amount, reference, party, automation, assignee or status; '-' before it for descending."] });
        var filter = new EscalationFilter(view ?? QueueView.All, automationId, status, assignee, reason, minAmount, maxAmount, party, search, minAgeHours, maxAgeHours);
        return TypedResults.Ok(await queue.ListAsync(filter, order, page ?? 1, pageSize ?? 50, ct));
    }

    public static async Task<Ok<QueueCounts>> Counts(EscalationQueries queue, CancellationToken ct) => TypedResults.Ok(await queue.CountsAsync(ct));

    public static async Task<Results<Ok<EscalationDetail>, NotFound>> Get(Guid id, int? linesFrom, int? lines, EscalationQueries queue, AutomationKindCatalog catalog, CancellationToken ct)
    {
        if (await queue.DetailAsync(id, ct) is not { } detail)
        {
            return TypedResults.NotFound();
        }

        // Long lists in the payload (an invoice's lines) come a page at a time, as on the work item.
        var count = Math.Clamp(lines ?? 200, 1, 1000);
        return TypedResults.Ok(detail.Item.Payload is { } payload && catalog.Find(detail.Item.Kind) is { } kind
            ? detail with { Item = detail.Item with { Payload = kind.PagePayload(payload, Math.Max(linesFrom ?? 0, 0), count) } }
            : detail);
    }

    public static async Task<Ok<EscalationView>> Claim(Guid id, EscalationActions actions, CancellationToken ct) => TypedResults.Ok(await actions.ClaimAsync(id, ct));

    public static async Task<Ok<EscalationView>> Release(Guid id, EscalationActions actions, CancellationToken ct) => TypedResults.Ok(await actions.ReleaseAsync(id, ct));

    public static async Task<Ok<EscalationView>> Assign(Guid id, AssignRequest request, EscalationActions actions, CancellationToken ct) =>
        TypedResults.Ok(await actions.AssignAsync(id, request?.UserId, ct));

    public static async Task<Ok<TimelineEntry>> AddNote(Guid id, NoteRequest request, EscalationActions actions, CancellationToken ct) =>
        TypedResults.Ok(await actions.AddNoteAsync(id, request?.Text, ct));

    public static async Task<Ok<EscalationView>> Defer(Guid id, DeferRequest request, EscalationActions actions, CancellationToken ct) =>
        TypedResults.Ok(await actions.DeferAsync(id, request?.Until, request?.Note, ct));

    public static async Task<Ok<ResolveResult>> Resolve(Guid id, ResolveRequest request, EscalationActions actions, CancellationToken ct) =>
        TypedResults.Ok(await actions.ResolveAsync(id, request ?? new ResolveRequest(null), ct));

    public static async Task<Ok<ResolveResult>> Override(Guid id, OverrideRequest request, EscalationActions actions, CancellationToken ct) =>
        TypedResults.Ok(await actions.OverrideAsync(id, request ?? new OverrideRequest(null), ct));

    public static async Task<Results<Ok<IReadOnlyList<TimelineEntry>>, NotFound>> Timeline(Guid id, AutomationQueries items, EscalationQueries queue, CancellationToken ct) =>
        await items.WorkItemAsync(id, ct) is { } item ? TypedResults.Ok(await queue.TimelineAsync(item, ct)) : TypedResults.NotFound();

    public static async Task<Ok<Automations.Handling.OverrideOption>> OverrideOption(Guid id, Automations.Handling.ItemHandling handling, CancellationToken ct) =>
        TypedResults.Ok(await handling.OverrideOptionAsync(id, ct));
}
