using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>
/// The built portal (dotnet AutomationPortal.Web.dll) as a child process, killed with SIGKILL in the middle of a
/// run and started again: every item must end up processed exactly once.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const int Items = 600;

    [Fact]
    public async Task AKilledRunIsRecoveredAndEveryItemIsProcessedExactlyOnce()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var inbox = Path.Combine(folder, "crash", "inbox");
        Directory.CreateDirectory(inbox);
        for (var i = 0; i < Items; i++)
        {
            var path = Path.Combine(inbox, $"item-{i:0000}.txt");
            await File.WriteAllTextAsync(path, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        }

        Process? portal = null;
        try
        {
            var port = ChildPortal.FreePort();
            portal = ChildPortal.Start(folder, port);
            using var client = ChildPortal.ClientFor(port);
            await ChildPortal.WaitHealthyAsync(client, portal);

            var (id, runId) = await ChildPortal.CreateAndRunAsync(client, new
            {
                kind = "sample-inbox",
                name = "crash",
                schedule = "0 0 3 1 1 ?",
                state = "Production",
                settings = new { inboxPath = "crash/inbox", outboxPath = "crash/outbox", settleSeconds = 0, delayMs = 8 },
            });
            // Kill it once the first chunk is stored and the second is under way.
            await ChildPortal.WaitUntilReadAsync(client, runId, 200);
            await Task.Delay(300);
            await ChildPortal.KillAsync(portal);
            var storedAtKill = await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM WorkItems");
            Assert.InRange(storedAtKill, 200, Items - 1);

            portal = ChildPortal.Start(folder, port);
            await ChildPortal.WaitHealthyAsync(client, portal);
            await ChildPortal.WaitUntilSettledAsync(client, id, Items, null, TimeSpan.FromSeconds(90));

            var recovery = (await client.GetFromJsonAsync<JsonElement>(new Uri($"api/automations/{id}/runs", UriKind.Relative))).GetProperty("items").EnumerateArray().ToList();
            Assert.Contains(recovery, r => r.GetProperty("trigger").GetString() == "Recovery" && r.GetProperty("status").GetString() == "Succeeded");
            Assert.Contains(recovery, r => r.GetProperty("id").GetGuid() == runId && r.GetProperty("status").GetString() == "Cancelled");
        }
        finally
        {
            await ChildPortal.KillAsync(portal);
        }

        try
        {
            Assert.Equal(Items, await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM WorkItems"));
            Assert.Equal(Items, await ChildPortal.CountAsync(folder, "SELECT COUNT(DISTINCT SourceKey) FROM WorkItems"));
            Assert.Equal(Items, await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM WorkItems WHERE Status = 'Done'"));
            Assert.Equal(Items, await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM Decisions"));
            Assert.Equal(Items, await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM Effects"));
            Assert.Empty(Directory.GetFiles(inbox));
            Assert.Equal(Items, Directory.GetFiles(Path.Combine(folder, "crash", "archive")).Length);
            Assert.Equal(Items, Directory.GetFiles(Path.Combine(folder, "crash", "outbox"), "*.json").Length);
        }
        finally
        {
            PortalAppFactory.DeleteFolder(folder);
        }
    }
}
