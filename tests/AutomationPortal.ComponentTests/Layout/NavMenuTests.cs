using AutomationPortal.Web.Components.Layout;
using AutomationPortal.Web.Features.Escalations;
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

    [Fact]
    public void TheBadgeBesideEscalationsCountsWhatWaitsForThePersonAndNothingWhenNothingDoes()
    {
        SignInAs(Role.Agent);

        var menu = Render<NavMenu>(p => p.Add(m => m.Queue, new QueueCounts(All: 9, Mine: 2, Unassigned: 3, Deferred: 1, ResolvedToday: 4)));

        Assert.Equal("5", menu.Find("[data-testid=escalation-badge]").TextContent.Trim());

        menu.Render(p => p.Add(m => m.Queue, new QueueCounts(All: 1, Mine: 0, Unassigned: 0, Deferred: 1, ResolvedToday: 4)));

        Assert.Empty(menu.FindAll("[data-testid=escalation-badge]"));
    }

    private static List<string> Labels(IRenderedComponent<NavMenu> menu) =>
        menu.FindAll("a.mud-nav-link").Select(a => a.TextContent.Trim()).ToList();
}
