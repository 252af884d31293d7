using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>Quartz with its persistent SQLite store: fires, pauses, restarts and misfires.</summary>
public sealed class SchedulerTests
{
    [Fact]
    public async Task AScheduleFiresAndLeavesARunRecord()
    {
        await using var portal = new PortalAppFactory(null, demo: false);
        var api = AutomationApi.For(portal);
        api.Inbox("fires", "1", "2");
        var id = (await api.CreateAsync("fires", schedule: "0/2 * * * * ?")).GetProperty("id").GetGuid();

        JsonElement run = default;
        await AutomationApi.WaitUntilAsync(async () =>
        {
            var runs = (await api.RunsAsync(id)).GetProperty("items").EnumerateArray().ToList();
            run = runs.FirstOrDefault(r => r.GetProperty("trigger").GetString() == "Schedule" && r.GetProperty("status").GetString() == "Succeeded" && r.GetProperty("itemsDone").GetInt32() == 2);
            return run.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(20), "a scheduled run has processed the inbox");

        var detail = await api.RunAsync(run.GetProperty("id").GetGuid());
        Assert.Equal("Production", run.GetProperty("mode").GetString());
        Assert.True(detail.GetProperty("latenessMs").GetDouble() < 5000, $"Lateness {detail.GetProperty("latenessMs")} ms");
        Assert.False(run.GetProperty("misfired").GetBoolean());
    }

    [Fact]
    public async Task PauseStopsTheScheduleWithoutDeletingAndResumeRestoresTheStateBefore()
    {
        await using var portal = new PortalAppFactory(null, demo: false);
        var api = AutomationApi.For(portal);
        var id = (await api.CreateAsync("switch", state: "Pilot", schedule: "* * * * * ?")).GetProperty("id").GetGuid();
        await AutomationApi.WaitUntilAsync(async () => (await api.RunsAsync(id)).GetProperty("total").GetInt32() > 0, TimeSpan.FromSeconds(15), "the schedule fires");

        var paused = await api.PostAsync($"/api/automations/{id}/pause");
        await Task.Delay(1500);
        var countAfterPause = (await api.RunsAsync(id)).GetProperty("total").GetInt32();
        await Task.Delay(2500);
        var countLater = (await api.RunsAsync(id)).GetProperty("total").GetInt32();

        Assert.Equal("Paused", paused.GetProperty("state").GetString());
        Assert.Equal("Pilot", paused.GetProperty("stateBeforePause").GetString());
        Assert.Equal(countAfterPause, countLater);
        Assert.Equal(JsonValueKind.Null, (await api.SummaryAsync(id)).GetProperty("nextRunAt").ValueKind);

        var resumed = await api.PostAsync($"/api/automations/{id}/resume");

        Assert.Equal("Pilot", resumed.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.String, (await api.SummaryAsync(id)).GetProperty("nextRunAt").ValueKind);
        await AutomationApi.WaitUntilAsync(async () => (await api.RunsAsync(id)).GetProperty("total").GetInt32() > countLater, TimeSpan.FromSeconds(15), "the schedule fires again after resume");
        var runs = (await api.RunsAsync(id)).GetProperty("items").EnumerateArray().ToList();
        Assert.DoesNotContain(runs, r => r.GetProperty("skipReason").GetString() is { } reason && reason.StartsWith("Missed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheScheduleSurvivesARestart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            Guid id;
            string? nextBefore;
            await using (var first = new PortalAppFactory(folder, demo: false))
            {
                var api = AutomationApi.For(first);
                id = (await api.CreateAsync("nightly", schedule: "0 30 2 * * ?")).GetProperty("id").GetGuid();
                nextBefore = (await api.SummaryAsync(id)).GetProperty("nextRunAt").GetString();
            }

            await using var second = new PortalAppFactory(folder, demo: false);
            var after = await AutomationApi.For(second).SummaryAsync(id);

            Assert.NotNull(nextBefore);
            Assert.Equal(nextBefore, after.GetProperty("nextRunAt").GetString());
            Assert.Equal(1L, await ScalarAsync(second.ConnectionString, $"SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = '{id}'"));
        }
        finally
        {
            PortalAppFactory.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task FiresMissedWhileThePortalWasDownAreRecorded()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-misfire-" + Guid.NewGuid().ToString("N"));
        try
        {
            Guid id;
            await using (var first = new PortalAppFactory(folder, demo: false))
            {
                first.Settings["Portal:Scheduler:MisfireThresholdSeconds"] = "1";
                var api = AutomationApi.For(first);
                id = (await api.CreateAsync("misfire", schedule: "0/2 * * * * ?")).GetProperty("id").GetGuid();
                await AutomationApi.WaitUntilAsync(async () => (await api.RunsAsync(id)).GetProperty("total").GetInt32() > 0, TimeSpan.FromSeconds(15), "a first scheduled run");
            }

            await Task.Delay(TimeSpan.FromSeconds(7));

            await using var second = new PortalAppFactory(folder, demo: false);
            second.Settings["Portal:Scheduler:MisfireThresholdSeconds"] = "1";
            var restarted = AutomationApi.For(second);
            JsonElement[] runs = [];
            await AutomationApi.WaitUntilAsync(async () =>
            {
                runs = (await restarted.RunsAsync(id)).GetProperty("items").EnumerateArray().ToArray();
                return runs.Any(r => r.GetProperty("misfired").GetBoolean() && r.GetProperty("skipReason").ValueKind == JsonValueKind.Null);
            }, TimeSpan.FromSeconds(20), "the late fire runs once, marked as missed");

            var skipped = runs.Where(r => r.GetProperty("skipReason").GetString() is { } reason && reason.StartsWith("Missed", StringComparison.Ordinal)).ToList();
            Assert.True(skipped.Count >= 2, $"Fires during the 7 s outage are recorded as skipped ({skipped.Count}): {string.Join("\n", runs.Select(r => r.ToString()))}");
            Assert.All(skipped, r => Assert.Equal("Cancelled", r.GetProperty("status").GetString()));
        }
        finally
        {
            PortalAppFactory.DeleteFolder(folder);
        }
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
