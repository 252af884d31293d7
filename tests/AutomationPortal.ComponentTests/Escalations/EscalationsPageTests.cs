using AngleSharp.Dom;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Escalations.Pages;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AutomationPortal.ComponentTests.Escalations;

/// <summary>The escalation queue over the real services and a seeded queue.</summary>
public sealed class EscalationsPageTests : QueueTest
{
    [Fact]
    public void EachQuickViewShowsItsCountAndListsExactlyThoseRows()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();

        var page = RenderQueue("escalations");

        // The Agent holds items, so the queue opens on Mine; oldest first.
        page.WaitForAssertion(() => Assert.Equal(["N-011", "N-010"], Rows(page)));
        Assert.Equal("true", page.Find("[data-testid=view-mine]").GetAttribute("aria-selected"));
        Assert.Equal(
            new Dictionary<string, string> { ["mine"] = "2", ["unassigned"] = "3", ["deferred"] = "1", ["resolved-today"] = "1", ["all"] = "7" },
            QueueUi.Views.ToDictionary(QueueUi.Slug, v => Count(page, QueueUi.Slug(v))));

        page.Find("[data-testid=view-unassigned]").Click();
        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-001", "N-003"], Rows(page)));
        Assert.All(page.FindAll("[data-testid=queue] tbody tr"), row => Assert.NotNull(row.QuerySelector("[data-testid=claim]")));
        Assert.EndsWith("escalations?view=unassigned", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);

        page.Find("[data-testid=view-deferred]").Click();
        page.WaitForAssertion(() => Assert.Equal(["N-021"], Rows(page)));
        Assert.Contains("until", page.Find("[data-testid=queue] tbody tr").TextContent, StringComparison.Ordinal);

        // Resolved yesterday does not count as today, in the list or in its count.
        page.Find("[data-testid=view-resolved-today]").Click();
        page.WaitForAssertion(() => Assert.Equal(["N-030"], Rows(page)));

