using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Users;

/// <summary>A portal configured with Portal:Security:RequireTwoFactorForAdmins = true.</summary>
public sealed class RequiredTwoFactorTests : IAsyncLifetime
{
    private readonly PortalAppFactory _portal = new(null) { Settings = { ["Portal:Security:RequireTwoFactorForAdmins"] = "true" } };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _portal.DisposeAsync();

    [Fact]
    public async Task AnAdminWithoutASecondFactorIsHeldAtTheSetupPageUntilItIsOn()
    {
        var (email, password, _) = await TwoFactorPerson.CreateUserAsync(_portal, "Admin");
        using var client = _portal.CreateBrowserLikeClient();
        using var signIn = await PortalAppFactory.SignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // Every page leads to the setup, and comes back after it.
        using var page = await client.GetAsync(new Uri("/automations?view=all", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/Account/Manage/EnableAuthenticator?returnUrl=%2Fautomations%3Fview%3Dall", page.Headers.Location!.OriginalString);
        // The API and the interactive connection refuse with the reason.
        using var api = await client.GetAsync(new Uri("/api/automations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("Two-factor sign-in is required for Admins", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var circuit = await client.PostAsync(new Uri("/_blazor/negotiate?negotiateVersion=1", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Forbidden, circuit.StatusCode);
        using var write = await client.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email = "x@portal.test", role = "Agent" });
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        var setup = await client.GetStringAsync(new Uri(page.Headers.Location.OriginalString, UriKind.Relative));
        Assert.Contains("must use two-factor sign-in", setup, StringComparison.Ordinal);

        var (_, _) = await TwoFactorPerson.EnableAsync(client, page.Headers.Location.OriginalString);

        using var after = await client.GetAsync(new Uri("/automations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        using var apiAfter = await client.GetAsync(new Uri("/api/automations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, apiAfter.StatusCode);
        var continuePage = await client.GetStringAsync(new Uri("/Account/Manage/TwoFactor", UriKind.Relative));
        Assert.Contains("must keep two-factor sign-in on", continuePage, StringComparison.Ordinal);
        Assert.DoesNotContain("disable-two-factor", continuePage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdminCannotTurnItOffWhileItIsRequired()
    {
        var person = await TwoFactorPerson.CreateAsync(_portal, "Admin");
        using var client = _portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        await PortalAppFactory.PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = Totp.Next(person.Key) });

        // The button is not offered; a hand-made post of that form is refused all the same.
        using var off = await PortalAppFactory.PostFormAsync(client, "/Account/Manage/TwoFactor", "disable-two-factor");

        // The page has no such form while it is required: Blazor refuses the post before any handler runs.
        Assert.Equal(HttpStatusCode.BadRequest, off.StatusCode);
        using var admin = _portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        Assert.True((await TwoFactorTests.UserAsync(admin, person.Id)).GetProperty("twoFactorEnabled").GetBoolean());
    }

    [Fact]
    public async Task OthersAndApiKeysAreNotHeld()
    {
        using var agent = _portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(agent, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        using var manager = _portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(manager, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        using var key = _portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var agentPage = await agent.GetAsync(new Uri("/automations", UriKind.Relative));
        using var managerApi = await manager.GetAsync(new Uri("/api/automations", UriKind.Relative));
        using var keyApi = await key.GetAsync(new Uri("/api/admin/users", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, agentPage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, managerApi.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyApi.StatusCode);
    }

    [Fact]
    public async Task AnAdminWhoseSecondFactorWasResetSetsItUpAgainAtTheNextSignIn()
    {
        var person = await TwoFactorPerson.CreateAsync(_portal, "Admin");
        using var key = _portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var version = (await TwoFactorTests.UserAsync(key, person.Id)).GetProperty("version").GetInt64();
        using var reset = await key.PostAsJsonAsync(new Uri($"/api/admin/users/{person.Id}/reset-two-factor", UriKind.Relative), new { version });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        using var client = _portal.CreateBrowserLikeClient();
        using var signIn = await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        using var home = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/Account/Manage/EnableAuthenticator", home.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var (newKey, _) = await TwoFactorPerson.EnableAsync(client);
        Assert.NotEqual(person.Key, newKey);
    }
}
