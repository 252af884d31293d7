using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

public sealed class AdminTests(LivePortal portal) : IClassFixture<LivePortal>
{
    [Fact]
    public async Task AnAdminCreatesAnApiKeyAndSeesItOnlyOnce()
    {
        var page = await portal.NewPageAsync();
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync("admin/api-keys");
        await LivePortal.WaitForCircuitAsync(page);

        await page.ClickAsync("[data-testid=new-api-key]");
        await page.Locator(LivePortal.Field("api-key-name")).FillAsync("Accounting export script");
        await page.ClickAsync("[data-testid=create-api-key]");

        var secret = page.Locator(LivePortal.Field("shown-secret"));
        await Assertions.Expect(secret).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^apk_"));
        var key = await secret.InputValueAsync();
        await LivePortal.ScreenshotAsync(page, "admin-api-key-created");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "I have saved it" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new PageGetByRoleOptions { Name = "Accounting export script" })).ToBeVisibleAsync();
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(portal.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var me = await http.GetStringAsync(new Uri("api/me", UriKind.Relative));
        Assert.Contains("Accounting export script", me, StringComparison.Ordinal);
        await LivePortal.ScreenshotAsync(page, "admin-api-keys");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAdminCreatesAUserWhoCanThenSignIn()
    {
        var page = await portal.NewPageAsync();
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await page.GotoAsync("admin/users");
        await LivePortal.WaitForCircuitAsync(page);

        await page.ClickAsync("[data-testid=new-user]");
        await page.Locator(LivePortal.Field("new-user-email")).FillAsync("new.person@portal.test");
        await page.ClickAsync("[data-testid=create-user]");
        var secret = page.Locator(LivePortal.Field("shown-secret"));
        await Assertions.Expect(secret).Not.ToHaveValueAsync("");
        var password = await secret.InputValueAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "I have saved it" }).ClickAsync();
        await Assertions.Expect(page.GetByText("new.person@portal.test").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "admin-users");

        var other = await portal.NewPageAsync();
        await LivePortal.SignInAsync(other, "new.person@portal.test", password);
        await Assertions.Expect(other.Locator("h1")).ToHaveTextAsync("My work");
        await other.Context.CloseAsync();

        await page.GotoAsync("admin/audit");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByText("User new.person@portal.test created").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "admin-audit");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheDarkModeSwitchChangesTheTheme()
    {
        var page = await portal.NewPageAsync();
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await LivePortal.WaitForCircuitAsync(page);
        var background = () => page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        var before = await background();

        await page.ClickAsync("[data-testid=dark-mode-toggle]");
        // Polled from here: the portal's Content-Security-Policy forbids the page evaluating strings (WaitForFunction).
        var until = DateTime.UtcNow.AddSeconds(10);
        while (await background() == before && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }

        Assert.NotEqual(before, await background());
        await LivePortal.ScreenshotAsync(page, "home-admin-dark");
        await page.Context.CloseAsync();
    }
}
