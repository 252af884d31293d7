using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Pages;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.ComponentTests.Automations;

/// <summary>The automation pages over the real services.</summary>
public sealed class AutomationPagesTests : PortalDatabaseTest
{
    [Fact]
    public void WithoutAutomationsAnAdminIsToldToCreateOne()
    {
        SignInAs(Role.Admin);

        var page = Render<AutomationsPage>();

        page.WaitForAssertion(() => Assert.Contains("No automations yet", page.Markup, StringComparison.Ordinal));
        Assert.Contains("Create one with New automation", page.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=new-automation]"));
    }

    [Fact]
    public void AnAgentSeesAutomationsButNoControls()
    {
        SignInAs(Role.Agent, "agent@portal.test");
        CreateAutomation("Nightly numbers", AutomationState.Production);
        RenderPopoverProvider();

        var page = Render<AutomationsPage>();

        page.WaitForAssertion(() => Assert.Contains("Nightly numbers", page.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=new-automation]"));
        Assert.Empty(page.FindAll("[data-testid=run-now]"));
        Assert.Empty(page.FindAll("[data-testid=pause-all]"));
        Assert.Empty(page.FindAll("input.mud-switch-input"));
        Assert.Equal("On", page.Find("[data-testid=on-off]").TextContent.Trim());
        Assert.Contains("Sample: numbers inbox", page.Find("td[data-label=Automation]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("sample-inbox", page.Find("td[data-label=Automation]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAdminSwitchesAnAutomationOffAndTheNextRunGoesAway()
    {
        SignInAs(Role.Admin, "admin@portal.test");
        CreateAutomation("Hourly numbers", AutomationState.Production, "0 0 * * * ?");
        RenderPopoverProvider();
        var page = Render<AutomationsPage>();
        page.WaitForAssertion(() => Assert.Equal("Production", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.DoesNotContain("off", page.Find("[data-testid=next-run]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Every hour, on the hour", page.Find("td[data-label=Schedule] p").TextContent.Trim());

        page.Find("input.mud-switch-input").Change(false);

        page.WaitForAssertion(() => Assert.Equal("Paused", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.Contains("off", page.Find("[data-testid=next-run]").TextContent, StringComparison.Ordinal);

        page.Find("input.mud-switch-input").Change(true);

        page.WaitForAssertion(() => Assert.Equal("Production", page.Find("[data-testid=state]").TextContent.Trim()));
    }

    [Fact]
    public async Task TheServiceRefusesAnAgentWhateverThePageShows()
    {
        var id = CreateAutomation("Guarded", AutomationState.Production);
        await using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(new Actor(ActorKind.User, Guid.NewGuid(), "agent@portal.test") { Roles = [Role.Agent] });
        var service = scope.ServiceProvider.GetRequiredService<AutomationService>();

        await Assert.ThrowsAsync<ForbiddenException>(() => service.PauseAsync(id));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.RunNowAsync(id));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.PauseAllAsync());
    }

    [Fact]
    public void TheSuccessFigureCountsRunsThatHadWorkAndSaysOnHoverWhatItCounts()
    {
        SignInAs(Role.Manager, "manager@portal.test");
        var id = CreateAutomation("Counted numbers", AutomationState.Production);
        using (var db = Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            var now = DateTime.UtcNow;
            db.AddRange(
                new AutomationRun { AutomationId = id, QueuedAt = now.AddHours(-3), Status = RunStatus.Succeeded, ItemsRead = 3, ItemsDone = 2, ItemsQuarantined = 1 },
                new AutomationRun { AutomationId = id, QueuedAt = now.AddHours(-2), Status = RunStatus.Succeeded },
                new AutomationRun { AutomationId = id, QueuedAt = now.AddHours(-1), Status = RunStatus.PartiallySucceeded, ItemsRead = 2, ItemsDone = 1, ItemsFailed = 1 });
            db.SaveChanges();
        }

        var popovers = RenderPopoverProvider();
        var page = Render<AutomationsPage>();

        // The quarantined file is no fault and the empty run is left out: one good run of two that had work.
        page.WaitForAssertion(() => Assert.Equal("50%", page.Find("[data-testid=success-rate]").TextContent.Replace(" ", "", StringComparison.Ordinal).Trim()));
        page.Find("td[data-label='7-day success'] .mud-tooltip-root").PointerEnter();
        page.WaitForAssertion(() => Assert.Contains("share that finished without a fault", popovers.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task APausedAutomationOffersResumeInsteadOfRunNow()
    {
        SignInAs(Role.Admin, "admin@portal.test");
        var id = CreateAutomation("Held numbers", AutomationState.Production);
        await using (var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("test");
            await scope.ServiceProvider.GetRequiredService<AutomationService>().PauseAsync(id);
        }

        RenderPopoverProvider();
        var page = Render<AutomationsPage>();

        page.WaitForAssertion(() => Assert.Equal("Paused", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=run-now]"));
        page.Find("[data-testid=resume]").Click();
        page.WaitForAssertion(() => Assert.Equal("Production", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.NotEmpty(page.FindAll("[data-testid=run-now]"));
    }

    [Fact]
    public void TheScheduleEditorChecksDescribesAndListsTheNextFiveRuns()
    {
        var editor = Render<ScheduleEditor>(p => p.Add(e => e.Schedule, "0 0 3 * * ?").Add(e => e.TimeZone, "Europe/Berlin"));

        Assert.Equal("Every day at 03:00", editor.Find("[data-testid=schedule-description]").TextContent.Trim());
        Assert.Equal(5, editor.FindAll("[data-testid=next-fires] .mud-chip").Count);
        Assert.All(editor.FindAll("[data-testid=next-fires] .mud-chip"), chip => Assert.Contains("03:00:00", chip.TextContent, StringComparison.Ordinal));

        editor.Render(p => p.Add(e => e.Schedule, "0 0 25 * * ?"));

        Assert.Contains("Not a valid schedule", editor.Markup, StringComparison.Ordinal);
        Assert.Empty(editor.FindAll("[data-testid=next-fires]"));
        Assert.False(editor.Instance.IsValid);
    }

    [Fact]
    public void AnAdminSeesTheWholeAlertBannerWithItsLinkAndWhatResumingDoes()
    {
        SignInAs(Role.Admin);
        var id = Guid.NewGuid();
        var banner = Render<AlertBanner>(p => p.Add(b => b.Alerts, [AutoPaused(id)]));

        Assert.Contains("An automation paused itself", banner.Markup, StringComparison.Ordinal);
        Assert.Contains("Resuming an auto-paused automation acknowledges its alert", banner.Markup, StringComparison.Ordinal);
        Assert.Equal($"automations/{id}", banner.Find("a").GetAttribute("href"));
        Assert.Empty(banner.FindAll("[data-testid=alert-details]"));
    }

    [Fact]
    public void SomeoneWhoCannotResumeSeesTheAlertInOneLineWithTheRestOneTapAway()
    {
        SignInAs(Role.Agent);
        var id = Guid.NewGuid();
        var banner = Render<AlertBanner>(p => p.Add(b => b.Alerts, [AutoPaused(id)]));

        Assert.Equal("Invoices paused itself", banner.Find("[data-testid=alert-headline]").TextContent.Trim());
        Assert.DoesNotContain("6 of the last 10 items failed", banner.Markup, StringComparison.Ordinal);
        Assert.Empty(banner.FindAll("a"));

        banner.Find("[data-testid=alert-details]").Click();

        Assert.Contains("6 of the last 10 items failed", banner.Markup, StringComparison.Ordinal);
        Assert.Equal($"automations/{id}", banner.Find("a").GetAttribute("href"));
        Assert.Equal("true", banner.Find("[data-testid=alert-details]").GetAttribute("aria-expanded"));
    }

    private static AlertView AutoPaused(Guid automationId) =>
        new(Guid.NewGuid(), automationId, "Invoices", "auto-paused:failure-rate", "Invoices paused itself: 6 of the last 10 items failed (60 %).", DateTime.UtcNow, null, null);

    [Fact]
    public void TheStatusFilterListsStatusesInTheKindsWordsAndShowsTheChosenOneSo()
    {
        SignInAs(Role.Agent);
        var popovers = RenderPopoverProvider();
        var grid = Render<WorkItemGrid>(p => p.Add(g => g.Presentation, AutomationPortal.Web.Features.InvoiceIntake.InvoicePresentation.Instance));

        grid.Find("div.mud-input-control.mud-select").MouseDown();

        var items = popovers.WaitForElements(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ToList();
        Assert.Contains("Awaiting posting", items);
        Assert.Contains("Posting failed", items);
        Assert.DoesNotContain(items, i => i is "AwaitingAction" or "ActionFailed");

        popovers.FindAll(".mud-popover-open .mud-list-item").First(i => i.TextContent.Trim() == "Posting failed").Click();

        grid.WaitForAssertion(() => Assert.Equal("Posting failed", grid.Find("input[data-testid=status-filter]").GetAttribute("value")));
        grid.WaitForAssertion(() => Assert.Contains("No work items with status Posting failed", grid.Markup, StringComparison.Ordinal));
        Assert.Contains("Search invoice number or supplier", grid.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AGridOfAKindWithoutWordsOfItsOwnSaysActionNotPosting()
    {
        SignInAs(Role.Agent);
        var popovers = RenderPopoverProvider();
        var grid = Render<WorkItemGrid>();

        grid.Find("div.mud-input-control.mud-select").MouseDown();

        var items = popovers.WaitForElements(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ToList();
        Assert.Contains("Awaiting action", items);
        Assert.Contains("Action failed", items);
        Assert.DoesNotContain(items, i => i.Contains("posting", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ALinkToAnUnknownAutomationSaysTheLinkIsWrongAndLeadsBackToTheList()
    {
        SignInAs(Role.Agent);
        RenderPopoverProvider();

        var page = Render<AutomationDetailPage>(p => p.Add(d => d.Id, Guid.NewGuid()));

        var notice = page.WaitForElement("[data-testid=link-leads-nowhere]");
        Assert.Contains("This link leads to no automation", notice.TextContent, StringComparison.Ordinal);
        Assert.Contains("mistyped", notice.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("removed", page.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("automations", notice.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void AQuarantinedItemIsTitledByItsFileNameNotItsHash()
    {
        SignInAs(Role.Agent);
        RenderPopoverProvider();
        var automationId = CreateAutomation("Invoices", AutomationState.Production);
        var hash = new string('a', 32) + new string('7', 32);
        var item = AddQuarantined(automationId, hash);

        var grid = Render<WorkItemGrid>(p => p.Add(g => g.AutomationId, automationId));
        grid.WaitForAssertion(() => Assert.Equal("scan-0042.pdf", grid.Find("[data-testid=work-item-link]").TextContent.Trim()));

        var page = Render<WorkItemPage>(p => p.Add(w => w.Id, item.Id));
        page.WaitForAssertion(() => Assert.Contains("scan-0042.pdf", page.Find("h1").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(hash[..12], page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void OnAPhoneEachPartOfAWorkItemCardWrapsInsideItsCell()
    {
        SignInAs(Role.Agent);
        RenderPopoverProvider();
        var automationId = CreateAutomation("Invoices", AutomationState.Production);
        AddQuarantined(automationId, new string('b', 64));

        var grid = Render<WorkItemGrid>(p => p.Add(g => g.AutomationId, automationId));

        // Below 600 px MudBlazor lays a row out as label and value side by side: a cell with several parts keeps them
        // in one block that wraps, so chips and long errors do not widen the card beyond the screen.
        var row = grid.WaitForElement("[data-testid=work-items] tbody tr");
        Assert.All(row.QuerySelectorAll("td"), cell => Assert.True(cell.Children.Length <= 1, $"{cell.GetAttribute("data-label")} has {cell.Children.Length} parts"));
        Assert.Contains("portal-cell-wrap", row.QuerySelector("td[data-label=Reasons]")!.Children[0].ClassList);
    }

    private WorkItem AddQuarantined(Guid automationId, string sourceKey)
    {
        var item = new WorkItem
        {
            AutomationId = automationId, SourceKey = sourceKey, Status = WorkItemStatus.Quarantined, ReasonCodes = "unreadable",
            OriginalRef = Path.Combine(Path.GetTempPath(), "invoices", "quarantine", "scan-0042.pdf"), Error = "The file is a PDF document, not an e-invoice.",
            ReceivedAt = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc),
        };
        using var db = NewContext();
        db.Add(item);
        db.SaveChanges();
        return item;
    }
}
