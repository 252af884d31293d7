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
        await portal.DemoSettledAsync();
        await QuietTheSampleAutomationAsync(http);
        var counts = await http.GetFromJsonAsync<JsonElement>(new Uri("api/escalations/counts", UriKind.Relative));
        unassigned = counts.GetProperty("unassigned").GetInt32();
        var open = counts.GetProperty("all").GetInt32();
        string Count(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var page = await portal.NewPageAsync(1400, 1000);
        await LivePortal.SignInAsync(page, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        await page.GotoAsync("escalations");
        await LivePortal.WaitForCircuitAsync(page);

        // The demo Agent holds an invoice already: the queue opens on what they hold.
        await Assertions.Expect(page.Locator("[data-testid=view-mine]")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.Locator("[data-testid=view-mine] [data-testid=view-count]")).ToHaveTextAsync("1");
        var rows = page.Locator("[data-testid=queue] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);

        // What waits for someone, oldest first.
        await page.ClickAsync("[data-testid=view-unassigned]");
        await Assertions.Expect(page.Locator("[data-testid=view-unassigned]")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(rows.Locator("[data-testid=escalation-link]", new LocatorLocatorOptions { HasText = "INV-2026-" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=view-unassigned] [data-testid=view-count]")).ToHaveTextAsync(Count(unassigned));
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(unassigned, 25));
        await Assertions.Expect(rows.Locator("[data-testid=reason]").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "escalation-queue");

        // Claim the oldest invoice: it leaves Unassigned and is the Agent's.
        var invoice = rows.Filter(new LocatorFilterOptions { HasText = "INV-2026-" }).First;
        var reference = (await invoice.Locator("[data-testid=escalation-link]").TextContentAsync())!.Trim();
        await invoice.Locator("[data-testid=claim]").ClickAsync();
        await Assertions.Expect(page.GetByText($"{reference} is yours now")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=view-mine] [data-testid=view-count]")).ToHaveTextAsync("2");
        await Assertions.Expect(rows.Locator("[data-testid=escalation-link]", new LocatorLocatorOptions { HasText = reference })).ToHaveCountAsync(0);

        // A second person (another browser) sees it leave Unassigned after a reload.
        var other = await portal.NewPageAsync(1400, 1000);
        await LivePortal.SignInAsync(other, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        await other.GotoAsync("escalations?view=unassigned");
        await LivePortal.WaitForCircuitAsync(other);
        var otherRows = other.Locator("[data-testid=queue] tbody tr");
        await Assertions.Expect(other.Locator("[data-testid=view-unassigned] [data-testid=view-count]")).ToHaveTextAsync(Count(unassigned - 1));
        await Assertions.Expect(otherRows.Locator("[data-testid=escalation-link]", new LocatorLocatorOptions { HasText = reference })).ToHaveCountAsync(0);
        await other.Context.CloseAsync();

        await page.ClickAsync("[data-testid=view-mine]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("escalations\\?view=mine$"));
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Locator("[data-testid=escalation-link]", new LocatorLocatorOptions { HasText = reference })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=escalation-badge]")).ToHaveTextAsync(Count(unassigned - 1 + 2));

        // All open names who holds what.
        await page.ClickAsync("[data-testid=view-all]");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(open, 25));
        var held = rows.Filter(new LocatorFilterOptions { HasText = reference });
        await Assertions.Expect(held.Locator("[data-testid=assignee]")).ToHaveTextAsync(PortalAppFactory.AgentEmail);
        await Assertions.Expect(held.Locator("[data-testid=status]")).ToHaveTextAsync("Claimed");
        await Assertions.Expect(held.Locator("[data-testid=claim]")).ToHaveCountAsync(0);
        await page.WaitForTimeoutAsync(400); // the chips' colour transition
        await LivePortal.ScreenshotAsync(page, "escalation-queue-all");

        // A filter reloads the list from the server and stands in the link: the amounts are the API's for the same filter.
        var large = await http.GetFromJsonAsync<JsonElement>(new Uri("api/escalations?minAmount=5000&pageSize=25", UriKind.Relative));
        var expected = large.GetProperty("items").EnumerateArray()
            .Select(e => $"{e.GetProperty("amount").GetDecimal().ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture)} {e.GetProperty("currency").GetString()}").ToArray();
        Assert.NotEmpty(expected);
        await page.ClickAsync("[data-testid=toggle-filters]");
        await page.FillAsync(LivePortal.Field("filter-min"), "5000");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("min=5000"));
        await Assertions.Expect(rows.Locator("[data-testid=amount]")).ToHaveTextAsync(expected);
        await page.Locator("[data-testid=queue-filters]").ClickAsync(new LocatorClickOptions { Position = new Position { X = 5, Y = 5 } });
        await LivePortal.ScreenshotAsync(page, "escalation-queue-filters");
        await page.ClickAsync("[data-testid=clear-filters]");
        await Assertions.Expect(rows).ToHaveCountAsync(Math.Min(open, 25));

        await page.ClickAsync("[data-testid=view-mine]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);

        // The view is in the link: a reload opens it again.
        await page.ReloadAsync();
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=view-mine]")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(rows.Locator("[data-testid=escalation-link]", new LocatorLocatorOptions { HasText = reference })).ToHaveCountAsync(1);

        // The home is the same queue in short: Mine first, then Unassigned, with the same counts.
        await page.GotoAsync("");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("My work");
        await Assertions.Expect(page.Locator("[data-testid=mine-items] [data-testid=escalation-link]", new PageLocatorOptions { HasText = reference })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=mine-items] [data-testid=escalation-link]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=stat-unassigned] h5")).ToHaveTextAsync(Count(unassigned - 1));
        await Assertions.Expect(page.Locator("[data-testid=all-mine]")).ToHaveTextAsync("All of mine (2)");
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

    /// <summary>
    /// The demo's sample automation runs every five minutes and escalates what it reads: paused (its going run
    /// finished), so the counts this test compares stay what they are while it runs.
    /// </summary>
    private static async Task QuietTheSampleAutomationAsync(HttpClient http)
    {
        var automations = await http.GetFromJsonAsync<JsonElement>(new Uri("api/automations", UriKind.Relative));
        var sample = automations.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "Demo: numbers inbox").GetProperty("id").GetGuid();
        using (var paused = await http.PostAsync(new Uri($"api/automations/{sample}/pause", UriKind.Relative), null))
        {
            Assert.True(paused.IsSuccessStatusCode, await paused.Content.ReadAsStringAsync());
        }

        for (var i = 0; i < 300; i++)
        {
            var runs = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/automations/{sample}/runs?pageSize=5", UriKind.Relative));
            if (!runs.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("status").GetString() is "Queued" or "Running"))
            {
                return;
            }

            await Task.Delay(100);
        }
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
            if (!going && unassigned >= 2)
            {
                return unassigned;
            }

            await Task.Delay(100);
        }

        Assert.Fail("The demo's invoices were not escalated within a minute.");
        return 0;
    }
}
