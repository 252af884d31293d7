using System.Diagnostics;
using System.Net;
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
}
