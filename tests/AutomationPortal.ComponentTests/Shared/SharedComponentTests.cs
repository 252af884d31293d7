using AutomationPortal.Web.Components.Shared;
using Bunit;

namespace AutomationPortal.ComponentTests.Shared;

public sealed class SharedComponentTests : PortalComponentTest
{
    [Fact]
    public void AComingSectionSaysSoPlainlyAndWhatItWillHold()
    {
        var section = Render<SectionComingSoon>(p => p
            .Add(s => s.Title, "ROI and payback")
            .Add(s => s.Purpose, "Hours and money saved per automation.")
            .Add(s => s.NextStep, "Set up an automation first."));

        Assert.Contains("ROI and payback is not available yet", section.Markup, StringComparison.Ordinal);
        Assert.Contains("Hours and money saved per automation.", section.Markup, StringComparison.Ordinal);
        Assert.Contains("Set up an automation first.", section.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AStatCardLinksItsLabel()
    {
        var card = Render<StatCard>(p => p.Add(c => c.Label, "Active users").Add(c => c.Value, "12").Add(c => c.Href, "admin/users"));

        Assert.Equal("12", card.Find("h5").TextContent.Trim());
        Assert.Equal("admin/users", card.Find("a").GetAttribute("href"));
        Assert.Equal("Active users", card.Find("a").TextContent.Trim());
    }

    [Fact]
    public void TimesShowInTheOrganisationsZoneWithUtcOnHover()
    {
        var time = Render<LocalTime>(p => p.Add(t => t.Utc, new DateTime(2026, 7, 1, 10, 0, 0, DateTimeKind.Utc)));

        var span = time.Find("span");
        Assert.Equal("2026-07-01 12:00", span.TextContent);
        Assert.Equal("2026-07-01 10:00:00 UTC", span.GetAttribute("title"));
    }

    [Fact]
    public void ThePageHeaderIsTheLevelOneHeading()
    {
        var header = Render<PageHeader>(p => p.Add(h => h.Title, "Users").Add(h => h.Subtitle, "Who can sign in."));

        Assert.Equal("Users", header.Find("h1").TextContent.Trim());
        Assert.Contains("Who can sign in.", header.Markup, StringComparison.Ordinal);
    }
}
