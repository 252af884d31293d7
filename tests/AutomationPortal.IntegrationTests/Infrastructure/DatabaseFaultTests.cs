using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.IntegrationTests.Infrastructure;

/// <summary>A database that cannot be written is reported as such: at start, by /health, and by every API write.</summary>
public sealed class DatabaseFaultTests
{
    [Fact]
    public async Task OnAFullDiskHealthSaysWhyWritesAnswer503AndAllRecoversOnceThereIsRoom()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-full-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (!await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", folder))
        {
            Directory.Delete(folder);
            Assert.Skip("SKIPPED: a small tmpfs could not be mounted (this needs root); the full-disk test needs one.");
        }

        try
        {
            await using (var portal = new PortalAppFactory(folder, demo: false))
            {
                using var api = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
                Assert.Equal("Healthy", await api.GetStringAsync(new Uri("/health", UriKind.Relative)));

                // The write-ahead log emptied, then the disk filled: the next change needs room it does not have.
                await using (var connection = new SqliteConnection(portal.ConnectionString))
                {
                    await connection.OpenAsync();
                    await using var checkpoint = connection.CreateCommand();
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                    await checkpoint.ExecuteNonQueryAsync();
                }

                var filler = Path.Combine(folder, "filler.bin");
                Fill(filler);

                using var create = await api.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new { kind = "sample-inbox", name = "on a full disk", schedule = "0 0 3 * * ?" });
                var body = await create.Content.ReadAsStringAsync();
                Assert.True(create.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)create.StatusCode}: {body[..Math.Min(300, body.Length)]}");
                var problem = JsonDocument.Parse(body).RootElement;
                var health = await api.GetAsync(new Uri("/health", UriKind.Relative));
                var healthText = await health.Content.ReadAsStringAsync();

                Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
                Assert.Contains("disk that holds it is full", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                Assert.StartsWith("Unhealthy:", healthText, StringComparison.Ordinal);
                Assert.Contains("disk that holds it is full", healthText, StringComparison.Ordinal);
                Assert.DoesNotContain(folder, healthText, StringComparison.Ordinal);

                File.Delete(filler);
                Assert.Equal("Healthy", await api.GetStringAsync(new Uri("/health", UriKind.Relative)));
                using var again = await api.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new { kind = "sample-inbox", name = "on a full disk", schedule = "0 0 3 * * ?" });
                Assert.Equal(HttpStatusCode.Created, again.StatusCode);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await RunAsync("umount", "-l", folder);
            PortalAppFactory.DeleteFolder(folder);
        }
    }

    [Fact]
    public void ADatabaseThatCannotBeWrittenStopsTheStartNamingTheFileAndWhy()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-readonly-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using (var seed = new PortalAppFactory(folder, demo: false))
        {
            seed.CreateClient().Dispose();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            // Read-only as SQLite opens it: the start must not look like a working portal, and must say which file.
            using var portal = new PortalAppFactory(folder, demo: false);
            portal.Settings["ConnectionStrings:Portal"] = $"Data Source={portal.DatabasePath};Mode=ReadOnly";
            var error = Assert.ThrowsAny<Exception>(() => portal.CreateClient().Dispose());

            var message = string.Join(" | ", Chain(error).Select(e => e.Message));
            Assert.Contains(portal.DatabasePath, message, StringComparison.Ordinal);
            Assert.Contains("cannot be written", message, StringComparison.Ordinal);
            Assert.Contains("read-only", message, StringComparison.Ordinal);
        }
        finally
        {
            PortalAppFactory.DeleteFolder(folder);
        }
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    private static void Fill(string path)
    {
        var block = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // The disk is full: exactly what the test needs.
        }
    }

    private static async Task<bool> RunAsync(string command, params string[] arguments)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
            await process.WaitForExitAsync();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
