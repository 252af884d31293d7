using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>The engine on the real scheduler with its SQLite job store and a real inbox folder.</summary>
public sealed class EngineTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task ARunDecidesActsQuarantinesAndArchivesEveryFile()
    {
        var api = AutomationApi.For(portal);
        var inbox = api.Inbox("mixed", "10", "25.5", "5000", "-2", "not a number", "");
        var automation = await api.CreateAsync("mixed", settings: new { inboxPath = "mixed/inbox", outboxPath = "mixed/outbox", escalateAbove = 1000, settleSeconds = 0 });
        var id = automation.GetProperty("id").GetGuid();

        var run = await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = (await api.WorkItemsAsync(id)).GetProperty("items").EnumerateArray().ToList();

        var summary = run.GetProperty("run");
        // Quarantining unreadable input is the automation doing its job: no fault, the run succeeded.
        Assert.Equal("Succeeded", summary.GetProperty("status").GetString());
        Assert.Equal(6, summary.GetProperty("itemsRead").GetInt32());
        Assert.Equal(3, summary.GetProperty("itemsDone").GetInt32());
        Assert.Equal(1, summary.GetProperty("itemsEscalated").GetInt32());
        Assert.Equal(0, summary.GetProperty("itemsFailed").GetInt32());
        Assert.Equal(2, summary.GetProperty("itemsQuarantined").GetInt32());
        Assert.Equal(6, items.Count);
        Assert.Equal(2, items.Count(i => i.GetProperty("status").GetString() == "Quarantined" && i.GetProperty("reasonCodes")[0].GetString() == "unreadable"));
        Assert.Contains(items, i => i.GetProperty("decision").GetString() == "reject" && i.GetProperty("reasonCodes")[0].GetString() == "negative-value");
        Assert.Contains(items, i => i.GetProperty("status").GetString() == "Escalated" && i.GetProperty("reasonCodes")[0].GetString() == "over-threshold");
        Assert.Empty(Directory.GetFiles(inbox));
        Assert.Equal(4, Directory.GetFiles(Path.Combine(portal.DataFolder, "mixed", "archive")).Length);
        var quarantine = Directory.GetFiles(Path.Combine(portal.DataFolder, "mixed", "quarantine"));
        Assert.Equal(2, quarantine.Count(f => f.EndsWith(".error.txt", StringComparison.Ordinal)));
        Assert.Contains(quarantine.Where(f => f.EndsWith(".error.txt", StringComparison.Ordinal)).Select(File.ReadAllText), t => t.Contains("is not a number", StringComparison.Ordinal));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(portal.DataFolder, "mixed", "outbox")).Length);
        Assert.All(items, i => Assert.DoesNotContain("/inbox/", i.GetProperty("originalRef").GetString(), StringComparison.Ordinal));
        Assert.Contains(run.GetProperty("log").EnumerateArray(), l => l.GetProperty("message").GetString()!.Contains("quarantined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSameBytesTwiceChangeNothingButAChangedCopyIsNew()
    {
        var api = AutomationApi.For(portal);
        api.Inbox("dedupe", "42");
        var id = (await api.CreateAsync("dedupe")).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id));

        api.Inbox("dedupe", "42", "43");
        var second = await api.WaitForRunAsync(await api.RunNowAsync(id));

        Assert.Equal(1, second.GetProperty("run").GetProperty("itemsSkipped").GetInt32());
        Assert.Equal(1, second.GetProperty("run").GetProperty("itemsDone").GetInt32());
        Assert.Equal(2, (await api.WorkItemsAsync(id)).GetProperty("total").GetInt32());
        Assert.Equal(3, Directory.GetFiles(Path.Combine(portal.DataFolder, "dedupe", "archive")).Length);
    }

    [Fact]
    public async Task ShadowDecidesAndRecordsButNeverActsNorConsumesTheInbox()
    {
        var api = AutomationApi.For(portal);
        var inbox = api.Inbox("shadow", "1", "2", "9999");
        var id = (await api.CreateAsync("shadow", state: "Shadow")).GetProperty("id").GetGuid();

        var run = await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = (await api.WorkItemsAsync(id)).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal("Shadow", run.GetProperty("run").GetProperty("mode").GetString());
        Assert.All(items, i => Assert.Equal("Shadow", i.GetProperty("lane").GetString()));
        Assert.Equal(2, items.Count(i => i.GetProperty("decision").GetString() == "approve"));
        Assert.False(Directory.Exists(Path.Combine(portal.DataFolder, "shadow", "outbox")) && Directory.GetFiles(Path.Combine(portal.DataFolder, "shadow", "outbox")).Length > 0);
        Assert.Equal(3, Directory.GetFiles(inbox).Length);

        // Promoted to Production, the same inputs are processed for real, once.
        var detail = await api.GetAsync(id);
        using var put = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { state = "Production", version = detail.GetProperty("version").GetInt64() });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var live = await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal("Production", live.GetProperty("run").GetProperty("mode").GetString());
        Assert.Equal(2, live.GetProperty("run").GetProperty("itemsDone").GetInt32());
        Assert.Equal(2, Directory.GetFiles(Path.Combine(portal.DataFolder, "shadow", "outbox")).Length);
    }

    [Fact]
    public async Task AFailingActionIsRetriedAndThenLeftForLaterRunsWhichFinishIt()
    {
        var api = AutomationApi.For(portal);
        api.Inbox("retry", "7");
        var blocker = Path.Combine(portal.DataFolder, "retry", "outbox");
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        await File.WriteAllTextAsync(blocker, "a file where the outbox folder should be");
        var id = (await api.CreateAsync("retry", guardrails: new { maxConsecutiveFailedRuns = 10 })).GetProperty("id").GetGuid();

        var first = await api.WaitForRunAsync(await api.RunNowAsync(id));
        var failed = (await api.WorkItemsAsync(id)).GetProperty("items")[0];
        Assert.Equal("ActionFailed", failed.GetProperty("status").GetString());
        Assert.Equal(1, first.GetProperty("run").GetProperty("itemsFailed").GetInt32());
        Assert.Contains(first.GetProperty("log").EnumerateArray(), l => l.GetProperty("message").GetString()!.Contains("retrying", StringComparison.Ordinal));

        File.Delete(blocker);
        var second = await api.WaitForRunAsync(await api.RunNowAsync(id));

        Assert.Equal(1, second.GetProperty("run").GetProperty("itemsDone").GetInt32());
        Assert.Equal("Done", (await api.WorkItemsAsync(id)).GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Single(Directory.GetFiles(blocker));
    }

    [Fact]
    public async Task CrossingTheFailureRateAutoPausesRaisesAnAlertAndResumeAcknowledgesIt()
    {
        var api = AutomationApi.For(portal);
        var (id, _) = await api.AutoPausedByFailingActionsAsync("fragile");

        var paused = await api.GetAsync(id);
        Assert.Equal("AutoPaused", paused.GetProperty("state").GetString());
        Assert.Equal("Pilot", paused.GetProperty("stateBeforePause").GetString());
        var alert = await api.OpenAlertAsync(id);
        Assert.Equal("auto-paused:failure-rate", alert.GetProperty("code").GetString());
        Assert.Contains("4 of the last 4 items failed", alert.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Null((await api.SummaryAsync(id)).GetProperty("nextRunAt").GetString());

        var resumed = await api.PostAsync($"/api/automations/{id}/resume");

        Assert.Equal("Pilot", resumed.GetProperty("state").GetString());
        var open = await api.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/alerts", UriKind.Relative));
        Assert.DoesNotContain(open.EnumerateArray(), a => a.GetProperty("automationId").GetGuid() == id);
        var audit = await api.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/audit?entityType=Alert&text=fragile", UriKind.Relative));
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("summary").GetString()!.StartsWith("Alert acknowledged", StringComparison.Ordinal)
            && e.GetProperty("actorName").GetString() == "api-key:Bootstrap admin key");
    }

    [Fact]
    public async Task RunNowWhileARunIsGoingQueuesTheSecondBehindTheFirst()
    {
        var api = AutomationApi.For(portal);
        api.Inbox("slow", Enumerable.Range(1, 12).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var id = (await api.CreateAsync("slow", settings: new { inboxPath = "slow/inbox", outboxPath = "slow/outbox", settleSeconds = 0, delayMs = 100 })).GetProperty("id").GetGuid();

        var first = await api.RunNowAsync(id);
        var second = await api.RunNowAsync(id);
        var a = (await api.WaitForRunAsync(first)).GetProperty("run");
        var b = (await api.WaitForRunAsync(second)).GetProperty("run");

        Assert.NotEqual(first, second);
        Assert.True(b.GetProperty("startedAt").GetDateTime() >= a.GetProperty("endedAt").GetDateTime(), "Runs of one automation never overlap.");
        Assert.Equal(12, a.GetProperty("itemsDone").GetInt32() + b.GetProperty("itemsDone").GetInt32());
    }

    [Fact]
    public async Task WorkItemsPageFromOneWithTheKindsSummaryAtTheTopLevel()
    {
        var api = AutomationApi.For(portal);
        api.Inbox("paging", "1", "2", "3", "4999");
        var id = (await api.CreateAsync("paging")).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id));

        var first = await api.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items?automationId={id}&page=1&pageSize=3", UriKind.Relative));
        var second = await api.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items?automationId={id}&page=2&pageSize=3", UriKind.Relative));
        var clamped = await api.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items?automationId={id}&pageSize=100000", UriKind.Relative));
        var escalated = await api.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items?automationId={id}&status=Escalated&reason=over-threshold", UriKind.Relative));

        Assert.Equal(4, first.GetProperty("total").GetInt32());
        Assert.Equal(1, first.GetProperty("page").GetInt32());
        Assert.Equal(3, first.GetProperty("items").GetArrayLength());
        Assert.Equal(1, second.GetProperty("items").GetArrayLength());
        Assert.Equal(500, clamped.GetProperty("pageSize").GetInt32());
        var item = Assert.Single(escalated.GetProperty("items").EnumerateArray());
        Assert.Equal(4999m, item.GetProperty("amount").GetDecimal());
        Assert.True(item.TryGetProperty("sourceKey", out _));
        Assert.Equal(JsonValueKind.Array, item.GetProperty("reasonCodes").ValueKind);
    }
}
