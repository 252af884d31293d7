using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

public sealed class SecurityTests(LivePortal portal) : IClassFixture<LivePortal>
{
    /// <summary>
    /// Every page, signed in as an Admin and signed out, loads and connects its circuit under the enforced
    /// Content-Security-Policy with no violation reported, enforced or report-only.
    /// </summary>
    [Fact]
    public async Task EveryPageRunsUnderTheEnforcedContentSecurityPolicyWithoutAViolation()
    {
        using var http = portal.ApiClient();
        var automation = (await http.GetFromJsonAsync<JsonElement>(new Uri("api/automations", UriKind.Relative))).EnumerateArray().First();
        var id = automation.GetProperty("id").GetGuid();
        var runs = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/automations/{id}/runs?pageSize=1", UriKind.Relative));
        var items = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/work-items?pageSize=1", UriKind.Relative));
        string[] pages =
        [
            "", "automations", $"automations/{id}", $"runs/{runs.GetProperty("items")[0].GetProperty("id").GetGuid()}",
            $"work-items/{items.GetProperty("items")[0].GetProperty("id").GetGuid()}", "alerts", "escalations", "roi", "opportunities",
            "integrations", "admin/users", "admin/api-keys", "admin/audit", "Account/Manage", "Account/Manage/TwoFactor",
            "Account/Manage/EnableAuthenticator", "not-found", "status/404",
        ];

        var page = await portal.NewPageAsync(1280, 800);
        var violations = Watch(page);
        await LivePortal.SignInAsync(page, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        foreach (var path in pages)
        {
            await page.GotoAsync(path);
            // Account pages and the status pages are static: they have no circuit to wait for.
            if (!path.StartsWith("Account", StringComparison.Ordinal) && !path.StartsWith("status", StringComparison.Ordinal))
            {
                try
                {
                    await LivePortal.WaitForCircuitAsync(page);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"{path}: the circuit did not connect. {string.Join(" | ", violations)}");
                }
            }
        }

        var anonymous = await portal.NewPageAsync(1280, 800);
        var anonymousViolations = Watch(anonymous);
        foreach (var path in new[] { "Account/Login", "Account/Lockout", "Account/AccessDenied", "Account/LoginWith2fa", "Error" })
        {
            await anonymous.GotoAsync(path);
        }

        var response = await anonymous.GotoAsync("Account/Login");
        var policy = await response!.HeaderValueAsync("content-security-policy");
        await page.Context.CloseAsync();
        await anonymous.Context.CloseAsync();

        Assert.Empty(violations);
        Assert.Empty(anonymousViolations);
        Assert.Contains("script-src 'self' 'nonce-", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", await response.HeaderValueAsync("x-content-type-options"));
    }

    [Fact]
    public async Task TooManySignInAttemptsSayWhenToTryAgain()
    {
        // Fewer attempts per account than the lockout's five, so the limit, not the lockout, answers the fourth.
        var limits = portal.Service<Microsoft.Extensions.Options.IOptions<AutomationPortal.Web.Infrastructure.Security.RateLimitOptions>>().Value;
        var before = limits.SignInPerAccount;
        limits.SignInPerAccount = 3;
        try
        {
            await ShowTheLimitAsync();
        }
        finally
        {
            limits.SignInPerAccount = before;
        }
    }

    private async Task ShowTheLimitAsync()
    {
        var page = await portal.NewPageAsync(1280, 800);
        for (var i = 0; i < 4; i++)
        {
            await page.GotoAsync("Account/Login");
            await page.FillAsync("#Input\\.Email", "someone.else@portal.test");
            await page.FillAsync("#Input\\.Password", "a wrong password, again");
            // Waits for the post's own answer (not a load event, which a busy machine may not fire in time).
            await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#sign-in"), r => r.Request.Method == "POST" && r.Url.Contains("/Account/Login", StringComparison.Ordinal));
        }

        await Assertions.Expect(page.GetByText("Too many sign-in attempts for this account. Try again in")).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "sign-in-rate-limited");
        var phone = await portal.NewPageAsync(390, 844);
        await phone.GotoAsync("Account/Login");
        await phone.FillAsync("#Input\\.Email", "someone.else@portal.test");
        await phone.FillAsync("#Input\\.Password", "a wrong password, again");
        await phone.ClickAsync("#sign-in");
        await Assertions.Expect(phone.GetByText("Too many sign-in attempts")).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(phone, "sign-in-rate-limited-phone");
        await page.Context.CloseAsync();
        await phone.Context.CloseAsync();
    }

    [Fact]
    public async Task ADatabaseThatCannotBeWrittenShowsABannerOnEveryPage()
    {
        var writes = portal.Service<AutomationPortal.Web.Infrastructure.Data.DatabaseWrites>();
        var page = await portal.NewPageAsync(1280, 800);
        await LivePortal.SignInAsync(page, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        var phone = await portal.NewPageAsync(390, 844);
        await LivePortal.SignInAsync(phone, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        try
        {
            // The state a full disk leaves (the real full disk is in the integration tests' DatabaseFaultTests); set
            // after signing in, as a successful sign-in is a write that shows the disk has room again.
            writes.Failed(new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13));
            await page.GotoAsync("automations");
            await LivePortal.WaitForCircuitAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=database-banner]")).ToContainTextAsync("the disk that holds it is full");
            await LivePortal.ScreenshotAsync(page, "database-full-banner");
            await phone.GotoAsync("");
            await LivePortal.WaitForCircuitAsync(phone);
            await Assertions.Expect(phone.Locator("[data-testid=database-banner]")).ToBeVisibleAsync();
            await LivePortal.ScreenshotAsync(phone, "database-full-banner-phone");
            await phone.Context.CloseAsync();
        }
        finally
        {
            await writes.ProbeAsync(CancellationToken.None);
        }

        await page.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=database-banner]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    /// <summary>Collects what the browser reports about the policy: console errors and securitypolicyviolation events.</summary>
    private static List<string> Watch(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Refused to", StringComparison.Ordinal))
            {
                violations.Add($"{page.Url}: {message.Text}");
            }
        };
        return violations;
    }
}
