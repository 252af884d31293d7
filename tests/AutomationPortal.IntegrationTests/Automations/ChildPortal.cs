using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.Sockets;
using AutomationPortal.TestSupport;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>The built portal (dotnet AutomationPortal.Web.dll) as a child process, to be killed with SIGKILL and started again.</summary>
internal static class ChildPortal
{
    public static Process Start(string dataFolder, int port)
    {
        var dll = Path.Combine(PortalAppFactory.RepoRoot, "src", "AutomationPortal.Web", "bin", BuildConfiguration, "net10.0", "AutomationPortal.Web.dll");
        Assert.True(File.Exists(dll), $"The built portal is expected at {dll}; build the solution first.");
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = PortalAppFactory.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ConnectionStrings__Portal"] = $"Data Source={Path.Combine(dataFolder, "portal.db")}";
        info.Environment["Portal__Bootstrap__AdminApiKey"] = PortalAppFactory.BootstrapApiKey;
        info.Environment["Portal__Bootstrap__AdminPassword"] = PortalAppFactory.AdminPassword;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitHealthyAsync(HttpClient client, Process process)
    {
        await AutomationApi.WaitUntilAsync(async () =>
        {
            Assert.False(process.HasExited, $"The portal exited with code {(process.HasExited ? process.ExitCode : 0)}.");
            try
            {
                return await client.GetStringAsync(new Uri("health", UriKind.Relative)) == "Healthy";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the portal is healthy");
    }

    public static async Task<long> CountAsync(string folder, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "portal.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    /// <summary>Waits until a run has read at least <paramref name="items"/> items (its first chunks are stored).</summary>
    public static Task WaitUntilReadAsync(HttpClient client, Guid runId, int items) =>
        AutomationApi.WaitUntilAsync(async () =>
        {
            var run = await client.GetFromJsonAsync<JsonElement>(new Uri($"api/runs/{runId}", UriKind.Relative));
            return run.GetProperty("run").GetProperty("itemsRead").GetInt32() >= items;
        }, TimeSpan.FromSeconds(60), $"run {runId} has read {items} items");

    /// <summary>Waits until the automation has <paramref name="items"/> work items (of a status, when given) and no run going.</summary>
    public static Task WaitUntilSettledAsync(HttpClient client, Guid automationId, int items, string? status, TimeSpan timeout) =>
        AutomationApi.WaitUntilAsync(async () =>
        {
            var found = await client.GetFromJsonAsync<JsonElement>(new Uri($"api/work-items?automationId={automationId}&pageSize=1{(status is null ? "" : "&status=" + status)}", UriKind.Relative));
            var runs = await client.GetFromJsonAsync<JsonElement>(new Uri($"api/automations/{automationId}/runs", UriKind.Relative));
            return found.GetProperty("total").GetInt32() == items
                && runs.GetProperty("items").EnumerateArray().All(r => r.GetProperty("status").GetString() is not ("Running" or "Queued"));
        }, timeout, "the recovery run has processed the rest");

    /// <summary>SIGKILL, as a power cut would: no shutdown code runs.</summary>
    public static async Task KillAsync(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>A client for the child portal's API with the bootstrap Admin key.</summary>
    public static HttpClient ClientFor(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Add("X-Api-Key", PortalAppFactory.BootstrapApiKey);
        return client;
    }

    /// <summary>Creates an automation (kind, name, schedule, state, settings) and starts a run of it now.</summary>
    public static async Task<(Guid AutomationId, Guid RunId)> CreateAndRunAsync(HttpClient client, object automation)
    {
        using var created = await client.PostAsJsonAsync(new Uri("api/automations", UriKind.Relative), automation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var started = await client.PostAsync(new Uri($"api/automations/{id}/runs", UriKind.Relative), null);
        return (id, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }
}
