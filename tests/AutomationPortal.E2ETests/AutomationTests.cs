using System.Net.Http.Json;
using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

public sealed class AutomationTests(LivePortal portal) : IClassFixture<LivePortal>
{
    private const string Demo = "Demo: numbers inbox";

    [Fact]
    public async Task AnAdminSwitchesAnAutomationOffAndOnAndSeesItsNextRunChange()
    {
        var page = await portal.NewPageAsync();
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(page);
        var row = page.Locator("tr", new PageLocatorOptions { HasText = Demo });
        var nextRun = row.Locator("[data-testid=next-run]");
        await Assertions.Expect(row.Locator("[data-testid=state]")).ToHaveTextAsync("Production");
        await Assertions.Expect(nextRun).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"));
        await LivePortal.ScreenshotAsync(page, "automations");

        await row.Locator("input.mud-switch-input").ClickAsync(new LocatorClickOptions { Force = true });

        await Assertions.Expect(row.Locator("[data-testid=state]")).ToHaveTextAsync("Paused");
        await Assertions.Expect(nextRun).ToHaveTextAsync("off");

        await row.Locator("input.mud-switch-input").ClickAsync(new LocatorClickOptions { Force = true });

        await Assertions.Expect(row.Locator("[data-testid=state]")).ToHaveTextAsync("Production");
        await Assertions.Expect(nextRun).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAdminRunsAnAutomationNowAndReadsTheRun()
    {
        // An automation of its own, on a yearly schedule: the demo's runs every five minutes could read its inbox first.
        using var http = portal.ApiClient();
        var id = await LivePortal.CreateAutomationAsync(http, new
        {
            kind = "sample-inbox",
            name = "Numbers to run now",
            schedule = "0 0 3 1 1 ?",
            state = "Production",
            settings = new { inboxPath = "run-now/inbox", outboxPath = "run-now/outbox", settleSeconds = 0, escalateAbove = 500 },
        });
        var inbox = Path.Combine(portal.DataFolder, "run-now", "inbox");
        foreach (var (name, value) in new[] { ("a.txt", "12.50"), ("b.txt", "740"), ("c.txt", "not a number"), ("d.txt", "64") })
        {
            await File.WriteAllTextAsync(Path.Combine(inbox, name), value);
            File.SetLastWriteTimeUtc(Path.Combine(inbox, name), DateTime.UtcNow.AddMinutes(-1));
        }

        var page = await portal.NewPageAsync(1400, 900);
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(page);
        await page.Locator("a", new PageLocatorOptions { HasText = "Numbers to run now" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Numbers to run now");
        Assert.EndsWith(id.ToString(), page.Url, StringComparison.Ordinal);

        await page.ClickAsync("[data-testid=detail-run-now]");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Open" }).ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=run-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Succeeded|Partly succeeded"), new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=work-items] tbody tr").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "run-detail");
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Log" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-log]")).ToContainTextAsync("quarantined (unreadable)");

        // Every work item opens with its decisions and what was done.
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Items" }).ClickAsync();
        await page.Locator("[data-testid=work-items] tr", new PageLocatorOptions { HasText = "Done" }).Locator("[data-testid=work-item-link]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=item-status]")).ToHaveTextAsync("Done");
        await Assertions.Expect(page.Locator("[data-testid=effect]", new PageLocatorOptions { HasText = "result-file" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-type=acted]")).ToContainTextAsync("result-file");
        await LivePortal.ScreenshotAsync(page, "work-item");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAutomationThatPausesItselfShowsItsAlertAsBannerBadgeAndList()
    {
        var inbox = Path.Combine(portal.DataFolder, "fragile", "inbox");
        Directory.CreateDirectory(inbox);
        foreach (var (name, content) in new[] { ("a.txt", "x"), ("b.txt", "y"), ("c.txt", "z"), ("d.txt", "1") })
        {
            await File.WriteAllTextAsync(Path.Combine(inbox, name), content);
        }

        using var http = portal.ApiClient();
        var id = await LivePortal.CreateAutomationAsync(http, new
        {
            kind = "sample-inbox",
            name = "Fragile numbers",
            schedule = "0 0 3 1 1 ?",
            state = "Pilot",
            settings = new { inboxPath = "fragile/inbox", outboxPath = "fragile/outbox", settleSeconds = 0 },
            guardrails = new { maxQuarantineRate = 0.5, quarantineRateWindow = 4 },
        });
        using var run = await http.PostAsync(new Uri($"api/automations/{id}/runs", UriKind.Relative), null);
        var runId = (await run.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        for (var i = 0; i < 100 && (await http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri($"api/runs/{runId}", UriKind.Relative))).GetProperty("run").GetProperty("status").GetString() is "Queued" or "Running"; i++)
        {
            await Task.Delay(100);
        }

        var page = await portal.NewPageAsync(1400, 900);
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(page);

        await Assertions.Expect(page.Locator("[data-testid=alert-banner]")).ToContainTextAsync("Fragile numbers paused itself");
        await Assertions.Expect(page.Locator("[data-testid=alert-badge]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("[1-9]"));
        await Assertions.Expect(page.Locator("tr", new PageLocatorOptions { HasText = "Fragile numbers" }).Locator("[data-testid=state]")).ToHaveTextAsync("Auto-paused");
        await LivePortal.ScreenshotAsync(page, "automations-alert");
        await page.GotoAsync("alerts");
        await Assertions.Expect(page.GetByText("3 of the last 4 items could not be read").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "alerts");

        // Someone who cannot resume gets one line on a phone; the alert itself is one tap away.
        var phone = await portal.NewPageAsync(390, 844);
        await LivePortal.SignInAsync(phone, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        await phone.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(phone);
        var banner = phone.Locator("[data-testid=alert-banner]");
        await Assertions.Expect(banner).ToBeVisibleAsync();
        Assert.True((await banner.BoundingBoxAsync())!.Height <= 60, "The banner takes more than one line.");
        await LivePortal.ScreenshotAsync(phone, "automations-alert-phone");
        await phone.ClickAsync("[data-testid=alert-details]");
        await Assertions.Expect(banner).ToContainTextAsync("Fragile numbers paused itself");
        await phone.Context.CloseAsync();

        using var resumed = await http.PostAsync(new Uri($"api/automations/{id}/resume", UriKind.Relative), null);
        Assert.True(resumed.IsSuccessStatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheScheduleEditorExplainsAndChecksAsYouType()
    {
        var page = await portal.NewPageAsync(1400, 900);
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(page);
        await page.Locator("a", new PageLocatorOptions { HasText = Demo }).ClickAsync();
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Schedule" }).ClickAsync();
        var schedule = page.Locator(LivePortal.Field("schedule"));

        await schedule.FillAsync("0 0 9 ? * MON-FRI");
        await Assertions.Expect(page.Locator("[data-testid=schedule-description]")).ToHaveTextAsync("Every weekday (Monday to Friday) at 09:00");
        await Assertions.Expect(page.Locator("[data-testid=next-fires] .mud-chip")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator("[data-testid=save-schedule]")).ToBeEnabledAsync();
        await LivePortal.ScreenshotAsync(page, "automation-schedule");

        await schedule.FillAsync("0 0 25 * * ?");
        await Assertions.Expect(page.GetByText("Not a valid schedule").First).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
