using AutomationPortal.Web.Components.Layout;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;

namespace AutomationPortal.ComponentTests.Layout;

public sealed class NavMenuTests : PortalComponentTest
{
    [Fact]
    public void AnAgentSeesTheWorkSectionsOnly()
    {
        SignInAs(Role.Agent);

        var links = Labels(Render<NavMenu>());

        Assert.Equal(["Dashboard", "Escalations", "Automations", "Alerts"], links);
    }

    [Fact]
    public void AManagerAlsoSeesRoiAndOpportunities()
    {
        SignInAs(Role.Manager);

        var links = Labels(Render<NavMenu>());

        Assert.Equal(["Dashboard", "Escalations", "Automations", "Alerts", "ROI", "Opportunities"], links);
    }

    [Fact]
    public void AnAdminSeesEverySectionIncludingAdmin()
    {
        SignInAs(Role.Admin);

        var menu = Render<NavMenu>();

        Assert.Equal(["Dashboard", "Escalations", "Automations", "Alerts", "ROI", "Opportunities", "Integrations", "Users", "API keys", "Audit log"], Labels(menu));
        Assert.Contains("Admin", menu.Markup, StringComparison.Ordinal);
    }

    private static List<string> Labels(IRenderedComponent<NavMenu> menu) =>
        menu.FindAll("a.mud-nav-link").Select(a => a.TextContent.Trim()).ToList();
}
