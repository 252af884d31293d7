using AutomationPortal.Web.Features.Dashboard;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;

namespace AutomationPortal.ComponentTests.Dashboard;

public sealed class HomeTests : PortalComponentTest
{
    [Fact]
    public void AnAgentsHomeIsTheirQueueWithAnEmptyStateThatSaysWhatComes()
    {
        SignInAs(Role.Agent);

        var home = Render<Home>();

        Assert.Equal("My work", home.Find("h1").TextContent.Trim());
        Assert.Contains("Your queue is empty", home.Markup, StringComparison.Ordinal);
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
