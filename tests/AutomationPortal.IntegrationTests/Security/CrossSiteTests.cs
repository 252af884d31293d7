using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Security;

/// <summary>Another site cannot act with a person's sign-in, nor send them elsewhere after it.</summary>
public sealed class CrossSiteTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    public async Task AForeignReturnUrlLeadsHomeAfterACorrectSignIn(string returnUrl)
    {
        using var client = portal.CreateBrowserLikeClient();
        var page = await client.GetStringAsync(new Uri("/Account/Login", UriKind.Relative));
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = "login",
            ["Input.Email"] = PortalAppFactory.AgentEmail,
            ["Input.Password"] = PortalAppFactory.DemoPassword,
        });

        using var signIn = await client.PostAsync(new Uri($"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var location = signIn.Headers.Location!.ToString();
        Assert.DoesNotContain("evil.example", location, StringComparison.Ordinal);
        Assert.True(location is "/" or "" || location.StartsWith("http://localhost/", StringComparison.Ordinal), location);
    }

    [Fact]
    public async Task SignOutWithoutTheFormsTokenSignsNobodyOut()
    {
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/Account/Logout") { Content = new FormUrlEncodedContent([]) };
        forged.Headers.Add("Origin", "https://evil.example");
        using var refused = await client.SendAsync(forged);
        using var me = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task ACookieAuthenticatedApiWriteFromAnotherSiteIsRefusedButNotFromThePortalOrAScript()
    {
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);

        var foreign = await PostKeyAsync(client, "https://evil.example");
        var own = await PostKeyAsync(client, "http://localhost");
        var none = await PostKeyAsync(client, null);
        using var keyed = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var script = await PostKeyAsync(keyed, "https://evil.example");

        Assert.Equal(HttpStatusCode.Forbidden, foreign);
        Assert.Equal(HttpStatusCode.Created, own);
        Assert.Equal(HttpStatusCode.Created, none);
        Assert.Equal(HttpStatusCode.Created, script);
    }

    [Fact]
    public async Task AnInvalidRoleIsRefusedAndCreatesNoAccount()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var email = $"norole-{Guid.NewGuid():N}@portal.test";

        using var numeric = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email, role = 99 });
        using var named = await admin.PostAsync(new Uri("/api/admin/users", UriKind.Relative), JsonContent.Create(JsonDocument.Parse($$"""{"email":"{{email}}","role":"Superuser"}""").RootElement));
        var list = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/users?search={Uri.EscapeDataString(email)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, numeric.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task EveryAnswerCarriesTheSecurityHeaders()
    {
        using var client = portal.CreateBrowserLikeClient();
        foreach (var path in new[] { "/Account/Login", "/api/me", "/health" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("same-origin", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
            Assert.Contains("frame-ancestors 'none'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        }
    }

    private static async Task<HttpStatusCode> PostKeyAsync(HttpClient client, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/api-keys") { Content = JsonContent.Create(new { name = $"key {Guid.NewGuid():N}", role = "Agent" }) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
