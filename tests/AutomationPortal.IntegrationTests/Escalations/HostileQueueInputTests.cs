using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>
/// What a careless or hostile caller may send the queue: each refusal names the field and says what to do; nothing
/// grows with what was sent; nothing changes on a refusal.
/// </summary>
public sealed class HostileQueueInputTests(EscalationPortalFixture portal) : IClassFixture<EscalationPortalFixture>
{
    [Fact]
    public async Task NotesMinutesReasonsAndTimesOutOfBoundsAreRefusedByField()
    {
        using var agent = await Person.CreateAsync(portal, "Agent", "hostile");
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "hostile", 1, seed: 2100);
        var escalation = Queue.Id(escalations["HOSTILE-0"]);
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/claim");
        var resolve = $"/api/escalations/{escalation}/resolve";
        var tooLong = new string('x', 10_000);

        await Refused(agent, $"/api/escalations/{escalation}/notes", new { text = tooLong }, "text");
        await Refused(agent, $"/api/escalations/{escalation}/notes", new { text = "  " }, "text");
        await Refused(agent, $"/api/escalations/{escalation}/defer", new { until = DateTimeOffset.UtcNow.AddHours(1), note = tooLong }, "note");
        await Refused(agent, resolve, new { decision = "Approve", note = tooLong }, "note");
        await Refused(agent, resolve, new { decision = "Approve", minutes = -1 }, "minutes");
        await Refused(agent, resolve, new { decision = "Approve", minutes = 61 }, "minutes");
        await Refused(agent, resolve, new { decision = "Approve", minutes = 1e9 }, "minutes");
        await Refused(agent, resolve, new { decision = "Reject" }, "reason");
        await Refused(agent, resolve, new { decision = "Reject", reason = "because" }, "reason");
        await Refused(agent, resolve, new { decision = "Reject", reason = "other" }, "note");
        await Refused(agent, resolve, new { decision = "Maybe" }, "decision");
        await Refused(agent, resolve, new { }, "decision");
        await Refused(agent, $"/api/escalations/{escalation}/defer", new { until = DateTimeOffset.UtcNow.AddHours(-1), note = "Back in time." }, "until");
        await Refused(agent, $"/api/escalations/{escalation}/defer", new { until = DateTimeOffset.UtcNow.AddYears(5), note = "Much later." }, "until");
        await Refused(agent, $"/api/escalations/{escalation}/defer", new { note = "When?" }, "until");
        await Refused(agent, $"/api/work-items/{escalations["HOSTILE-0"].GetProperty("workItemId").GetGuid()}/override", new { decision = "Reject", reason = "duplicate", minutes = 61 }, "minutes");

        // Nothing changed on any refusal: still claimed by the agent, no note, no decision.
        var detail = await Queue.DetailAsync(agent.Client, escalation);
        Assert.Equal("Claimed", Queue.Status(detail.GetProperty("escalation")));
        Assert.Empty(detail.GetProperty("notes").EnumerateArray());
        Assert.DoesNotContain(detail.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("type").GetString() is "resolved" or "deferred");

        // The limits themselves are accepted.
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/notes", new { text = new string('y', 2000) });
        var resolved = await Http.PostOkAsync(agent.Client, resolve, new { decision = "Reject", reason = "other", note = "Not an invoice: a delivery note.", minutes = 60 });
        Assert.Equal("Resolved", Queue.Status(resolved.GetProperty("escalation")));

