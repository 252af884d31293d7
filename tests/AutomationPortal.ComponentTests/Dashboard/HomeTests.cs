using AutomationPortal.Web.Features.Dashboard;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;

namespace AutomationPortal.ComponentTests.Dashboard;

/// <summary>Each role's home over the real services.</summary>
public sealed class HomeTests : PortalDatabaseTest
{
    [Fact]
    public void AnAgentsHomeIsTheirQueueWithAnEmptyStateThatSaysWhatComes()
    {
        SignInAs(Role.Agent);

        var home = Render<Home>();

        Assert.Equal("My work", home.Find("h1").TextContent.Trim());
        home.WaitForAssertion(() => Assert.Contains("Your queue is empty", home.Find("[data-testid=home-empty]").TextContent, StringComparison.Ordinal));
        Assert.Equal("0", home.Find("[data-testid=stat-unassigned] h5").TextContent.Trim());
    }

    [Fact]
    public void AManagersHomeStartsFromTheBaseline()
    {
        SignInAs(Role.Manager);

        var home = Render<Home>();

        Assert.Equal("Manager overview", home.Find("h1").TextContent.Trim());
        Assert.Contains("Without a baseline there is no ROI", home.Markup, StringComparison.OrdinalIgnoreCase);
    }
}
