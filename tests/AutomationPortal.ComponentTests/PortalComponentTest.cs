using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace AutomationPortal.ComponentTests;

/// <summary>
/// bUnit with MudBlazor's services, loose JS interop and no transitions. MudBlazor's services are
/// async-disposable only, so the context is disposed asynchronously.
/// </summary>
public abstract class PortalComponentTest : BunitContext, IAsyncLifetime
{
    protected PortalComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.SnackbarConfiguration.ShowTransitionDuration = 0);
        Services.AddSingleton(Options.Create(new OrganisationOptions { TimeZone = "Europe/Berlin" }));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Signs in a user with one portal role and the policies that role satisfies.</summary>
    protected void SignInAs(Role role, string name = "person@portal.test")
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(name);
        auth.SetRoles(role.ToString());
        var policies = role switch
        {
            Role.Admin => new[] { Policies.Admin, Policies.Manager, Policies.Agent },
            Role.Manager => [Policies.Manager, Policies.Agent],
            _ => [Policies.Agent],
        };
        auth.SetPolicies(policies);
    }

    protected IRenderedComponent<MudPopoverProvider> RenderPopoverProvider() => Render<MudPopoverProvider>();
}
