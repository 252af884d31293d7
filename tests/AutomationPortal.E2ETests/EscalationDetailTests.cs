using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

/// <summary>The escalation's detail view and the override of a decision, on the demo portal's invoices.</summary>
public sealed class EscalationDetailTests(LivePortal portal) : IClassFixture<LivePortal>
{
    [Fact]
    public async Task AnAgentClaimsAndApprovesAnEscalatedInvoiceFromItsDetailView()
    {
        var page = await portal.NewPageAsync(1400, 1000);
        var duplicate = await EscalationAsync("duplicate");
        var unusual = await EscalationAsync("unusual-amount", "over-threshold");
        await LivePortal.SignInAsync(page, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        await page.GotoAsync($"escalations/{duplicate.Id}");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Invoice INV-2026-00004");
        await Assertions.Expect(page.Locator("[data-testid=reason][data-code=duplicate]")).ToContainTextAsync("Compare it with the earlier invoice");
        await Assertions.Expect(page.Locator("[data-testid=preview-approve]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=earlier-item]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=evidence-link]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=decide-hint]")).ToHaveTextAsync("Claim it to decide");
        await Assertions.Expect(page.Locator("[data-testid=approve]")).ToBeDisabledAsync();
        await LivePortal.ScreenshotAsync(page, "escalation-duplicate", fullPage: true);

        var phone = await portal.NewPageAsync(390, 844);
        await LivePortal.SignInAsync(phone, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        await phone.GotoAsync($"escalations/{duplicate.Id}");
        await Assertions.Expect(phone.Locator("[data-testid=reason]").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(phone, "escalation-detail-phone", fullPage: true);
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The detail view scrolls sideways on a phone.");
        await phone.Context.CloseAsync();

        // The unusual amount: claimed, approved in the dialog with the minutes measured since the claim.
        await page.GotoAsync($"escalations/{unusual.Id}");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=reason]").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "escalation-unusual-amount", fullPage: true);
        await page.ClickAsync("[data-testid=claim]");
        await Assertions.Expect(page.Locator("[data-testid=assignee]")).ToHaveTextAsync("Held by you");
        await Assertions.Expect(page.Locator("[data-testid=approve]")).ToBeEnabledAsync();
        await page.ClickAsync("[data-testid=approve]");
        var dialog = page.Locator("[data-testid=resolve-dialog]");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(LivePortal.Field("resolve-minutes"))).ToHaveValueAsync("1");
        await page.Locator("textarea[data-testid=resolve-note], [data-testid=resolve-note] textarea").First.FillAsync("Checked against the purchase order: the amount is right.");
        await LivePortal.ScreenshotAsync(page, "resolve-dialog");
        await page.ClickAsync("[data-testid=resolve-submit]");

        await Assertions.Expect(page.Locator("[data-testid=resolved-banner]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=escalation-status]")).ToContainTextAsync("Resolved");
        await Assertions.Expect(page.Locator(".mud-snackbar", new PageLocatorOptions { HasText = "in a run started now" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-type=resolved]")).ToContainTextAsync("Approved");
        await Assertions.Expect(page.Locator("[data-testid=approve]")).ToBeDisabledAsync();

        // Correct and approve starts from the invoice as read: on the invoice the demo Agent holds already.
        var another = await HeldByTheDemoAgentAsync();
        await page.GotoAsync($"escalations/{another.Id}");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=assignee]")).ToHaveTextAsync("Held by you");
        await Assertions.Expect(page.Locator("[data-testid=correct]")).ToBeEnabledAsync();
        await page.ClickAsync("[data-testid=correct]");
        await Assertions.Expect(page.Locator(LivePortal.Field("resolve-field-invoiceNumber"))).ToHaveValueAsync(another.Reference!);
        await LivePortal.ScreenshotAsync(page, "resolve-correct");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=resolve-dialog]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AManagerOverridesAnAutoApprovedInvoiceAndSeesTheReversalInItsTimeline()
    {
        var page = await portal.NewPageAsync(1400, 1000);
        var approved = await AutoApprovedAsync();
        await LivePortal.SignInAsync(page, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        await page.GotoAsync($"work-items/{approved.Id}");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=override]")).ToBeEnabledAsync();
        await page.ClickAsync("[data-testid=override]");

        var dialog = page.Locator("[data-testid=override-dialog]");
        await Assertions.Expect(dialog.Locator("[data-testid=override-what-happens]")).ToContainTextAsync("reversal");
        await dialog.Locator(".mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new PageLocatorOptions { HasText = "Duplicate" }).ClickAsync();
        await dialog.Locator("textarea").First.FillAsync("The supplier sent this invoice twice; the first one is paid.");
        await LivePortal.ScreenshotAsync(page, "override-dialog");
        await page.ClickAsync("[data-testid=override-submit]");
        await Assertions.Expect(page.Locator(".mud-snackbar", new PageLocatorOptions { HasText = "undoing the item" })).ToBeVisibleAsync();

        // The run started for the override posts the reversal; the page shows it once reloaded.
        await WaitForItemAsync(approved.Id, WorkItemStatus.Compensated);
        await page.ReloadAsync();
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-type=overridden]")).ToContainTextAsync("Overrode the decision: reject (duplicate)");
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-type=compensated]").First).ToContainTextAsync("Undone");
        await Assertions.Expect(page.Locator("[data-testid=item-status]")).ToHaveTextAsync("Reversed");
        await Assertions.Expect(page.Locator("[data-testid=override]")).ToBeDisabledAsync();
        await LivePortal.ScreenshotAsync(page, "override-reversed", fullPage: true);
        await page.Context.CloseAsync();
    }

    /// <summary>The invoice the demo Agent claimed at start and holds.</summary>
    private async Task<EscalationView> HeldByTheDemoAgentAsync()
    {
        await portal.DemoSettledAsync();
        using var scope = portal.Service<IServiceScopeFactory>().CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("test");
        var held = await scope.ServiceProvider.GetRequiredService<EscalationQueries>()
            .ListAsync(new EscalationFilter(Status: EscalationStatus.Claimed, Search: "INV-2026-"), new EscalationSort(), 1, 10);
        return Assert.Single(held.Items, e => e.Assignee?.Name == PortalAppFactory.AgentEmail);
    }

    /// <summary>The demo's open escalation with the first of these reasons that has one, once the demo has settled.</summary>
    private async Task<EscalationView> EscalationAsync(params string[] reasons)
    {
        await portal.DemoSettledAsync();
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var scope = portal.Service<IServiceScopeFactory>().CreateScope();
            scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("test");
            var queue = scope.ServiceProvider.GetRequiredService<EscalationQueries>();
            foreach (var reason in reasons)
            {
                var found = await queue.ListAsync(new EscalationFilter(QueueView.Unassigned, Reason: reason), new EscalationSort(), 1, 1);
                if (found.Items.Count > 0)
                {
                    return found.Items[0];
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The demo has no open escalation for {string.Join(" or ", reasons)} after 30 s.");
        return null!;
    }

    /// <summary>An invoice of the demo the automation approved and posted, with nobody's hand on it.</summary>
    private async Task<WorkItemView> AutoApprovedAsync()
    {
        await EscalationAsync("duplicate");
        using var scope = portal.Service<IServiceScopeFactory>().CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("test");
        var queries = scope.ServiceProvider.GetRequiredService<AutomationQueries>();
        var done = await queries.WorkItemsAsync(null, WorkItemStatus.Done, null, null, null, 1, 100);
        // Not the original of the resent copy, whose escalation the other test shows.
        var posted = done.Items.Where(i => i.Decision == "approve" && i.Lane == Lane.Live && i.Type == "Invoice" && i.Reference != "INV-2026-00004").ToList();
        Assert.NotEmpty(posted);
        return posted[0];
    }

    private async Task WaitForItemAsync(Guid itemId, WorkItemStatus status)
    {
        for (var i = 0; i < 300; i++)
        {
            using var scope = portal.Service<IServiceScopeFactory>().CreateScope();
            if ((await scope.ServiceProvider.GetRequiredService<AutomationQueries>().WorkItemAsync(itemId))?.Item.Status == status)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Work item {itemId} did not become {status} in 30 s.");
    }
}
