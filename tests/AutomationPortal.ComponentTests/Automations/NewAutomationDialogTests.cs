using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.Automations.Pages;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AutomationPortal.ComponentTests.Automations;

public sealed class NewAutomationDialogTests : PortalDatabaseTest
{
    // Registered after the sample kind, as the portal registers them, with the webhook client the kind is built with.
    public NewAutomationDialogTests() => Services.AddSingleton<IAutomationKind, InvoiceIntakeKind>().AddHttpClient().AddSingleton<WebhookPoster>();

    [Fact]
    public async Task ANewAutomationStartsAsInvoiceIntakeWithTheSampleListedLast()
    {
        SignInAs(Role.Admin);
        var provider = Render<MudDialogProvider>();
        RenderPopoverProvider();

        await provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<NewAutomationDialog>());

        var kind = provider.WaitForElement("input[data-testid=new-kind]");
        Assert.Equal("Invoice intake", kind.GetAttribute("value"));
        Assert.Contains("\"reviewThreshold\"", provider.Find("textarea[data-testid=new-settings]").TextContent, StringComparison.Ordinal);
        var catalog = Services.GetRequiredService<AutomationKindCatalog>();
        Assert.True(catalog.All[^1].IsSample);
    }
}
