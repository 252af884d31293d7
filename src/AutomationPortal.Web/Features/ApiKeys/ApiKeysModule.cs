using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.ApiKeys;

public sealed record CreateApiKeyRequest(string? Name, Role? Role);

public static class ApiKeysModule
{
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ApiKeyService>();
        builder.Services.AddScoped<IStartupTask, BootstrapApiKeyTask>();
        return builder;
    }

    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/admin/api-keys").RequireAuthorization(Policies.Admin).WithTags("API keys");

        keys.MapGet("", async (ApiKeyService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithSummary("Lists API keys (never the keys themselves).");

        keys.MapPost("", async Task<Results<Created<CreatedApiKey>, ValidationProblem>> (CreateApiKeyRequest request, ApiKeyService service, CancellationToken ct) =>
            {
                if (request.Role is null)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [$"Role is required: one of {string.Join(", ", Roles.All)}."] });
                }

                var created = await service.CreateAsync(request.Name, request.Role.Value, ct);
                return TypedResults.Created($"/api/admin/api-keys/{created.Id}", created);
            })
            .WithSummary("Creates an API key. The answer holds the key; it is shown this once and stored only as a hash.");

        keys.MapPost("/{id:guid}/deactivate", async Task<Results<NoContent, NotFound>> (Guid id, ApiKeyService service, CancellationToken ct) =>
                await service.DeactivateAsync(id, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .WithSummary("Deactivates an API key; it stops working at once and is kept for the audit trail.");

        return api;
    }

    private sealed class BootstrapApiKeyTask(IOptions<BootstrapOptions> options, ApiKeyService service) : IStartupTask
    {
        public int Order => 20;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            if (!string.IsNullOrEmpty(options.Value.AdminApiKey))
            {
                await service.EnsureBootstrapKeyAsync(options.Value.AdminApiKey, cancellationToken);
            }
        }
    }
}
