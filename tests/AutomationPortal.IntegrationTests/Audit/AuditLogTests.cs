using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Audit;

public sealed class AuditLogTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task ChangesAreAuditedWithWhoAndTheValuesBeforeAndAfter()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var created = await (await admin.PostAsJsonAsync(new Uri("/api/admin/api-keys", UriKind.Relative), new { name = "Audited key", role = "Agent" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        await admin.PostAsync(new Uri($"/api/admin/api-keys/{created.GetProperty("id").GetGuid()}/deactivate", UriKind.Relative), null);

        var page = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/audit?entityType=ApiKey&text=Audited", UriKind.Relative));
        var entries = page.GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(2, page.GetProperty("total").GetInt32());
        var update = entries.Single(e => e.GetProperty("action").GetString() == "Updated");
        Assert.Equal("api-key:Bootstrap admin key", update.GetProperty("actorName").GetString());
        Assert.Equal("ApiKey", update.GetProperty("actorKind").GetString());
        var changes = JsonDocument.Parse(update.GetProperty("changes").GetString()!).RootElement;
        Assert.Equal(JsonValueKind.Null, changes.GetProperty("DeactivatedAt").GetProperty("before").ValueKind);
        Assert.Equal(JsonValueKind.String, changes.GetProperty("DeactivatedAt").GetProperty("after").ValueKind);
        var creation = entries.Single(e => e.GetProperty("action").GetString() == "Created");
        Assert.Contains("(secret", creation.GetProperty("changes").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(created.GetProperty("key").GetString()!, creation.GetProperty("changes").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInsAndFailedAttemptsAreAuditedInPlainWords()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var email = $"signin-{Guid.NewGuid():N}@portal.test";
        await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email, role = "Agent", password = "a long enough password" });
        using var browser = portal.CreateBrowserLikeClient();

        await PortalAppFactory.SignInAsync(browser, email, "the wrong password");
        await PortalAppFactory.SignInAsync(browser, email, "a long enough password");

        var page = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/audit?entityType=User&text={Uri.EscapeDataString(email)}", UriKind.Relative));
        var summaries = page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("summary").GetString()).ToList();
        Assert.Contains($"User {email} failed sign-in (1 in a row)", summaries);
        Assert.Contains($"User {email} signed in", summaries);
        var users = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/users?search={Uri.EscapeDataString(email)}", UriKind.Relative));
        Assert.Equal(JsonValueKind.String, users.GetProperty("items")[0].GetProperty("lastSignInAt").ValueKind);
    }

    [Fact]
    public async Task RoleChangesReadAsPlainSentences()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var email = $"audit-{Guid.NewGuid():N}@portal.test";
        var created = await (await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email, role = "Agent", password = "a long enough password" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var user = created.GetProperty("user");
        await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{user.GetProperty("id").GetGuid()}/role", UriKind.Relative),
            new { version = user.GetProperty("version").GetInt64(), role = "Manager" });

        var page = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/audit?entityType=UserRole&text={Uri.EscapeDataString(email)}", UriKind.Relative));
        var summaries = page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("summary").GetString()).ToList();

        Assert.Contains($"Role Agent granted to {email}", summaries);
        Assert.Contains($"Role Agent removed from {email}", summaries);
        Assert.Contains($"Role Manager granted to {email}", summaries);
    }
}
