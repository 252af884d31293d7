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
        var page = await portal.NewPageAsync(1400, 900);
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(page);
        await page.Locator("a", new PageLocatorOptions { HasText = Demo }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(Demo);

        await page.ClickAsync("[data-testid=detail-run-now]");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Open" }).ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=run-status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Succeeded|Partly succeeded"), new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=work-items] tbody tr").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "run-detail");
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Log" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-log]")).ToContainTextAsync("quarantined");
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