        // A resolved item is resolved: no second resolution, claim or deferral.
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync(agent.Client, resolve, new { decision = "Approve" })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync(agent.Client, $"/api/escalations/{escalation}/claim")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync(agent.Client, $"/api/escalations/{escalation}/defer", new { until = DateTimeOffset.UtcNow.AddHours(1), note = "Later." })).Status);
    }

    [Fact]
    public async Task UnknownIdsAreNotFound()
    {
        using var agent = await Person.CreateAsync(portal, "Agent", "lost");
        var unknown = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync(agent.Client, $"/api/escalations/{unknown}/claim")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync(agent.Client, $"/api/escalations/{unknown}/release")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync(agent.Client, $"/api/escalations/{unknown}/notes", new { text = "Hello?" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync(agent.Client, $"/api/escalations/{unknown}/resolve", new { decision = "Approve" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(agent.Client, $"/api/escalations/{unknown}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(agent.Client, $"/api/work-items/{unknown}/override")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync(agent.Client, $"/api/work-items/{unknown}/override", new { decision = "Reject", reason = "duplicate" })).Status);
    }

    [Fact]
    public async Task HugeFiltersAreCutPagesCappedAndUnknownSortsRefused()
    {
        using var agent = await Person.CreateAsync(portal, "Agent", "searcher");
        await InvoiceQueue.EscalatedAsync(portal, "searched", 3, seed: 2300);
        var huge = new string('a', 100_000);

        foreach (var query in new[] { $"search={huge}", $"party={huge}", $"reason={huge}", $"search=%25{huge}", $"search={Uri.EscapeDataString("SEARCHED-1" + new string(' ', 50_000))}" })
        {
            var watch = Stopwatch.StartNew();
            var (status, body) = await Http.GetAsync(agent.Client, $"/api/escalations?{query}");
            Assert.True(status == HttpStatusCode.OK, $"{query[..20]}…: {(int)status} {body}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{query[..20]}… took {watch.Elapsed}.");
        }

        Assert.Equal(0, await Queue.TotalAsync(agent.Client, $"search={huge}"));
        Assert.Equal(1, await Queue.TotalAsync(agent.Client, "search=SEARCHED-1"));
        Assert.Equal(3, await Queue.TotalAsync(agent.Client, "search=searched-"));
        Assert.Equal(0, await Queue.TotalAsync(agent.Client, "search=%25"));
        Assert.Equal(0, await Queue.TotalAsync(agent.Client, "search=_"));

        var page = await Http.GetOkAsync(agent.Client, "/api/escalations?pageSize=100000");
        Assert.Equal(200, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(1, (await Http.GetOkAsync(agent.Client, "/api/escalations?pageSize=-5")).GetProperty("pageSize").GetInt32());
        Assert.Equal(1, (await Http.GetOkAsync(agent.Client, "/api/escalations?page=-3")).GetProperty("page").GetInt32());

        foreach (var sort in new[] { "drop table", "-", "amount;drop", "Id", "1", "amount,party", "--amount" })
        {
            var (status, problem) = await Http.GetAsync(agent.Client, $"/api/escalations?sort={Uri.EscapeDataString(sort)}");
            Assert.True(status == HttpStatusCode.BadRequest, $"sort={sort}: {(int)status}");
            Assert.NotNull(Queue.Error(problem, "sort"));
        }

        var (badAssignee, answer) = await Http.GetAsync(agent.Client, "/api/escalations?assignee=everyone");
        Assert.Equal(HttpStatusCode.BadRequest, badAssignee);
        Assert.NotNull(Queue.Error(answer, "assignee"));
        foreach (var sort in new[] { "-amount", "reference", "party", "automation", "assignee", "status", "createdAt", "-createdAt" })
        {
            Assert.Equal(3, await Queue.TotalAsync(agent.Client, $"sort={sort}&search=searched-"));
        }
    }

    [Fact]
    public async Task AnItemKeepsFiveHundredNotesAtMost()
    {
        using var agent = await Person.CreateAsync(portal, "Agent", "chatty");
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "noted", 1, seed: 2500);
        var escalation = Queue.Id(escalations["NOTED-0"]);
        for (var i = 1; i <= 500; i++)
        {
            var (status, body) = await Http.PostAsync(agent.Client, $"/api/escalations/{escalation}/notes", new { text = $"Note {i}" });
            Assert.True(status == HttpStatusCode.OK, $"Note {i}: {(int)status} {body}");
        }

        var refused = await Http.PostAsync(agent.Client, $"/api/escalations/{escalation}/notes", new { text = "Note 501" });
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("500", refused.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var notes = (await Queue.DetailAsync(agent.Client, escalation)).GetProperty("notes").EnumerateArray().ToList();
        Assert.Equal(500, notes.Count);
        Assert.Equal("Note 500", notes[^1].GetProperty("text").GetString());
    }

    private static async Task Refused(Person person, string path, object body, string field)
    {
        var (status, problem) = await Http.PostAsync(person.Client, path, body);
        Assert.True(status == HttpStatusCode.BadRequest, $"{path} {JsonSerializer.Serialize(body)[..Math.Min(80, JsonSerializer.Serialize(body).Length)]}: {(int)status} {problem}");
        Assert.True(Queue.Error(problem, field) is { Length: > 0 and < 300 }, $"No error for {field}: {problem}");
    }
}
