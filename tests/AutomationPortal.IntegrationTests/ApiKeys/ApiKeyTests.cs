using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.ApiKeys;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.IntegrationTests.ApiKeys;

public sealed class ApiKeyTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task AdminCreatesAKeyThatWorksUntilDeactivated()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/api-keys", UriKind.Relative), new { name = "Nightly export", role = "Manager" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Nightly export", body.GetProperty("name").GetString());
        Assert.Equal("Manager", body.GetProperty("role").GetString());
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal(7, id.Version);

        using var caller = portal.CreateApiClient(key);
        var me = await caller.GetFromJsonAsync<JsonElement>(new Uri("/api/me", UriKind.Relative));
        Assert.Equal("Nightly export", me.GetProperty("name").GetString());
        Assert.Equal("Manager", me.GetProperty("roles")[0].GetString());

        using var deactivate = await admin.PostAsync(new Uri($"/api/admin/api-keys/{id}/deactivate", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NoContent, deactivate.StatusCode);
        using var refused = await caller.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task TheKeyIsStoredOnlyAsAHash()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var created = await (await admin.PostAsJsonAsync(new Uri("/api/admin/api-keys", UriKind.Relative), new { name = "hash check", role = "Agent" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString()!;

        var dump = await ReadAllTextColumnsAsync(portal.ConnectionString, "ApiKeys");
        var listing = await admin.GetStringAsync(new Uri("/api/admin/api-keys", UriKind.Relative));

        Assert.DoesNotContain(key, dump, StringComparison.Ordinal);
        Assert.Contains(ApiKeyService.Hash(key), dump, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"","role":"Agent"}""", "name")]
    [InlineData("""{"name":"no role"}""", "role")]
    public async Task AnInvalidKeyRequestGetsAClearError(string json, string field)
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var response = await admin.PostAsync(new Uri("/api/admin/api-keys", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task AnUnknownRoleIsRefused()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var response = await admin.PostAsync(new Uri("/api/admin/api-keys", UriKind.Relative),
            new StringContent("""{"name":"x","role":"Owner"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocumentIsServedToKeyHoldersOnly()
    {
        using var anonymous = portal.CreateBrowserLikeClient();
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var refused = await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = await admin.GetFromJsonAsync<JsonElement>(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/me", out _));
        Assert.True(paths.TryGetProperty("/api/admin/api-keys", out _));
    }

    private static async Task<string> ReadAllTextColumnsAsync(string connectionString, string table)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync();
        var text = new System.Text.StringBuilder();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.IsDBNull(i) ? "" : reader.GetValue(i).ToString()).Append('|');
            }
        }

        return text.ToString();
    }
}
