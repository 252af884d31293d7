using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.ApiKeys;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.IntegrationTests.ApiKeys;

public sealed class BootstrapTests
{
    [Fact]
    public async Task RepeatedStartsKeepOneActiveBootstrapKeyAndOneAdmin()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (var start = 0; start < 3; start++)
            {
                await using var portal = new PortalAppFactory(folder);
                using var client = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
                var me = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/me", UriKind.Relative));
                Assert.Equal("Admin", me.GetProperty("roles")[0].GetString());
                if (start == 0)
                {
                    // An Admin switching the bootstrap key off: the next start turns it back on, as configured.
                    var keys = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/api-keys", UriKind.Relative));
                    var id = keys.EnumerateArray().Single().GetProperty("id").GetGuid();
                    await client.PostAsync(new Uri($"/api/admin/api-keys/{id}/deactivate", UriKind.Relative), null);
                }
            }

            await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "portal.db")}");
            await connection.OpenAsync();
            Assert.Equal(1L, await ScalarAsync(connection, $"SELECT COUNT(*) FROM ApiKeys WHERE KeyHash = '{ApiKeyService.Hash(PortalAppFactory.BootstrapApiKey)}' AND DeactivatedAt IS NULL"));
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM ApiKeys"));
            Assert.Equal(1L, await ScalarAsync(connection, $"SELECT COUNT(*) FROM AspNetUsers WHERE Email = '{PortalAppFactory.AdminEmail}'"));
            Assert.Equal(3L, await ScalarAsync(connection, "SELECT COUNT(*) FROM AspNetUsers"));
        }
        finally
        {
            PortalAppFactory.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task WithoutAConfiguredPasswordTheFirstStartGeneratesAndPrintsOne()
    {
        await using var portal = new PortalAppFactory(null, demo: false);
        portal.Settings["Portal:Bootstrap:AdminPassword"] = "";
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            using var client = portal.CreateBrowserLikeClient();
            await client.GetAsync(new Uri("/health", UriKind.Relative));
        }
        finally
        {
            Console.SetOut(original);
        }

        var printed = System.Text.RegularExpressions.Regex.Match(output.ToString(), $@"{System.Text.RegularExpressions.Regex.Escape(PortalAppFactory.AdminEmail)}\s+password (\S+)");
        Assert.True(printed.Success, "The sign-in banner names the admin and a generated password:\n" + output);
        using var signIn = portal.CreateBrowserLikeClient();
        var result = await PortalAppFactory.SignInAsync(signIn, PortalAppFactory.AdminEmail, printed.Groups[1].Value);
        Assert.Equal(HttpStatusCode.Redirect, result.StatusCode);
        Assert.Equal("/", new Uri(new Uri("http://localhost/"), result.Headers.Location!).AbsolutePath);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
