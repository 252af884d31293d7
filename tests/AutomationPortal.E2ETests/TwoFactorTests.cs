using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

public sealed class TwoFactorTests(LivePortal portal) : IClassFixture<LivePortal>
{
    /// <summary>A person sets up an authenticator from the account menu, saves the recovery codes, and signs in with a code.</summary>
    [Fact]
    public async Task APersonSetsUpAnAuthenticatorAndSignsInWithIt()
    {
        var (email, password) = await CreatePersonAsync("Manager");
        var page = await portal.NewPageAsync(1280, 900);
        await LivePortal.SignInAsync(page, email, password);
        await LivePortal.WaitForCircuitAsync(page);

        await page.ClickAsync("[data-testid=account-button]");
        await page.Locator(".mud-menu-item", new PageLocatorOptions { HasText = "Two-factor sign-in" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Manage/TwoFactor");
        await Assertions.Expect(page.Locator("[data-testid=two-factor-status]")).ToContainTextAsync("Off.");
        await LivePortal.ScreenshotAsync(page, "two-factor-off");
        await page.ClickAsync("[data-testid=set-up-authenticator]");
        await Assertions.Expect(page.Locator("[data-testid=qr-code] svg")).ToBeVisibleAsync();
        var key = (await page.Locator("[data-testid=authenticator-key]").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await LivePortal.ScreenshotAsync(page, "two-factor-setup", fullPage: true);

        await page.FillAsync("#Input\\.Code", Totp.Now(key));
        await page.ClickAsync("#verify");

        await Assertions.Expect(page.Locator("[data-testid=two-factor-on]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".portal-recovery-codes li")).ToHaveCountAsync(10);
        await LivePortal.ScreenshotAsync(page, "two-factor-recovery-codes", fullPage: true);
        await page.ClickAsync("[data-testid=continue]");
        await LivePortal.WaitForCircuitAsync(page);
        await page.Context.CloseAsync();

        var next = await portal.NewPageAsync(1280, 800);
        await next.GotoAsync("Account/Login");
        await next.FillAsync("#Input\\.Email", email);
        await next.FillAsync("#Input\\.Password", password);
        await next.ClickAsync("#sign-in");
        await next.WaitForURLAsync("**/Account/LoginWith2fa**");
        await next.FillAsync("#Input\\.Code", "000000" == Totp.Now(key) ? "111111" : "000000");
        await next.ClickAsync("#verify");
        await Assertions.Expect(next.GetByRole(AriaRole.Alert)).ToContainTextAsync("That code is not right");
        await LivePortal.ScreenshotAsync(next, "two-factor-sign-in");
        await next.FillAsync("#Input\\.Code", Totp.Next(key));
        await next.ClickAsync("#verify");
        await LivePortal.WaitForCircuitAsync(next);
        await Assertions.Expect(next.Locator("h1")).ToHaveTextAsync("Manager overview");
        await next.Context.CloseAsync();
    }

    [Fact]
    public async Task TheTwoFactorPagesFitAPhone()
    {
        var (email, password) = await CreatePersonAsync("Agent");
        var phone = await portal.NewPageAsync(390, 844);
        await LivePortal.SignInAsync(phone, email, password);
        await phone.GotoAsync("Account/Manage/EnableAuthenticator");
        var key = (await phone.Locator("[data-testid=authenticator-key]").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await LivePortal.ScreenshotAsync(phone, "two-factor-setup-phone", fullPage: true);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The setup page scrolls sideways on a phone.");
        await phone.FillAsync("#Input\\.Code", Totp.Now(key));
        await phone.ClickAsync("#verify");
        await Assertions.Expect(phone.Locator(".portal-recovery-codes li")).ToHaveCountAsync(10);
        await phone.GotoAsync("Account/Manage/TwoFactor");
        await Assertions.Expect(phone.Locator("[data-testid=recovery-codes-left]")).ToContainTextAsync("10 of 10");
        await LivePortal.ScreenshotAsync(phone, "two-factor-on-phone", fullPage: true);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The two-factor page scrolls sideways on a phone.");
        await phone.Context.CloseAsync();

        var signIn = await portal.NewPageAsync(390, 844);
        await signIn.GotoAsync("Account/Login");
        await signIn.FillAsync("#Input\\.Email", email);
        await signIn.FillAsync("#Input\\.Password", password);
        await signIn.ClickAsync("#sign-in");
        await signIn.WaitForURLAsync("**/Account/LoginWith2fa**");
        await LivePortal.ScreenshotAsync(signIn, "two-factor-sign-in-phone");
        await signIn.Context.CloseAsync();
    }

    /// <summary>An Admin sees who has two-factor on and resets it for a person who lost their phone.</summary>
    [Fact]
    public async Task AnAdminResetsAPersonsSecondFactorFromTheUsersPage()
    {
        var (email, password) = await CreatePersonAsync("Agent");
        var person = await portal.NewPageAsync(1280, 800);
        await LivePortal.SignInAsync(person, email, password);
        await person.GotoAsync("Account/Manage/EnableAuthenticator");
        var key = (await person.Locator("[data-testid=authenticator-key]").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await person.FillAsync("#Input\\.Code", Totp.Now(key));
        await person.ClickAsync("#verify");
        await Assertions.Expect(person.Locator("[data-testid=two-factor-on]")).ToBeVisibleAsync();
        await person.Context.CloseAsync();

        var admin = await portal.NewPageAsync(1280, 800);
        await LivePortal.SignInAsync(admin, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await admin.GotoAsync("admin/users");
        await LivePortal.WaitForCircuitAsync(admin);
        await admin.FillAsync("input[placeholder='Search by email or name']", email);
        var row = admin.Locator("tr", new PageLocatorOptions { HasText = email });
        await Assertions.Expect(row.Locator("[data-testid=two-factor-chip]")).ToBeVisibleAsync();
        await Assertions.Expect(admin.Locator("tbody tr")).ToHaveCountAsync(1);
        await LivePortal.ScreenshotAsync(admin, "users-two-factor");
        await row.Locator(".mud-menu-icon-button-activator").ClickAsync();
        await admin.Locator(".mud-menu-item", new PageLocatorOptions { HasText = "Reset two-factor sign-in" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Reset two-factor" }).ClickAsync();
        await Assertions.Expect(admin.GetByText($"{email} signs in with their password next")).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator("[data-testid=two-factor-chip]")).ToHaveCountAsync(0);
        await admin.Context.CloseAsync();

        var again = await portal.NewPageAsync(1280, 800);
        await LivePortal.SignInAsync(again, email, password);
        await LivePortal.WaitForCircuitAsync(again);
        await Assertions.Expect(again.Locator("h1")).ToHaveTextAsync("My work");
        await again.Context.CloseAsync();
    }

    private async Task<(string Email, string Password)> CreatePersonAsync(string role)
    {
        using var http = portal.ApiClient();
        var email = $"{role.ToLowerInvariant()}.{Guid.NewGuid().ToString("N")[..6]}@portal.test";
        const string password = "a long enough password";
        using var response = await http.PostAsJsonAsync(new Uri("api/admin/users", UriKind.Relative), new { email, displayName = role == "Manager" ? "Maria Manager" : "Alex Agent", role, password });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        _ = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (email, password);
    }
}
