using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AutomationPortal.Web.Features.Audit;

/// <summary>What the audit log is asked for: filters and a page (skip, take up to 500).</summary>
public sealed record AuditQuery(
    [FromQuery(Name = "actor")] string? Actor,
    [FromQuery(Name = "entityType")] string? EntityType,
    [FromQuery(Name = "action")] AuditAction? Action,
    [FromQuery(Name = "from")] DateTime? From,
    [FromQuery(Name = "to")] DateTime? To,
    [FromQuery(Name = "text")] string? Text,
    [FromQuery(Name = "skip")] int? Skip,
    [FromQuery(Name = "take")] int? Take);

/// <summary>The audit log for Admins: who changed what and when, newest first.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/audit", GetAuditLog)
            .RequireAuthorization(Policies.Admin)
            .WithTags("Audit")
            .WithSummary("The audit log, newest first, filtered and paged.");
        return app;
    }

    public static async Task<Ok<AuditResultPage>> GetAuditLog([AsParameters] AuditQuery query, AuditLog log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(log);
        var filter = new AuditFilter(query.Actor, query.EntityType, query.Action, query.From?.ToUniversalTime(), query.To?.ToUniversalTime(), query.Text);
        return TypedResults.Ok(await log.QueryAsync(filter, query.Skip ?? 0, query.Take ?? 50, ct));
    }
}
