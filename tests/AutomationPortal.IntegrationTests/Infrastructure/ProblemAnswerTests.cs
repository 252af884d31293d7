using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Infrastructure;

/// <summary>
/// The portal's refusals (invalid fields, not found, conflicts) answer problem details of one shape whichever
/// feature's endpoint refused: status, type, title, detail and the errors by field, word for word, with a trace id.
/// </summary>
public sealed partial class ProblemAnswerTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task AutomationRefusalsAnswerProblemDetails()
    {
        var api = AutomationApi.For(portal);
        var automation = await api.CreateAsync("problems");
        var id = automation.GetProperty("id").GetGuid();
        var version = automation.GetProperty("version").GetInt64();
        var paused = (await api.CreateAsync("problems paused", state: "Paused")).GetProperty("id").GetGuid();
        var missing = Guid.NewGuid();

        await AssertProblemAsync(
            await api.Client.GetAsync(new Uri($"/api/automations/{missing}", UriKind.Relative)),
            $$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"detail":"No automation has the id {{missing}}: check the link or the id you used."}""");
        await AssertProblemAsync(
            await api.Client.PostAsync(new Uri($"/api/alerts/{missing}/acknowledge", UriKind.Relative), null),
            $$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"detail":"No alert has the id {{missing}}: check the link or the id you used."}""");
        await AssertProblemAsync(
            await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { name = "renamed" }),
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"version":["Give the version you read (from GET /api/automations/{id}), so a change made meanwhile by someone else is not overwritten."]}}""");
        await AssertProblemAsync(
            await api.Client.GetAsync(new Uri("/api/work-items?page=2147483647&pageSize=500", UriKind.Relative)),
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"page":["Page 2147483647 is beyond any list; pages count from 1."]}}""");
        await AssertProblemAsync(
            await api.Client.PostAsync(new Uri($"/api/automations/{paused}/runs", UriKind.Relative), null),
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,"detail":"problems paused is paused: it was paused by api-key:Bootstrap admin key. A paused automation decides nothing; resume it to run it."}""");
        await AssertProblemAsync(
            await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { name = "renamed", version = version + 7 }),
            $$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,"detail":"problems was changed by someone else meanwhile (version {{version}}, yours {{version + 7}}). Reload it and try again."}""");
    }

    [Fact]
    public async Task UserRefusalsAnswerProblemDetails()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var created = await (await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email = "problems@portal.test", role = "Agent" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("user").GetProperty("id").GetGuid();

        await AssertProblemAsync(
            await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email = "not an email", role = "Agent" }),
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"user":["'not an email' is not an email address."]}}""");
        await AssertProblemAsync(
            await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{Guid.NewGuid()}/lock", UriKind.Relative), new { version = 1 }),
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"user":["No account has that id: reload the list and choose the account again."]}}""");
        await AssertProblemAsync(
            await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{id}/role", UriKind.Relative), new { version = 12345, role = "Manager" }),
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Changed by someone else meanwhile.","status":409,"detail":"problems@portal.test was changed by someone else meanwhile. Reload the list and try again."}""");
    }

    [Fact]
    public async Task ApiKeyRefusalsAnswerProblemDetails()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        await AssertProblemAsync(
            await admin.PostAsJsonAsync(new Uri("/api/admin/api-keys", UriKind.Relative), new { name = "", role = "Agent" }),
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"name":["Give the key a name of 1 to 100 characters that says who uses it, for example \"Accounting export script\"."]}}""");
    }

    [Fact]
    public async Task ARefusalKeepsTheSecurityHeaders()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var response = await admin.GetAsync(new Uri($"/api/automations/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        foreach (var header in new[] { "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy", "Content-Security-Policy" })
        {
            Assert.True(response.Headers.Contains(header), $"{header} is sent");
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Matches(TraceId(), body);
            Assert.Equal(expected, TraceId().Replace(body, ""));
            Assert.Equal(JsonDocument.Parse(expected).RootElement.GetProperty("status").GetInt32(), (int)response.StatusCode);
        }
    }

    [GeneratedRegex(""","traceId":"[^"]+"(?=}$)""")]
    private static partial Regex TraceId();
}
