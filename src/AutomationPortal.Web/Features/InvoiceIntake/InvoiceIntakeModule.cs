using AutomationPortal.Web.Features.Automations;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>Invoice intake as a module: its kind, its webhook client and its demo, registered by one line in Program.cs.</summary>
public static class InvoiceIntakeModule
{
    public static WebApplicationBuilder AddInvoiceIntake(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddAutomationKind<InvoiceIntakeKind>();
        services.AddSingleton<IKindDemo, InvoiceIntakeDemo>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Webhooks never follow a redirect (it would re-post the invoice elsewhere) and connect only to allowed addresses.
        services.AddHttpClient(WebhookPoster.ClientName).ConfigurePrimaryHttpMessageHandler(sp =>
        {
            var allowPrivate = sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateNetworks;
            return new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = (context, token) => WebhookTargets.ConnectAsync(context.DnsEndPoint, allowPrivate, token),
            };
        });
        services.AddSingleton<WebhookPoster>();
        return builder;
    }
}
