using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>
/// The controls an Admin relies on hold: paused means paused whatever asks for a run, an emergency stop undoes only
/// itself, a resumed automation starts with clean guardrail windows, and bad input is no fault.
/// </summary>
public sealed class PauseControlTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    private static object Clean(string name) => new { inboxPath = $"{name}/inbox", outboxPath = $"{name}/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 };

    [Fact]
    public async Task APausedAutomationDecidesNothingFromAnUploadAndProcessesItAtOnceWhenResumed()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "paused-upload", Clean("paused-upload"))).GetProperty("id").GetGuid();
        await api.PostAsync($"/api/automations/{id}/pause");
        using var agent = portal.CreateApiClient(await KeyAsync(api, "Agent"));

        using var response = await UploadAsync(agent, id, ("first.xml", InvoiceWriter.Write(InvoiceSamples.Create(301), InvoiceFormat.Ubl)));
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith("held: the automation is paused", answer.GetProperty("held").GetString(), StringComparison.Ordinal);
        var file = Assert.Single(answer.GetProperty("files").EnumerateArray());
        Assert.StartsWith("held: the automation is paused", file.GetProperty("held").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, file.GetProperty("workItemId").ValueKind);
        Assert.Empty(await InvoiceFiles.ItemsAsync(api, id));
        Assert.Empty(InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, "paused-upload", "outbox")));
        Assert.Single(Directory.GetFiles(Path.Combine(portal.DataFolder, "paused-upload", "uploads", "held")));

        await api.PostAsync($"/api/automations/{id}/resume");

        // The resume starts a run of its own for what was held; it posts the invoice and exports it.
        var resumeRun = (await api.RunsAsync(id)).GetProperty("items").EnumerateArray().Single(r => r.GetProperty("trigger").GetString() == "Resume");
        var run = (await api.WaitForRunAsync(resumeRun.GetProperty("id").GetGuid())).GetProperty("run");
        Assert.Equal(1, run.GetProperty("itemsDone").GetInt32());
        Assert.Equal("Done", Assert.Single(await InvoiceFiles.ItemsAsync(api, id)).GetProperty("status").GetString());
        Assert.Single(InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, "paused-upload", "outbox")));
        Assert.Empty(Directory.GetFiles(Path.Combine(portal.DataFolder, "paused-upload", "uploads", "held")));
    }

    [Fact]
    public async Task PauseAllHoldsUploadsAndRunNowOnAPausedAutomationIsRefusedWithTheReason()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "stopped-upload", Clean("stopped-upload"))).GetProperty("id").GetGuid();
        await api.PostAsync("/api/automations/pause-all");
        try
        {
            using var upload = await UploadAsync(api.Client, id, ("x.json", InvoiceWriter.Write(InvoiceSamples.Create(302), InvoiceFormat.Json)));
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
            Assert.Empty(await InvoiceFiles.ItemsAsync(api, id));

            using var runNow = await api.Client.PostAsync(new Uri($"/api/automations/{id}/runs", UriKind.Relative), null);
            var problem = await runNow.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.Conflict, runNow.StatusCode);
            Assert.Contains("Pause all", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("resume it", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await api.PostAsync("/api/automations/resume-all");
        }

        await AutomationApi.WaitUntilAsync(async () => (await InvoiceFiles.ItemsAsync(api, id)).Count == 1, TimeSpan.FromSeconds(30), "the upload held by Pause all is read after Resume all");
    }

    [Fact]
    public async Task ARunGoingWhenItsAutomationIsPausedStopsAfterTheItemItIsOnAndTheRestWaits()
    {
        var api = AutomationApi.For(portal);
        var inbox = api.Inbox("midrun", Enumerable.Range(1, 30).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var id = (await api.CreateAsync("midrun", settings: new { inboxPath = "midrun/inbox", outboxPath = "midrun/outbox", settleSeconds = 0, delayMs = 150 })).GetProperty("id").GetGuid();

        var runId = await api.RunNowAsync(id);
        await AutomationApi.WaitUntilAsync(async () => (await api.RunAsync(runId)).GetProperty("run").GetProperty("status").GetString() == "Running", TimeSpan.FromSeconds(20), "the run starts");
        await Task.Delay(600);
        await api.PostAsync("/api/automations/pause-all");
        var pausedAt = DateTime.UtcNow;
        var run = (await api.WaitForRunAsync(runId)).GetProperty("run");

        Assert.Equal("Stopped", run.GetProperty("status").GetString());
        Assert.Contains("paused by", run.GetProperty("stopReason").GetString(), StringComparison.Ordinal);
        Assert.True(run.GetProperty("endedAt").GetDateTime().ToUniversalTime() - pausedAt < TimeSpan.FromSeconds(2), "The run ends within about one item of the pause.");
        var items = (await api.WorkItemsAsync(id)).GetProperty("items").EnumerateArray().ToList();
        var done = items.Count;
        Assert.InRange(done, 1, 20);
        var afterPause = items.Count(i => i.GetProperty("completedAt").GetDateTime().ToUniversalTime() > pausedAt);
        Assert.True(afterPause <= 1, $"{afterPause} items were completed after Pause all answered; at most the one in hand may be.");
        Assert.Equal(30 - done, Directory.GetFiles(inbox).Length);
        Assert.Equal(done, Directory.GetFiles(Path.Combine(portal.DataFolder, "midrun", "outbox")).Length);

        await api.PostAsync("/api/automations/resume-all");
        await AutomationApi.WaitUntilAsync(async () => (await api.WorkItemsAsync(id)).GetProperty("total").GetInt32() == 30, TimeSpan.FromSeconds(40), "the rest of the inbox is processed after the resume");
        Assert.Empty(Directory.GetFiles(inbox));
        Assert.Equal(30, Directory.GetFiles(Path.Combine(portal.DataFolder, "midrun", "outbox")).Length);
    }

    [Fact]
    public async Task ResumeAllResumesExactlyWhatPauseAllPausedAndSaysWhatItLeaves()
    {
        var api = AutomationApi.For(portal);
        var alone = (await api.CreateAsync("paused-alone", state: "Pilot")).GetProperty("id").GetGuid();
        var other = (await api.CreateAsync("paused-by-stop", state: "Production")).GetProperty("id").GetGuid();
        await api.PostAsync($"/api/automations/{alone}/pause");

        var stop = await api.PostAsync("/api/automations/pause-all");
        Assert.Contains(stop.GetProperty("automations").EnumerateArray(), a => a.GetProperty("id").GetGuid() == other);
        Assert.DoesNotContain(stop.GetProperty("automations").EnumerateArray(), a => a.GetProperty("id").GetGuid() == alone);
        var undo = await api.PostAsync("/api/automations/resume-all");

        Assert.Equal("Production", (await api.GetAsync(other)).GetProperty("state").GetString());
        Assert.Equal("Paused", (await api.GetAsync(alone)).GetProperty("state").GetString());
        Assert.Contains(undo.GetProperty("automations").EnumerateArray(), a => a.GetProperty("id").GetGuid() == other);
        var left = Assert.Single(undo.GetProperty("leftPaused").EnumerateArray(), a => a.GetProperty("id").GetGuid() == alone);
        Assert.Contains("on its own", left.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Its own resume still brings it back as it was.
        Assert.Equal("Pilot", (await api.PostAsync($"/api/automations/{alone}/resume")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AResumedAutomationIsJudgedOnlyOnWhatHappensAfterTheResume()
    {
        var api = AutomationApi.For(portal);
        api.Inbox("stale", "x", "y", "z", "w");
        var id = (await api.CreateAsync("stale", state: "Pilot", guardrails: new { maxFailureRate = 0.5, failureRateWindow = 4, maxQuarantineRate = 0.5, quarantineRateWindow = 4 })).GetProperty("id").GetGuid();

        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal("AutoPaused", (await api.GetAsync(id)).GetProperty("state").GetString());

        // The sender is fixed; the resume is the acknowledgement; a clean run is not judged on the old bad files.
        api.Inbox("stale", "5");
        await api.PostAsync($"/api/automations/{id}/resume");
        var run = await LatestRunAfterResumeAsync(api, id);

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("itemsDone").GetInt32());
        Assert.Equal("Pilot", (await api.GetAsync(id)).GetProperty("state").GetString());
        Assert.DoesNotContain((await api.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/alerts", UriKind.Relative))).EnumerateArray(), a => a.GetProperty("automationId").GetGuid() == id);
    }

    [Fact]
    public async Task AFixedActionIsRetriedAfterTheResumeAndItsSuccessCounts()
    {
        var api = AutomationApi.For(portal);
        var (id, blocker) = await api.AutoPausedByFailingActionsAsync("fixed");
        Assert.Equal("auto-paused:failure-rate", (await api.OpenAlertAsync(id)).GetProperty("code").GetString());

        File.Delete(blocker);
        await api.PostAsync($"/api/automations/{id}/resume");
        var run = await LatestRunAfterResumeAsync(api, id);

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Equal(4, run.GetProperty("itemsDone").GetInt32());
        Assert.Equal(4, run.GetProperty("itemsRetried").GetInt32());
        Assert.Equal(0, run.GetProperty("itemsRead").GetInt32());
        Assert.Equal("Pilot", (await api.GetAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AnActionThatStillFailsAfterTheResumeCountsAgain()
    {
        var api = AutomationApi.For(portal);
        var (id, _) = await api.AutoPausedByFailingActionsAsync("still");
        Assert.Equal("AutoPaused", (await api.GetAsync(id)).GetProperty("state").GetString());

        // Not fixed: the four retries after the resume fail again, and those failures count.
        await api.PostAsync($"/api/automations/{id}/resume");
        await LatestRunAfterResumeAsync(api, id);

        Assert.Equal("AutoPaused", (await api.GetAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task UploadedFilesAreMovedOutOnceStoredSoEachRunCountsOnlyWhatIsNew()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "reread", Clean("reread"))).GetProperty("id").GetGuid();
        var shadow = (await InvoiceFiles.CreateAsync(api, "reread-shadow", Clean("reread-shadow"), state: "Shadow")).GetProperty("id").GetGuid();
        foreach (var target in new[] { id, shadow })
        {
            var offset = target == id ? 0 : 100;
            using (await UploadAsync(api.Client, target, Invoices(400 + offset, 4)))
            using (await UploadAsync(api.Client, target, Invoices(420 + offset, 14)))
            using (await UploadAsync(api.Client, target, Invoices(400 + offset, 1)))
            {
                var runs = (await api.RunsAsync(target)).GetProperty("items").EnumerateArray().Reverse().ToList();
                Assert.Equal(new[] { 4, 14, 0 }, runs.Select(r => r.GetProperty("itemsRead").GetInt32()));
                Assert.Equal(new[] { 0, 0, 1 }, runs.Select(r => r.GetProperty("itemsSkipped").GetInt32()));
            }
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(portal.DataFolder, "reread", "uploads")));
        Assert.Empty(Directory.GetFiles(Path.Combine(portal.DataFolder, "reread-shadow", "uploads")));
        Assert.Equal(19, Directory.GetFiles(Path.Combine(portal.DataFolder, "reread", "archive")).Length);
    }

    [Fact]
    public async Task FilesUploadedTogetherAreDecidedInTheOrderGiven()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "order", Clean("order"))).GetProperty("id").GetGuid();
        var invoice = InvoiceSamples.Create(350);

        // The one chosen first is the original, whatever the names say; the second is its duplicate.
        using var response = await UploadAsync(api.Client, id, ("z-chosen-first.xml", InvoiceWriter.Write(invoice, InvoiceFormat.Ubl)), ("a-chosen-second.xml", InvoiceWriter.Write(invoice, InvoiceFormat.Cii)));
        var files = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("files").EnumerateArray().ToList();

        Assert.Equal("Done", files[0].GetProperty("status").GetString());
        Assert.Equal("Escalated", files[1].GetProperty("status").GetString());
        Assert.Contains("duplicate", files[1].GetProperty("reasonCodes").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task InboxFilesAreDecidedInTheOrderTheyArrived()
    {
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "arrival", "inbox");
        var invoice = InvoiceSamples.Create(360);
        var early = InvoiceFiles.Write(inbox, "z-arrived-first.xml", invoice, InvoiceFormat.Ubl);
        var late = InvoiceFiles.Write(inbox, "a-arrived-later.xml", invoice, InvoiceFormat.Cii);
        File.SetLastWriteTimeUtc(early, DateTime.UtcNow.AddMinutes(-10));
        File.SetLastWriteTimeUtc(late, DateTime.UtcNow.AddMinutes(-5));
        var id = (await InvoiceFiles.CreateAsync(api, "arrival", Clean("arrival"))).GetProperty("id").GetGuid();

        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = await InvoiceFiles.ItemsAsync(api, id);

        Assert.Equal("Done", items.Single(i => i.GetProperty("originalRef").GetString()!.EndsWith("z-arrived-first.xml", StringComparison.Ordinal)).GetProperty("status").GetString());
        Assert.Contains("duplicate", InvoiceFiles.Reasons(items.Single(i => i.GetProperty("originalRef").GetString()!.EndsWith("a-arrived-later.xml", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task QuarantiningBadInputIsTheAutomationDoingItsJobNotAFault()
    {
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "bad-input", "inbox");
        for (var i = 0; i < 3; i++)
        {
            InvoiceFiles.Write(inbox, $"good-{i}.xml", InvoiceSamples.Create(370 + i), InvoiceFormat.Ubl);
        }

        InvoiceFiles.WriteBytes(inbox, "scan.pdf", [0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a]);
        var id = (await InvoiceFiles.CreateAsync(api, "bad-input", Clean("bad-input"))).GetProperty("id").GetGuid();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");
        await api.WaitForRunAsync(await api.RunNowAsync(id));

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Equal(0, run.GetProperty("itemsFailed").GetInt32());
        Assert.Equal(1, run.GetProperty("itemsQuarantined").GetInt32());
        var summary = await api.SummaryAsync(id);
        Assert.Equal(1.0, summary.GetProperty("successRate7Days").GetDouble());
        Assert.Equal("Production", summary.GetProperty("state").GetString());
    }

    [Fact]
    public async Task AFloodOfUnreadableFilesAutoPausesWithItsOwnAlert()
    {
        var api = AutomationApi.For(portal);
        api.Inbox("flood", "x", "y", "z", "1");
        var id = (await api.CreateAsync("flood", state: "Pilot", guardrails: new { maxQuarantineRate = 0.5, quarantineRateWindow = 4 })).GetProperty("id").GetGuid();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Equal("AutoPaused", (await api.GetAsync(id)).GetProperty("state").GetString());
        var alert = (await api.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/alerts", UriKind.Relative))).EnumerateArray().Single(a => a.GetProperty("automationId").GetGuid() == id);
        Assert.Equal("auto-paused:quarantine-rate", alert.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AgentsAndManagersMayGiveWorkToAnAutomationButNotChangeIt()
    {
        var api = AutomationApi.For(portal);
        var created = await InvoiceFiles.CreateAsync(api, "hand-in", Clean("hand-in"));
        var id = created.GetProperty("id").GetGuid();
        foreach (var role in new[] { "Agent", "Manager" })
        {
            using var client = portal.CreateApiClient(await KeyAsync(api, role));
            using var upload = await UploadAsync(client, id, ($"{role}.json", InvoiceWriter.Write(InvoiceSamples.Create(role == "Agent" ? 380 : 381), InvoiceFormat.Json)));
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

            using var change = await client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { name = "renamed", version = created.GetProperty("version").GetInt64() });
            Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
            using var pause = await client.PostAsync(new Uri($"/api/automations/{id}/pause", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Forbidden, pause.StatusCode);
        }

        Assert.Equal(2, (await InvoiceFiles.ItemsAsync(api, id)).Count);
    }

    /// <summary>
    /// The run a resume starts (the run before was stopped by the auto-pause), once it has ended; a run is started
    /// here when the resume started none.
    /// </summary>
    private static async Task<JsonElement> LatestRunAfterResumeAsync(AutomationApi api, Guid automationId)
    {
        var resumeRun = (await api.RunsAsync(automationId)).GetProperty("items").EnumerateArray().FirstOrDefault(r => r.GetProperty("trigger").GetString() == "Resume");
        var runId = resumeRun.ValueKind == JsonValueKind.Object ? resumeRun.GetProperty("id").GetGuid() : await api.RunNowAsync(automationId);
        return (await api.WaitForRunAsync(runId)).GetProperty("run");
    }

    [Fact]
    public async Task AResumeWhileTheStoppedRunIsStillFinishingItsItemStillProcessesTheRest()
    {
        var api = AutomationApi.For(portal);
        var inbox = api.Inbox("quick-resume", Enumerable.Range(1, 6).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var id = (await api.CreateAsync("quick-resume", settings: new { inboxPath = "quick-resume/inbox", outboxPath = "quick-resume/outbox", settleSeconds = 0, delayMs = 1500 })).GetProperty("id").GetGuid();
        var runId = await api.RunNowAsync(id);
        await AutomationApi.WaitUntilAsync(async () => (await api.RunAsync(runId)).GetProperty("run").GetProperty("status").GetString() == "Running", TimeSpan.FromSeconds(20), "the run starts");

        // Paused and resumed at once, while the run is still on its item.
        await api.PostAsync($"/api/automations/{id}/pause");
        await api.PostAsync($"/api/automations/{id}/resume");

        await AutomationApi.WaitUntilAsync(async () => (await api.WorkItemsAsync(id)).GetProperty("total").GetInt32() == 6, TimeSpan.FromSeconds(40), "every file is processed after the quick resume");
        Assert.Empty(Directory.GetFiles(inbox));
    }

    [Fact]
    public async Task AGuardrailStopsTheRunAtTheItemThatCrossesItNotAtTheEndOfTheChunk()
    {
        var api = AutomationApi.For(portal);
        var inbox = api.Inbox("flood-stop", Enumerable.Range(1, 60).Select(i => $"bad {i}").ToArray());
        var id = (await api.CreateAsync("flood-stop", state: "Pilot", guardrails: new { maxQuarantineRate = 0.5, quarantineRateWindow = 4 })).GetProperty("id").GetGuid();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");

        Assert.Equal("Stopped", run.GetProperty("status").GetString());
        Assert.Contains("paused itself", run.GetProperty("stopReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, run.GetProperty("itemsQuarantined").GetInt32());
        Assert.Equal(56, Directory.GetFiles(inbox).Length);
        Assert.Equal("AutoPaused", (await api.GetAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AnAdminsTestRunOfADraftLeavesTheFilesHeldForItAndSwitchingItOnDecidesThem()
    {
        var api = AutomationApi.For(portal);
        var created = await InvoiceFiles.CreateAsync(api, "draft-held", Clean("draft-held"), state: "Draft");
        var id = created.GetProperty("id").GetGuid();
        using var agent = portal.CreateApiClient(await KeyAsync(api, "Agent"));
        using (var upload = await UploadAsync(agent, id, ("agent.xml", InvoiceWriter.Write(InvoiceSamples.Create(390), InvoiceFormat.Ubl))))
        {
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
            Assert.Contains("Draft", (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("held").GetString(), StringComparison.Ordinal);
        }

        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Empty(await InvoiceFiles.ItemsAsync(api, id));

        var version = (await api.GetAsync(id)).GetProperty("version").GetInt64();
        using var on = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { state = "Production", version });
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);

        await AutomationApi.WaitUntilAsync(async () => (await InvoiceFiles.ItemsAsync(api, id)).Any(i => i.GetProperty("status").GetString() == "Done" && i.GetProperty("lane").GetString() == "Live"), TimeSpan.FromSeconds(30), "the held invoice is decided once the automation is switched on");
    }

    [Fact]
    public async Task PauseAllHoldsWhileSomeoneEditsAnAutomationAtTheSameMoment()
    {
        var api = AutomationApi.For(portal);
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await api.CreateAsync($"busy-{i}", state: "Production")).GetProperty("id").GetGuid());
        }

        using var editing = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var editor = Task.Run(async () =>
        {
            for (var n = 0; !editing.IsCancellationRequested; n++)
            {
                var version = (await api.GetAsync(ids[0])).GetProperty("version").GetInt64();
                using var put = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{ids[0]}", UriKind.Relative), new { guardrails = new { failureRateWindow = 20 + (n % 5) }, version });
            }
        });
        try
        {
            for (var round = 0; round < 3; round++)
            {
                await Task.Delay(300);
                var stop = await api.PostAsync("/api/automations/pause-all");
                foreach (var id in ids)
                {
                    Assert.Equal("Paused", (await api.GetAsync(id)).GetProperty("state").GetString());
                }

                Assert.True(stop.GetProperty("automations").GetArrayLength() >= ids.Count);
                await api.PostAsync("/api/automations/resume-all");
            }
        }
        finally
        {
            await editing.CancelAsync();
            await editor;
        }
    }

    private static (string Name, byte[] Content)[] Invoices(int first, int count) =>
        Enumerable.Range(first, count).Select(n => ($"inv-{n}.xml", InvoiceWriter.Write(InvoiceSamples.Create(n), InvoiceFormat.Ubl))).ToArray();

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid automationId, params (string Name, byte[] Content)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }

        return await client.PostAsync(new Uri($"/api/automations/{automationId}/items", UriKind.Relative), form);
    }

    private static async Task<string> KeyAsync(AutomationApi api, string role) =>
        (await api.PostAsync("/api/admin/api-keys", new { name = $"{role} key {Guid.NewGuid():N}", role })).GetProperty("key").GetString()!;
}
