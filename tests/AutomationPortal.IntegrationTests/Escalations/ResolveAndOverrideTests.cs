using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>
/// Resolutions and overrides through the API as signed-in people, acted on by the engine at once and exactly once: a
/// loopback webhook counts the posts by idempotency key, the outbox the export lines.
/// </summary>
public sealed class ResolveAndOverrideTests(EscalationPortalFixture portal) : IClassFixture<EscalationPortalFixture>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task AnApprovalIsActedOnOnceWithinSecondsNotAtTheNextScheduledRun()
    {
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        using var agent = await Person.CreateAsync(portal, "Agent", "approver");
        var (id, escalations) = await InvoiceQueue.EscalatedAsync(portal, "approve-once", 1, receiver.Url);
        var escalation = Queue.Id(escalations["APPROVE-ONCE-0"]);
        var outbox = InvoiceQueue.Outbox(portal.DataFolder, "approve-once");
        Assert.Equal(0, receiver.Received);
        Assert.Empty(InvoiceFiles.ExportLines(outbox));

        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/claim");
        var watch = Stopwatch.StartNew();
        var resolved = await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/resolve", new { decision = "Approve", note = "Checked the order.", minutes = 3 });
        var item = resolved.GetProperty("item");
        Assert.Equal("AwaitingAction", item.GetProperty("status").GetString());
        Assert.Equal("Resolved", Queue.Status(resolved.GetProperty("escalation")));

        // The schedule fires next on 1 January: only the run the approval started can have posted it.
        await AutomationApi.WaitUntilAsync(() => Task.FromResult(receiver.Received == 1 && InvoiceFiles.ExportLines(outbox).Count == 1), Soon, "the approval was posted and exported");
        Assert.True(watch.Elapsed < Soon, $"Acted on after {watch.Elapsed}.");
        var api = AutomationApi.For(portal);
        var run = await api.WaitForRunAsync(item.GetProperty("runId").GetGuid());
        Assert.Equal("Handling", run.GetProperty("run").GetProperty("trigger").GetString());
        Assert.Equal("Done", (await InvoiceFiles.DetailAsync(api, escalations["APPROVE-ONCE-0"].GetProperty("workItemId").GetGuid())).GetProperty("item").GetProperty("status").GetString());

        // Another run finds nothing left to do for it.
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal(1, receiver.Received);
        Assert.Equal(0, receiver.Repeats);
        Assert.Single(InvoiceQueue.LinesOf(outbox, "APPROVE-ONCE-0"));
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync(agent.Client, $"/api/escalations/{escalation}/resolve", new { decision = "Approve" })).Status);
    }

    [Fact]
    public async Task AnApprovalOfAPausedAutomationIsRecordedAndActedOnOnceAtTheResume()
    {
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        using var agent = await Person.CreateAsync(portal, "Agent", "pauser");
        var api = AutomationApi.For(portal);
        var (id, escalations) = await InvoiceQueue.EscalatedAsync(portal, "paused", 1, receiver.Url, seed: 300);
        var escalation = Queue.Id(escalations["PAUSED-0"]);
        var workItem = escalations["PAUSED-0"].GetProperty("workItemId").GetGuid();
        var outbox = InvoiceQueue.Outbox(portal.DataFolder, "paused");
        await api.PostAsync($"/api/automations/{id}/pause");

        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/claim");
        var whenPaused = (await Queue.DetailAsync(agent.Client, escalation)).GetProperty("actions").GetProperty("whenPaused").GetString();
        Assert.Contains("resumed", whenPaused, StringComparison.Ordinal);
        var resolved = await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/resolve", new { decision = "Approve", minutes = 1 });
        var item = resolved.GetProperty("item");
        Assert.Equal("AwaitingAction", item.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("runId").ValueKind);
        Assert.Contains("paused", item.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("resumed", item.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Resolved", Queue.Status(resolved.GetProperty("escalation")));

        await Task.Delay(1000);
        Assert.Equal(0, receiver.Received);
        Assert.Empty(InvoiceFiles.ExportLines(outbox));
        Assert.Equal("AwaitingAction", await StatusAsync(api, workItem));

        // The resume alone acts on it: nobody runs the automation.
        await api.PostAsync($"/api/automations/{id}/resume");
        await AutomationApi.WaitUntilAsync(async () => await StatusAsync(api, workItem) == "Done", Soon, "the approval was acted on after the resume");
        Assert.Equal(1, receiver.Received);
        Assert.Single(InvoiceQueue.LinesOf(outbox, "PAUSED-0"));
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal(1, receiver.Received);
        Assert.Single(InvoiceQueue.LinesOf(outbox, "PAUSED-0"));
    }

    [Fact]
    public async Task AnAutoApprovedInvoiceOverriddenByAnAgentIsReversedOnceInTheNextExportAndAtTheWebhook()
    {
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        using var agent = await Person.CreateAsync(portal, "Agent", "overrider");
        using var nobody = await Person.RolelessAsync(portal, "nobody");
        var api = AutomationApi.For(portal);
        var (_, items) = await InvoiceQueue.AutoApprovedAsync(portal, "auto", 1, receiver.Url);
        var workItem = items[0].GetProperty("id").GetGuid();
        var outbox = InvoiceQueue.Outbox(portal.DataFolder, "auto");
        var original = Assert.Single(InvoiceQueue.LinesOf(outbox, "AUTO-0"));
        var posted = Assert.Single(receiver.Booked);
        Assert.Equal(1, receiver.Received);

        var option = await Http.GetOkAsync(agent.Client, $"/api/work-items/{workItem}/override");
        Assert.True(option.GetProperty("allowed").GetBoolean());
        Assert.True(option.GetProperty("compensates").GetBoolean());
        Assert.Equal(["reject"], option.GetProperty("decisions").EnumerateArray().Select(d => d.GetString()));

        // Without a role: refused. An Agent may override; the override names its reason.
        var request = new { decision = "Reject", reason = "duplicate", note = "Paid twice: already booked as AUTO-0 last week.", minutes = 4 };
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.PostAsync(nobody.Client, $"/api/work-items/{workItem}/override", request)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(nobody.Client, $"/api/work-items/{workItem}/override")).Status);
        var overridden = await Http.PostOkAsync(agent.Client, $"/api/work-items/{workItem}/override", request);
        Assert.Equal("AwaitingCompensation", overridden.GetProperty("item").GetProperty("status").GetString());
        var again = await Http.PostAsync(agent.Client, $"/api/work-items/{workItem}/override", request);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("undone", again.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.WaitForRunAsync(overridden.GetProperty("item").GetProperty("runId").GetGuid());
        Assert.Equal("Compensated", await StatusAsync(api, workItem));

        // One reversal post under its own key; one reversal line in the next export file, the amount negated.
        Assert.Equal(2, receiver.Received);
        Assert.Equal(0, receiver.Repeats);
        var reversal = Assert.Single(receiver.Booked, b => b.Key != posted.Key);
        Assert.Equal(posted.Key + ":reversal", reversal.Key);
        Assert.Equal("Reversal", reversal.Value.GetProperty("documentType").GetString());
        Assert.Equal("AUTO-0", reversal.Value.GetProperty("invoiceNumber").GetString());
        Assert.Equal(-posted.Value.GetProperty("payableAmount").GetDecimal(), reversal.Value.GetProperty("payableAmount").GetDecimal());
        var lines = InvoiceQueue.LinesOf(outbox, "AUTO-0");
        Assert.Equal(2, lines.Count);
        var reversed = Assert.Single(lines, l => l[1] == "Reversal");
        Assert.Equal("Invoice", original[1]);
        Assert.Equal(-decimal.Parse(original[12], CultureInfo.InvariantCulture), decimal.Parse(reversed[12], CultureInfo.InvariantCulture));
        Assert.Equal(-decimal.Parse(original[10], CultureInfo.InvariantCulture), decimal.Parse(reversed[10], CultureInfo.InvariantCulture));
        var files = Directory.GetFiles(outbox, "*.csv").Select(File.ReadAllText).ToList();
        Assert.Equal(2, files.Count);
        var undoing = Assert.Single(files, f => f.Contains(",Reversal,AUTO-0,", StringComparison.Ordinal));
        Assert.DoesNotContain(",Invoice,AUTO-0,", undoing, StringComparison.Ordinal);

        // The item's record: the override with its reason and minutes, counted as the automation's error, then the undo.
        var detail = await InvoiceFiles.DetailAsync(api, workItem);
        var decision = Assert.Single(detail.GetProperty("decisions").EnumerateArray(), d => d.GetProperty("override").GetBoolean());
        Assert.Equal(("reject", "duplicate", 4m, agent.Email), (decision.GetProperty("decision").GetString(), decision.GetProperty("reason").GetString(), decision.GetProperty("humanMinutes").GetDecimal(), decision.GetProperty("personName").GetString()));
        // The timeline of an item that never came to the queue, through the API.
        var timeline = (await Http.GetOkAsync(agent.Client, $"/api/work-items/{workItem}/timeline")).EnumerateArray()
            .Select(t => (Type: t.GetProperty("type").GetString(), Who: t.GetProperty("who").GetString())).ToList();
        Assert.Equal(["read", "decided", "acted", "acted", "overridden", "compensated", "compensated"], timeline.Select(t => t.Type));
        Assert.Equal(agent.Email, timeline.Single(t => t.Type == "overridden").Who);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(agent.Client, $"/api/work-items/{Guid.NewGuid()}/timeline")).Status);
        var after = await Http.GetOkAsync(agent.Client, $"/api/work-items/{workItem}/override");
        Assert.False(after.GetProperty("allowed").GetBoolean());
        Assert.Contains("undone", after.GetProperty("why").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APersonsRejectionOverriddenWithApprovalIsActedOnOnceAndAnApprovalOverriddenIsUndone()
    {
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        using var agent = await Person.CreateAsync(portal, "Agent", "first");
        using var manager = await Person.CreateAsync(portal, "Manager", "second");
        var api = AutomationApi.For(portal);
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "second-look", 2, receiver.Url, seed: 700);
        var outbox = InvoiceQueue.Outbox(portal.DataFolder, "second-look");
        var rejected = escalations["SECOND-LOOK-0"];
        var approved = escalations["SECOND-LOOK-1"];

        await Http.PostOkAsync(agent.Client, $"/api/escalations/{Queue.Id(rejected)}/claim");
        var rejection = await Http.PostOkAsync(agent.Client, $"/api/escalations/{Queue.Id(rejected)}/resolve", new { decision = "Reject", reason = "not-ordered", minutes = 2 });
        Assert.Equal("Done", rejection.GetProperty("item").GetProperty("status").GetString());
        Assert.Equal(0, receiver.Received);

        // The Manager finds it was ordered after all: approving it acts on it, once.
        var item = rejected.GetProperty("workItemId").GetGuid();
        var noNote = await Http.PostAsync(manager.Client, $"/api/work-items/{item}/override", new { decision = "Approve" });
        Assert.Equal(HttpStatusCode.BadRequest, noNote.Status);
        Assert.NotNull(Queue.Error(noNote.Body, "note"));
        var overridden = await Http.PostOkAsync(manager.Client, $"/api/work-items/{item}/override", new { decision = "Approve", note = "Ordered by phone; the order came later.", minutes = 5 });
        Assert.Equal("AwaitingAction", overridden.GetProperty("item").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync(manager.Client, $"/api/work-items/{item}/override", new { decision = "Approve", note = "again" })).Status);
        await api.WaitForRunAsync(overridden.GetProperty("item").GetProperty("runId").GetGuid());
        Assert.Equal("Done", await StatusAsync(api, item));
        Assert.Equal(1, receiver.Received);
        Assert.Single(InvoiceQueue.LinesOf(outbox, "SECOND-LOOK-0"));
        var timeline = await Queue.TimelineAsync(agent.Client, Queue.Id(rejected));
        Assert.Equal(["escalated", "claimed", "resolved", "overridden", "acted"], timeline.Where(t => t is not ("read" or "note")).Take(5));

        // An approval a person made, overridden: undone, and the escalation's timeline says so.
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{Queue.Id(approved)}/claim");
        var approval = await Http.PostOkAsync(agent.Client, $"/api/escalations/{Queue.Id(approved)}/resolve", new { decision = "Approve" });
        await api.WaitForRunAsync(approval.GetProperty("item").GetProperty("runId").GetGuid());
        var undo = await Http.PostOkAsync(manager.Client, $"/api/work-items/{approved.GetProperty("workItemId").GetGuid()}/override", new { decision = "Reject", reason = "wrong-amount", note = "Billed 10 units, 8 delivered." });
        await api.WaitForRunAsync(undo.GetProperty("item").GetProperty("runId").GetGuid());
        Assert.Equal(3, receiver.Received);
        Assert.Single(receiver.Booked, b => b.Key.EndsWith(":reversal", StringComparison.Ordinal));
        Assert.Single(InvoiceQueue.LinesOf(outbox, "SECOND-LOOK-1"), l => l[1] == "Reversal");
        var undone = await Queue.TimelineAsync(agent.Client, Queue.Id(approved));
        Assert.Contains("overridden", undone);
        Assert.Contains("compensated", undone);
        Assert.True(undone.IndexOf("acted") < undone.IndexOf("overridden") && undone.IndexOf("overridden") < undone.IndexOf("compensated"), string.Join(", ", undone));
    }

    [Fact]
    public async Task AnOverrideOutsideTheWindowIsRefusedAndTheItemSaysWhy()
    {
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        using var agent = await Person.CreateAsync(portal, "Agent", "late");
        var api = AutomationApi.For(portal);
        var (id, items) = await InvoiceQueue.AutoApprovedAsync(portal, "windowed", 1, receiver.Url, seed: 900);
        var workItem = items[0].GetProperty("id").GetGuid();
        var version = (await api.GetAsync(id)).GetProperty("version").GetInt64();
        var (status, changed) = await Http.PutAsync(api.Client, $"/api/automations/{id}", new { version, overrideWindowDays = 0 });
        Assert.True(status == HttpStatusCode.OK, changed.ToString());
        Assert.Equal(0, (await api.GetAsync(id)).GetProperty("overrideWindowDays").GetInt32());

        var option = await Http.GetOkAsync(agent.Client, $"/api/work-items/{workItem}/override");
        Assert.False(option.GetProperty("allowed").GetBoolean());
        Assert.Contains("override window of 0 days", option.GetProperty("why").GetString(), StringComparison.Ordinal);
        var refused = await Http.PostAsync(agent.Client, $"/api/work-items/{workItem}/override", new { decision = "Reject", reason = "duplicate", note = "Too late?" });
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("override window of 0 days", refused.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(1, receiver.Received);
        Assert.Equal("Done", await StatusAsync(api, workItem));
    }

    private static async Task<string?> StatusAsync(AutomationApi api, Guid workItem) =>
        (await InvoiceFiles.DetailAsync(api, workItem)).GetProperty("item").GetProperty("status").GetString();
}