        page.Find("[data-testid=view-all]").Click();
        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-021", "N-011", "N-020", "N-001", "N-010", "N-003"], Rows(page)));
        var colleagues = page.FindAll("[data-testid=queue] tbody tr").Single(r => r.TextContent.Contains("N-020", StringComparison.Ordinal));
        Assert.Equal(ColleagueName, colleagues.QuerySelector("[data-testid=assignee]")!.TextContent.Trim());
        Assert.Null(colleagues.QuerySelector("[data-testid=claim]"));
    }

    [Fact]
    public void EachRowShowsItsAmountReasonsInWordsAgeAndALinkToTheEscalation()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();

        var page = RenderQueue("escalations?view=unassigned");

        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count));
        var row = page.FindAll("[data-testid=queue] tbody tr").Single(r => r.TextContent.Contains("N-002", StringComparison.Ordinal));
        var id = row.QuerySelector("[data-testid=escalation-link]")!.GetAttribute("href");
        Assert.StartsWith("escalations/", id, StringComparison.Ordinal);
        Assert.Equal("2,500.00 EUR", row.QuerySelector("[data-testid=amount]")!.TextContent.Trim());
        Assert.Equal("3 d", row.QuerySelector("[data-testid=age]")!.TextContent.Trim());
        // The sample kind's words, with the automation's own figure (escalateAbove), for each reason.
        var reasons = row.QuerySelectorAll("[data-testid=reason]").Select(c => c.GetAttribute("aria-label")).ToList();
        Assert.Equal(2, reasons.Count);
        Assert.StartsWith("Above ", reasons[0], StringComparison.Ordinal);
        Assert.EndsWith("(escalateAbove)", reasons[0], StringComparison.Ordinal);
        Assert.Equal("The file could not be read", reasons[1]);
        Assert.Equal("5 h", page.FindAll("[data-testid=queue] tbody tr").Single(r => r.TextContent.Contains("N-001", StringComparison.Ordinal)).QuerySelector("[data-testid=age]")!.TextContent.Trim());
        Assert.Equal("30 min", page.FindAll("[data-testid=queue] tbody tr").Single(r => r.TextContent.Contains("N-003", StringComparison.Ordinal)).QuerySelector("[data-testid=age]")!.TextContent.Trim());
    }

    [Fact]
    public void WithNothingHeldTheQueueOpensOnUnassignedAndAnEmptyMineSaysWhatToDo()
    {
        SignInAsPerson(Role.Agent, Guid.NewGuid(), "newcomer@portal.test");
        SeedQueue();
        RenderPopoverProvider();

        var page = RenderQueue("escalations");

        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-001", "N-003"], Rows(page)));
        Assert.Equal("true", page.Find("[data-testid=view-unassigned]").GetAttribute("aria-selected"));
        Assert.Equal("0", Count(page, "mine"));

        page.Find("[data-testid=view-mine]").Click();

        page.WaitForAssertion(() => Assert.Contains("Nothing held by you", page.Find("[data-testid=queue-empty]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Claim an item from Unassigned", page.Find("[data-testid=queue-empty]").TextContent, StringComparison.Ordinal);
        page.Find("[data-testid=to-unassigned]").Click();
        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count));
    }

    [Fact]
    public void AnAmountRangeFromTheLinkAndASearchNarrowTheRows()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();
        var page = RenderQueue("escalations?view=unassigned&min=100&max=1000");

        page.WaitForAssertion(() => Assert.Equal(["N-001"], Rows(page)));
        Assert.Contains("Filters (2)", page.Find("[data-testid=toggle-filters]").TextContent, StringComparison.Ordinal);

        page.Find("[data-testid=clear-filters]").Click();
        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-001", "N-003"], Rows(page)));

        var search = page.Find("input[data-testid=queue-search], [data-testid=queue-search] input");
        search.Input("birch");
        search.Blur();

        page.WaitForAssertion(() => Assert.Equal(["N-002"], Rows(page)));
        Assert.Contains("q=birch", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        // The counts are the views' own, whatever the filters show.
        Assert.Equal("3", Count(page, "unassigned"));

        page.Find("[data-testid=view-mine]").Click();
        page.WaitForAssertion(() => Assert.Contains("Nothing here matches these filters", page.Find("[data-testid=queue-empty]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void SortingByAmountOrdersTheRowsOnTheServer()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();
        var page = RenderQueue("escalations?view=unassigned");
        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-001", "N-003"], Rows(page)));

        Header(page, "Value").QuerySelector(".sortable-column-header")!.Click();

        page.WaitForAssertion(() => Assert.Equal(["N-003", "N-001", "N-002"], Rows(page)));

        Header(page, "Value").QuerySelector(".sortable-column-header")!.Click();

        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-001", "N-003"], Rows(page)));
        Assert.Equal(["2,500.00 EUR", "120.00 EUR", "40.00 EUR"], page.FindAll("[data-testid=queue] tbody tr [data-testid=amount]").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public void ClaimMovesARowFromUnassignedToMine()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();
        var page = RenderQueue("escalations?view=unassigned");
        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-001", "N-003"], Rows(page)));

        Row(page, "N-001").QuerySelector("[data-testid=claim]")!.Click();

        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-003"], Rows(page)));
        Assert.Equal("2", Count(page, "unassigned"));
        Assert.Equal("3", Count(page, "mine"));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message?.Contains("N-001 is yours now", StringComparison.Ordinal) == true);

        page.Find("[data-testid=view-mine]").Click();

        page.WaitForAssertion(() => Assert.Equal(["N-011", "N-001", "N-010"], Rows(page)));
        Assert.Equal(AgentName, Row(page, "N-001").QuerySelector("[data-testid=assignee]")!.TextContent.Trim());
    }

    [Fact]
    public void AClaimSomeoneElseWonSaysWhoHasTheItemAndTheRowGoes()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();
        var page = RenderQueue("escalations?view=unassigned");
        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count));

        // The colleague claims N-001 while the Agent looks at the list.
        using (var db = NewContext())
        {
            var escalation = db.Set<Escalation>().Single(e => e.Status == EscalationStatus.Open && db.Set<WorkItem>().Any(w => w.Id == e.WorkItemId && w.SummaryReference == "N-001"));
            escalation.Status = EscalationStatus.Claimed;
            escalation.AssigneeId = ColleagueId;
            escalation.AssigneeName = ColleagueName;
            db.SaveChanges();
        }

        Row(page, "N-001").QuerySelector("[data-testid=claim]")!.Click();

        page.WaitForAssertion(() => Assert.Equal(["N-002", "N-003"], Rows(page)));
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == $"{ColleagueName} has this item." && s.Severity == Severity.Warning);
        Assert.Equal("2", Count(page, "mine"));
    }

    [Fact]
    public void HeadersUseTheKindsLabelsWhenEveryRowIsOfOneKindAndTheNeutralOnesOtherwise()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        var numbers = SeedQueue();
        AddOtherKindEscalation("X-100");
        RenderPopoverProvider();
        var page = RenderQueue("escalations?view=all");

        page.WaitForAssertion(() => Assert.Equal(8, Rows(page).Count));
        Assert.Equal(["Reference", "Party", "Amount"], Headers(page).Take(3));
        Assert.Contains("needs-a-look", Row(page, "X-100").QuerySelector("[data-testid=reason]")!.TextContent, StringComparison.Ordinal);

        Navigate($"escalations?view=all&automation={numbers}");

        page.WaitForAssertion(() => Assert.Equal(7, Rows(page).Count));
        Assert.Equal(["File", "Party", "Value"], Headers(page).Take(3));
        Assert.Contains("Filters (1)", page.Find("[data-testid=toggle-filters]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnsThatSayTheSameOnEveryRowOfAViewGiveWay()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();

        var page = RenderQueue("escalations?view=unassigned");

        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count));
        Assert.Equal(["Status", "Assignee"], page.FindAll("[data-testid=queue] thead th").Where(th => GivenWay(th)).Select(th => th.TextContent.Trim()));

        page.Find("[data-testid=view-deferred]").Click();

        page.WaitForAssertion(() => Assert.Equal(["N-021"], Rows(page)));
        Assert.DoesNotContain(page.FindAll("[data-testid=queue] thead th"), GivenWay);
    }

    [Fact]
    public void OnAPhoneTheSecondaryColumnsGiveWayAndThePartyStandsUnderTheReference()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();

        var page = RenderQueue("escalations?view=all");

        page.WaitForAssertion(() => Assert.Equal(7, Rows(page).Count));
        var hidden = page.FindAll("[data-testid=queue] thead th").Where(th => th.ClassList.Contains("d-none")).Select(th => th.TextContent.Trim()).ToList();
        Assert.Equal(["Party", "Automation", "Status", "Assignee"], hidden);
        var cells = Row(page, "N-010").QuerySelectorAll("td");
        Assert.Equal(3, cells.Count(td => td.ClassList.Contains("d-none") && td.ClassList.Contains("d-md-table-cell")));
        Assert.Equal(1, cells.Count(td => td.ClassList.Contains("d-none") && td.ClassList.Contains("d-xl-table-cell")));
        Assert.Contains("Acme", Row(page, "N-010").QuerySelector(".d-md-none")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Numbers inbox", Row(page, "N-010").QuerySelector("[data-testid=automation-caption]")!.TextContent.Trim());
    }

    private IRenderedComponent<EscalationsPage> RenderQueue(string link)
    {
        Navigate(link);
        return Render<EscalationsPage>();
    }

    private NavigationManager Navigate(string relative)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(relative);
        return navigation;
    }

    private static string Count(IRenderedComponent<EscalationsPage> page, string view) =>
        page.Find($"[data-testid=view-{view}] [data-testid=view-count]").TextContent.Trim();

    private static IElement Row(IRenderedComponent<EscalationsPage> page, string reference) =>
        page.FindAll("[data-testid=queue] tbody tr").Single(r => r.QuerySelector("[data-testid=escalation-link]")?.TextContent.Trim() == reference);

    private static IElement Header(IRenderedComponent<EscalationsPage> page, string title) =>
        page.FindAll("[data-testid=queue] thead th").Single(th => th.TextContent.Trim() == title);

    /// <summary>A column hidden at every width: the view makes it say the same on every row.</summary>
    private static bool GivenWay(IElement th) =>
        th.ClassList.Contains("d-none") && !th.ClassList.Contains("d-md-table-cell") && !th.ClassList.Contains("d-xl-table-cell");

    private static List<string> Headers(IRenderedComponent<EscalationsPage> page) =>
        page.FindAll("[data-testid=queue] thead th").Select(th => th.TextContent.Trim()).ToList();
}
