using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

/// <summary>Each kind's settings as a form drawn from its settings class, with a refused value shown beside its field.</summary>
public sealed class SettingsFormTests(LivePortal portal) : IClassFixture<LivePortal>
{
    [Theory]
    [InlineData("invoice-intake", "Supplier invoices", "{\"inboxPath\":\"ap-form/inbox\",\"outboxPath\":\"ap-form/outbox\"}", "settings-form-invoice")]
    [InlineData("sample-inbox", "Numbers", "{\"inboxPath\":\"numbers-form/inbox\",\"outboxPath\":\"numbers-form/outbox\"}", "settings-form-sample")]
    public async Task AnAdminEditsAKindsSettingsOnItsFormAndSeesARefusedValueBesideItsField(string kind, string name, string settings, string screenshot)
    {
        using var http = portal.ApiClient();
        var id = await LivePortal.CreateAutomationAsync(http, new
        {
            kind,
            name,
            schedule = "0 0 3 1 1 ?",
            state = "Production",
            settings = System.Text.Json.JsonDocument.Parse(settings).RootElement,
        });
        var page = await portal.NewPageAsync(1280, 1000);
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync($"automations/{id}");
        await LivePortal.WaitForCircuitAsync(page);
        await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=settings-form]")).ToBeVisibleAsync();

        // A folder outside the allowed roots is refused by the server, named beside the field.
        var inbox = page.Locator(LivePortal.Field("setting-inboxPath"));
        await inbox.FillAsync("/etc/outside");
        await inbox.PressAsync("Tab");
        await page.ClickAsync("[data-testid=save-settings]");

        var control = page.Locator(".mud-input-control", new PageLocatorOptions { Has = page.Locator(LivePortal.Field("setting-inboxPath")) });
        await Assertions.Expect(control).ToContainTextAsync("outside the folders automations may use");
        await Assertions.Expect(control).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-input-error"));
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await LivePortal.ScreenshotAsync(page, screenshot);

        // The JSON view shows the same settings, as the API takes them.
        await page.GetByText("Advanced: the settings as JSON").ClickAsync();
        await Assertions.Expect(page.Locator("textarea[data-testid=settings-json], [data-testid=settings-json] textarea")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"inboxPath\": \"/etc/outside\""));

        var phone = await portal.NewPageAsync(390, 844);
        await LivePortal.SignInAsync(phone, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await phone.GotoAsync($"automations/{id}");
        await LivePortal.WaitForCircuitAsync(phone);
        await phone.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Settings" }).ClickAsync();
        await Assertions.Expect(phone.Locator("[data-testid=settings-form]")).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(phone, screenshot + "-phone", fullPage: true);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The settings form scrolls sideways on a phone.");
        await page.Context.CloseAsync();
        await phone.Context.CloseAsync();
    }
}
