using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AutomationPortal.Web.Features.ApiKeys;

public sealed record CreateApiKeyRequest(string? Name, Role? Role);

/// <summary>API keys for scripts and integrations, for Admins: list, create (the key is shown once), deactivate.</summary>
public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/admin/api-keys").RequireAuthorization(Policies.Admin).WithTags("API keys");

        keys.MapGet("", GetKeys)
            .WithSummary("Lists API keys (never the keys themselves).");
        keys.MapPost("", CreateKey)
            .WithSummary("Creates an API key. The answer holds the key; it is shown this once and stored only as a hash.");
        keys.MapPost("/{id:guid}/deactivate", DeactivateKey)
            .WithSummary("Deactivates an API key; it stops working at once and is kept for the audit trail.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<ApiKeySummary>>> GetKeys(ApiKeyService service, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        return TypedResults.Ok(await service.ListAsync(ct));
    }

    public static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateKey(CreateApiKeyRequest request, ApiKeyService service, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(service);
        if (request.Role is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [$"Role is required: one of {string.Join(", ", Roles.All)}."] });
        }

        var created = await service.CreateAsync(request.Name, request.Role.Value, ct);
        return TypedResults.Created($"/api/admin/api-keys/{created.Id}", created);
    }

    public static async Task<Results<NoContent, NotFound>> DeactivateKey(Guid id, ApiKeyService service, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(service);
        return await service.DeactivateAsync(id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
