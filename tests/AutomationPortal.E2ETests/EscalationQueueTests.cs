using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

public sealed class EscalationQueueTests(LivePortal portal) : IClassFixture<LivePortal>
{
    [Fact]
    public async Task TheQueueShowsTheDemoEscalationsByViewAndAnAgentClaimsOne()
    {
        using var http = portal.ApiClient();
        var unassigned = await WaitForTheDemoInvoicesAsync(http);

        var page = await portal.NewPageAsync(1400, 1000);
        await LivePortal.SignInAsync(page, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        await page.GotoAsync("escalations");
        await LivePortal.WaitForCircuitAsync(page);

        // The Agent holds nothing yet: the queue opens on what waits for someone, oldest first.
        await Assertions.Expect(page.Locator("[data-testid=view-unassigned]")).ToHaveAttributeAsync("aria-selected", "true");
        var rows = page.Locator("[data-testid=queue] tbody tr");
        await Assertions.Expect(rows.Locator("[data-testid=escalation-link]", new LocatorLocatorOptions { HasText = "INV-2026-" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=view-unassigned] [data-testid=view-count]")).ToHaveTextAsync(unassigned.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("[data-testid=view-mine] [data-testid=view-count]")).ToHaveTextAsync("0");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(unassigned, 25));
        await Assertions.Expect(rows.Locator("[data-testid=reason]").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "escalation-queue");

        // Claim the oldest invoice: it leaves Unassigned and is the Agent's.
        var invoice = rows.Filter(new LocatorFilterOptions { HasText = "INV-2026-" }).First;
        var reference = (await invoice.Locator("[data-testid=escalation-link]").TextContentAsync())!.Trim();
        await invoice.Locator("[data-testid=claim]").ClickAsync();
        await Assertions.Expect(page.GetByText($"{reference} is yours now")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=view-mine] [data-testid=view-count]")).ToHaveTextAsync("1");
        await Assertions.Expect(rows.Locator("[data-testid=escalation-link]", new LocatorLocatorOptions { HasText = reference })).ToHaveCountAsync(0);

        await page.ClickAsync("[data-testid=view-mine]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("escalations\\?view=mine$"));
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First.Locator("[data-testid=escalation-link]")).ToHaveTextAsync(reference);
        await Assertions.Expect(page.Locator("[data-testid=escalation-badge]")).ToHaveTextAsync(unassigned.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // All open names who holds what.
        await page.ClickAsync("[data-testid=view-all]");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(unassigned, 25));
        var held = rows.Filter(new LocatorFilterOptions { HasText = reference });
        await Assertions.Expect(held.Locator("[data-testid=assignee]")).ToHaveTextAsync(PortalAppFactory.AgentEmail);
        await Assertions.Expect(held.Locator("[data-testid=status]")).ToHaveTextAsync("Claimed");
        await Assertions.Expect(held.Locator("[data-testid=claim]")).ToHaveCountAsync(0);
        await page.WaitForTimeoutAsync(400); // the chips' colour transition
        await LivePortal.ScreenshotAsync(page, "escalation-queue-all");

        // A filter reloads the list from the server and stands in the link.
        await page.ClickAsync("[data-testid=toggle-filters]");
        await page.FillAsync(LivePortal.Field("filter-min"), "5000");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("min=5000"));
        await Assertions.Expect(rows.Locator("[data-testid=amount]")).ToHaveTextAsync(["7,259.23 EUR", "5,602.86 EUR"]);
        await page.Locator("[data-testid=queue-filters]").ClickAsync(new LocatorClickOptions { Position = new Position { X = 5, Y = 5 } });
        await LivePortal.ScreenshotAsync(page, "escalation-queue-filters");
        await page.ClickAsync("[data-testid=clear-filters]");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(unassigned, 25));

        await page.ClickAsync("[data-testid=view-mine]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);

        // The view is in the link: a reload opens it again.
        await page.ReloadAsync();
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=view-mine]")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(rows.First.Locator("[data-testid=escalation-link]")).ToHaveTextAsync(reference);

        // The home is the same queue in short: Mine first, then Unassigned, with the same counts.
        await page.GotoAsync("");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("My work");
        await Assertions.Expect(page.Locator("[data-testid=mine-items] [data-testid=escalation-link]")).ToHaveTextAsync([reference]);
        await Assertions.Expect(page.Locator("[data-testid=stat-unassigned] h5")).ToHaveTextAsync((unassigned - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("[data-testid=all-mine]")).ToHaveTextAsync("All of mine (1)");
        await LivePortal.ScreenshotAsync(page, "agent-home", fullPage: true);
        await page.Context.CloseAsync();

        // On a phone the queue keeps what an Agent works by (what, how much, why, how long, Claim) and fits the width.
        var phone = await portal.NewPageAsync(390, 844);
        await LivePortal.SignInAsync(phone, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        await phone.GotoAsync("escalations?view=unassigned");
        await LivePortal.WaitForCircuitAsync(phone);
        var phoneRows = phone.Locator("[data-testid=queue] tbody tr");
        await Assertions.Expect(phoneRows.Locator("[data-testid=claim]").First).ToBeVisibleAsync();
        await Assertions.Expect(phoneRows.First.Locator("td[data-label=Automation]")).ToBeHiddenAsync();
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The queue scrolls sideways on a phone.");
        await LivePortal.ScreenshotAsync(phone, "escalation-queue-phone");
        await phone.Context.CloseAsync();
    }

    /// <summary>The demo reads its invoice inbox once at start and escalates several: waits until that run is done, and returns how many wait.</summary>
    private static async Task<int> WaitForTheDemoInvoicesAsync(HttpClient http)
    {
        var automations = await http.GetFromJsonAsync<JsonElement>(new Uri("api/automations", UriKind.Relative));
        var demo = automations.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "Demo: invoice intake").GetProperty("id").GetGuid();
        for (var i = 0; i < 600; i++)
        {
            var runs = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/automations/{demo}/runs?pageSize=20", UriKind.Relative));
            var going = runs.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("status").GetString() is "Queued" or "Running");
            var counts = await http.GetFromJsonAsync<JsonElement>(new Uri("api/escalations/counts", UriKind.Relative));
            var unassigned = counts.GetProperty("unassigned").GetInt32();
            if (!going && unassigned >= 3)
            {
                return unassigned;
            }

            await Task.Delay(100);
        }

        Assert.Fail("The demo's invoices were not escalated within a minute.");
        return 0;
    }
}
