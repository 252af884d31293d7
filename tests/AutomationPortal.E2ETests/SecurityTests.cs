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
            "integrations", "admin/users", "admin/api-keys", "admin/audit", "Account/Manage", "not-found", "status/404",
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
        foreach (var path in new[] { "Account/Login", "Account/Lockout", "Account/AccessDenied", "Error" })
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
