using AutomationPortal.Web.Infrastructure.Hosting;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.ApiKeys;

public static class ApiKeysModule
{
    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ApiKeyService>();
        builder.Services.AddScoped<IStartupTask, BootstrapApiKeyTask>();
        return builder;
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
