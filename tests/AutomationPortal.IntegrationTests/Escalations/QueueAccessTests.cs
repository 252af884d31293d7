using System.Net;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>
/// Who may do what in the queue, decided on the server for real users of each role; the quick views' counts; and the
/// audit trail and timeline every action leaves.
/// </summary>
public sealed class QueueAccessTests(EscalationPortalFixture portal) : IClassFixture<EscalationPortalFixture>
{
    [Fact]
    public async Task ManagersAssignToActivePeopleWithARoleAgentsMayNotAndPeopleWithoutARoleSeeNothing()
    {
        using var agent = await Person.CreateAsync(portal, "Agent", "assignee");
        using var manager = await Person.CreateAsync(portal, "Manager", "lead");
        using var nobody = await Person.RolelessAsync(portal, "roleless");
        var (leaverId, leaverEmail) = await Person.AccountAsync(portal, "Agent", "gone");
        await Person.DeactivateAsync(portal, leaverId, leaverEmail);
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "assigned", 1, seed: 1500);
        var escalation = Queue.Id(escalations["ASSIGNED-0"]);

        // Without a role: no queue, no counts, no item, no claim.
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(nobody.Client, "/api/escalations")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(nobody.Client, "/api/escalations/counts")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(nobody.Client, $"/api/escalations/{escalation}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.PostAsync(nobody.Client, $"/api/escalations/{escalation}/claim")).Status);

        // An Agent claims and releases; assigning is for Managers and Admins.
        var byAgent = await Http.PostAsync(agent.Client, $"/api/escalations/{escalation}/assign", new { userId = agent.Id });
        Assert.Equal(HttpStatusCode.Forbidden, byAgent.Status);
        Assert.Null(Queue.Holder((await Queue.DetailAsync(agent.Client, escalation)).GetProperty("escalation")));

        // Only to an active person with a role.
        foreach (var (userId, who) in new[] { (leaverId, "a deactivated user"), (nobody.Id, "a user without a role"), (Guid.NewGuid(), "nobody at all") })
        {
            var refused = await Http.PostAsync(manager.Client, $"/api/escalations/{escalation}/assign", new { userId });
            Assert.True(refused.Status == HttpStatusCode.BadRequest, $"Assigning to {who}: {refused.Status} {refused.Body}");
            Assert.NotNull(Queue.Error(refused.Body, "userId"));
        }

        Assert.NotNull(Queue.Error((await Http.PostAsync(manager.Client, $"/api/escalations/{escalation}/assign", new { })).Body, "userId"));
        Assert.Equal(0, await Queue.TotalAsync(agent.Client, "view=Mine"));

        var assigned = await Http.PostOkAsync(manager.Client, $"/api/escalations/{escalation}/assign", new { userId = agent.Id });
        Assert.Equal(agent.Email, Queue.Holder(assigned));
        Assert.Equal("Claimed", Queue.Status(assigned));
        var mine = Assert.Single(await Queue.ViewAsync(agent.Client, "view=Mine"));
        Assert.Equal(escalation, Queue.Id(mine));
        Assert.Equal(1, (await Http.GetOkAsync(agent.Client, "/api/escalations/counts")).GetProperty("mine").GetInt32());
        Assert.Equal(0, await Queue.TotalAsync(manager.Client, "view=Mine"));

        // Assigned to them, it is theirs to resolve, not the Manager's.
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync(manager.Client, $"/api/escalations/{escalation}/resolve", new { decision = "Approve" })).Status);
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/resolve", new { decision = "Reject", reason = "wrong-vat" });
    }

    [Fact]
    public async Task EachQuickViewsTotalIsItsCountForEveryone()
    {
        using var agent = await Person.CreateAsync(portal, "Agent", "counter");
        using var manager = await Person.CreateAsync(portal, "Manager", "overseer");
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var before = await CountsAsync(agent.Client);
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "counted", 7, seed: 1700);
        var ids = escalations.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => Queue.Id(e.Value)).ToList();

        // Two claimed by the agent, one deferred by the agent, one claimed by the Manager, two resolved today, one open.
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{ids[0]}/claim");
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{ids[1]}/claim");
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{ids[2]}/claim");
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{ids[2]}/defer", new { until = DateTimeOffset.UtcNow.AddDays(1), note = "Tomorrow." });
        await Http.PostOkAsync(manager.Client, $"/api/escalations/{ids[3]}/claim");
        foreach (var id in ids.Skip(4).Take(2))
        {
            await Http.PostOkAsync(manager.Client, $"/api/escalations/{id}/claim");
            await Http.PostOkAsync(manager.Client, $"/api/escalations/{id}/resolve", new { decision = "Reject", reason = "other", note = "Test invoice sent by mistake." });
        }

        var agentCounts = await CountsAsync(agent.Client);
        Assert.Equal(before with { All = before.All + 5, Mine = before.Mine + 2, Unassigned = before.Unassigned + 1, Deferred = before.Deferred + 1, ResolvedToday = before.ResolvedToday + 2 }, agentCounts);
        Assert.Equal(1, (await CountsAsync(manager.Client)).Mine);
        foreach (var client in new[] { agent.Client, manager.Client, admin })
        {
            var counts = await CountsAsync(client);
            Assert.Equal(counts.All, await Queue.TotalAsync(client, "view=All"));
            Assert.Equal(counts.All, await Queue.TotalAsync(client, ""));
            Assert.Equal(counts.Mine, await Queue.TotalAsync(client, "view=Mine"));
            Assert.Equal(counts.Unassigned, await Queue.TotalAsync(client, "view=Unassigned"));
            Assert.Equal(counts.Deferred, await Queue.TotalAsync(client, "view=Deferred"));
            Assert.Equal(counts.ResolvedToday, await Queue.TotalAsync(client, "view=ResolvedToday"));
        }
    }

    [Fact]
    public async Task AClaimAnAssignmentAndAResolutionAreAuditedWithBeforeAndAfterAndInTheTimeline()
    {
        using var agent = await Person.CreateAsync(portal, "Agent", "audited");
        using var colleague = await Person.CreateAsync(portal, "Agent", "colleague");
        using var manager = await Person.CreateAsync(portal, "Manager", "auditor");
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "audit-trail", 1, seed: 1900);
        var escalation = Queue.Id(escalations["AUDIT-TRAIL-0"]);

        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/claim");
        await Http.PostOkAsync(manager.Client, $"/api/escalations/{escalation}/assign", new { userId = colleague.Id });
        await Http.PostOkAsync(colleague.Client, $"/api/escalations/{escalation}/resolve", new { decision = "Reject", reason = "duplicate", note = "Same as last month's.", minutes = 6 });

        var audit = (await Http.GetOkAsync(admin, "/api/admin/audit?entityType=Escalation&take=500")).GetProperty("items").EnumerateArray()
            .Where(e => string.Equals(e.GetProperty("entityId").GetString(), escalation.ToString(), StringComparison.OrdinalIgnoreCase))
            .OrderBy(e => e.GetProperty("at").GetDateTime())
            .ToList();
        Assert.Equal(3, audit.Count);
        Assert.Equal([agent.Email, manager.Email, colleague.Email], audit.Select(e => e.GetProperty("actorName").GetString()));
        var claim = Changes(audit[0]);
        Assert.Equal((EscalationStatus.Open, EscalationStatus.Claimed), Statuses(Change(claim, "Status")));
        Assert.Equal((null, agent.Email), Change(claim, "AssigneeName"));
        var assignment = Changes(audit[1]);
        Assert.Equal((agent.Email, colleague.Email), Change(assignment, "AssigneeName"));
        Assert.Equal((agent.Id.ToString(), colleague.Id.ToString()), Lower(Change(assignment, "AssigneeId")));
        var resolution = Changes(audit[2]);
        Assert.Equal((EscalationStatus.Claimed, EscalationStatus.Resolved), Statuses(Change(resolution, "Status")));

        var timeline = (await Queue.DetailAsync(agent.Client, escalation)).GetProperty("timeline").EnumerateArray()
            .Where(t => t.GetProperty("type").GetString() is "claimed" or "assigned" or "resolved")
            .Select(t => (t.GetProperty("type").GetString(), t.GetProperty("who").GetString()))
            .ToList();
        Assert.Equal([("claimed", agent.Email), ("assigned", manager.Email), ("resolved", colleague.Email)], timeline);
        var resolved = (await Queue.DetailAsync(agent.Client, escalation)).GetProperty("timeline").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "resolved");
        Assert.Contains("duplicate", resolved.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("Same as last month's.", resolved.GetProperty("note").GetString());
    }

    private static async Task<Counts> CountsAsync(HttpClient client)
    {
        var c = await Http.GetOkAsync(client, "/api/escalations/counts");
        return new Counts(c.GetProperty("all").GetInt32(), c.GetProperty("mine").GetInt32(), c.GetProperty("unassigned").GetInt32(), c.GetProperty("deferred").GetInt32(), c.GetProperty("resolvedToday").GetInt32());
    }

    private static JsonElement Changes(JsonElement entry) => JsonDocument.Parse(entry.GetProperty("changes").GetString()!).RootElement;

    private static (string?, string?) Change(JsonElement changes, string property)
    {
        var change = changes.GetProperty(property);
        return (Text(change.GetProperty("before")), Text(change.GetProperty("after")));
    }

    private static string? Text(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.ToString();

    /// <summary>A status as the audit log holds it (by name or by number).</summary>
    private static (EscalationStatus, EscalationStatus) Statuses((string? Before, string? After) change) =>
        (Enum.Parse<EscalationStatus>(change.Before!), Enum.Parse<EscalationStatus>(change.After!));

    private static (string?, string?) Lower((string? Before, string? After) change) => (change.Before?.ToLowerInvariant(), change.After?.ToLowerInvariant());

    private sealed record Counts(int All, int Mine, int Unassigned, int Deferred, int ResolvedToday);
}
