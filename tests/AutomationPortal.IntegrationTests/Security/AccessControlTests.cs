using System.Net;
using System.Net.Http.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Security;

public sealed class AccessControlTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/admin/users")]
    [InlineData("/escalations")]
    [InlineData("/roi")]
    [InlineData("/work-items/01a216a5-c8eb-7946-b090-64605a687110")]
    public async Task AnonymousPageVisitIsSentToSignIn(string path)
    {
        using var client = portal.CreateBrowserLikeClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), response.Headers.Location.Query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/me")]
    [InlineData("GET", "/api/admin/api-keys")]
    [InlineData("POST", "/api/admin/api-keys")]
    [InlineData("GET", "/api/admin/users")]
    [InlineData("GET", "/api/admin/audit")]
    [InlineData("GET", "/api/no-such-endpoint")]
    [InlineData("POST", "/api/automations/01a216a5-c70e-7c5b-9e64-d4802cbca990/items")]
    [InlineData("GET", "/api/work-items/01a216a5-c8eb-7946-b090-64605a687110")]
    [InlineData("GET", "/api/work-items/01a216a5-c8eb-7946-b090-64605a687110/original")]
    public async Task AnonymousApiCallGets401NotARedirect(string method, string path)
    {
        using var client = portal.CreateBrowserLikeClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { name = "x", role = "Admin" }) : null };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task AWrongApiKeyGets401()
    {
        using var client = portal.CreateApiClient("not-a-key");

        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SignInPageAndHealthAreOpenToEveryone()
    {
        using var client = portal.CreateBrowserLikeClient();

        var login = await client.GetAsync(new Uri("/Account/Login", UriKind.Relative));
        var health = await client.GetStringAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("Sign in", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Healthy", health);
    }

    [Theory]
    [InlineData("/admin/users")]
    [InlineData("/admin/api-keys")]
    [InlineData("/admin/audit")]
    [InlineData("/integrations")]
    [InlineData("/roi")]
    public async Task AgentGets403OnPagesAboveTheRole(string path)
    {
        using var client = portal.CreateBrowserLikeClient();
        var signIn = await PortalAppFactory.SignInAsync(client, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("You don't have access", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentSignedInGets403OnAdminApis()
    {
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);

        using var users = await client.GetAsync(new Uri("/api/admin/users", UriKind.Relative));
        using var keys = await client.PostAsJsonAsync(new Uri("/api/admin/api-keys", UriKind.Relative), new { name = "mine", role = "Admin" });

        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, keys.StatusCode);
    }

    [Fact]
    public async Task AgentApiKeyGets403OnAdminApisButReadsItself()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var created = await (await admin.PostAsJsonAsync(new Uri("/api/admin/api-keys", UriKind.Relative), new { name = "agent script", role = "Agent" }))
            .Content.ReadFromJsonAsync<CreatedKey>();
        using var agent = portal.CreateApiClient(created!.Key);

        using var forbidden = await agent.GetAsync(new Uri("/api/admin/api-keys", UriKind.Relative));
        var me = await agent.GetFromJsonAsync<Me>(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("agent script", me!.Name);
        Assert.Equal(["Agent"], me.Roles);
    }

    [Fact]
    public async Task EachDemoRoleSignsInAndSeesItsOwnHome()
    {
        foreach (var (email, password, role) in new[]
                 {
                     (PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword, "Admin"),
                     (PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword, "Manager"),
                     (PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword, "Agent"),
                 })
        {
            using var client = portal.CreateBrowserLikeClient();
            var signIn = await PortalAppFactory.SignInAsync(client, email, password);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

            var me = await client.GetFromJsonAsync<Me>(new Uri("/api/me", UriKind.Relative));

            Assert.Equal(email, me!.Name);
            Assert.Equal([role], me.Roles);
        }
    }

    [Fact]
    public async Task SignOutIsAPostThatEndsTheSession()
    {
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        var page = await client.GetStringAsync(new Uri("/Account/Manage", UriKind.Relative));
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        using var getLogout = await client.GetAsync(new Uri("/Account/Logout", UriKind.Relative));
        using var stillSignedIn = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
        using var logout = await client.PostAsync(new Uri("/Account/Logout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }));
        using var after = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    private sealed record CreatedKey(Guid Id, string Name, string Role, string Key);

    private sealed record Me(string Name, string[] Roles);
}
