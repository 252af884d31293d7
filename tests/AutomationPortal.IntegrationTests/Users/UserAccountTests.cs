using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Users;

public sealed class UserAccountTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task FiveFailedSignInsLockTheAccountEvenForTheRightPassword()
    {
        var (email, password, _) = await CreateUserAsync("Agent");
        using var client = portal.CreateBrowserLikeClient();

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            using var failed = await PortalAppFactory.SignInAsync(client, email, "wrong password " + attempt);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Contains("not right", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var fifth = await PortalAppFactory.SignInAsync(client, email, "wrong password 5");
        Assert.Equal(HttpStatusCode.Redirect, fifth.StatusCode);
        Assert.EndsWith("/Account/Lockout", fifth.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var rightPassword = await PortalAppFactory.SignInAsync(client, email, password);

        Assert.Equal(HttpStatusCode.Redirect, rightPassword.StatusCode);
        Assert.EndsWith("/Account/Lockout", rightPassword.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var me = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task AnAdminUnlocksALockedAccount()
    {
        var (email, password, id) = await CreateUserAsync("Manager");
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var locked = await PostAsync(admin, $"/api/admin/users/{id}/lock", new { version = await VersionAsync(admin, id) });
        Assert.Equal("Locked", locked.GetProperty("status").GetString());
        using (var client = portal.CreateBrowserLikeClient())
        {
            using var refused = await PortalAppFactory.SignInAsync(client, email, password);
            Assert.EndsWith("/Account/Lockout", refused.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        var unlocked = await PostAsync(admin, $"/api/admin/users/{id}/unlock", new { version = locked.GetProperty("version").GetInt64() });

        Assert.Equal("Active", unlocked.GetProperty("status").GetString());
        using var again = portal.CreateBrowserLikeClient();
        using var signedIn = await PortalAppFactory.SignInAsync(again, email, password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.DoesNotContain("Lockout", signedIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeactivatedUserCannotSignInAndIsKept()
    {
        var (email, password, id) = await CreateUserAsync("Agent");
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        var deactivated = await PostAsync(admin, $"/api/admin/users/{id}/deactivate", new { version = await VersionAsync(admin, id) });
        using var client = portal.CreateBrowserLikeClient();
        using var refused = await PortalAppFactory.SignInAsync(client, email, password);

        Assert.Equal("Deactivated", deactivated.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("deactivated", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var listing = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/users?search={Uri.EscapeDataString(email)}", UriKind.Relative));
        Assert.Equal(1, listing.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task RoleChangesWithAStaleVersionAnswerConflict()
    {
        var (_, _, id) = await CreateUserAsync("Agent");
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var version = await VersionAsync(admin, id);

        var promoted = await PostAsync(admin, $"/api/admin/users/{id}/role", new { version, role = "Manager" });
        using var stale = await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{id}/role", UriKind.Relative), new { version, role = "Admin" });

        Assert.Equal("Manager", promoted.GetProperty("roles")[0].GetString());
        Assert.True(promoted.GetProperty("version").GetInt64() > version);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("changed by someone else", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("elevenchars", false)]
    [InlineData("twelve chars", true)]
    [InlineData("alllowercaseletters", true)]
    public async Task PasswordsNeedTwelveCharactersAndNoComposition(string password, bool accepted)
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative),
            new { email = $"pw-{Guid.NewGuid():N}@portal.test", role = "Agent", password });

        Assert.Equal(accepted ? HttpStatusCode.Created : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task WithoutAPasswordOneIsGeneratedAndWorks()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var email = $"gen-{Guid.NewGuid():N}@portal.test";

        var created = await (await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email, role = "Manager" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        using var client = portal.CreateBrowserLikeClient();
        using var signIn = await PortalAppFactory.SignInAsync(client, email, created.GetProperty("generatedPassword").GetString()!);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(7, created.GetProperty("user").GetProperty("id").GetGuid().Version);
    }

    [Fact]
    public async Task TheLastActiveAdminCannotBeDeactivated()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var listing = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/users?search={Uri.EscapeDataString(PortalAppFactory.AdminEmail)}", UriKind.Relative));
        var bootstrapAdmin = listing.GetProperty("items")[0];

        using var response = await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{bootstrapAdmin.GetProperty("id").GetGuid()}/deactivate", UriKind.Relative),
            new { version = bootstrapAdmin.GetProperty("version").GetInt64() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("last active Admin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublicSelfRegistrationDoesNotExist()
    {
        using var client = portal.CreateBrowserLikeClient();

        using var register = await client.GetAsync(new Uri("/Account/Register", UriKind.Relative));

        Assert.NotEqual(HttpStatusCode.OK, register.StatusCode);
    }

    private async Task<(string Email, string Password, Guid Id)> CreateUserAsync(string role)
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@portal.test";
        const string password = "a long enough password";
        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email, displayName = "Test person", role, password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (email, password, body.GetProperty("user").GetProperty("id").GetGuid());
    }

    private static async Task<long> VersionAsync(HttpClient admin, Guid id)
    {
        var page = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/users?pageSize=200", UriKind.Relative));
        return page.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("id").GetGuid() == id).GetProperty("version").GetInt64();
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
