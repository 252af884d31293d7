using System.Net;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>
/// Deferred items come back on time, on the portal's own clock (a fake one the test advances): to the holder, or to the
/// queue when the holder was deactivated meanwhile. The background return does it without anyone opening the queue.
/// </summary>
public sealed class DeferralTests(ClockedPortalFixture portal) : IClassFixture<ClockedPortalFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ADeferredItemLeavesMineAndComesBackToItsHolderOnTime()
    {
        CatchUpWithTheWallClock();
        using var agent = await Person.CreateAsync(portal, "Agent", "deferrer");
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "deferred", 1, seed: 1100);
        var escalation = Queue.Id(escalations["DEFERRED-0"]);
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/claim");
        var until = portal.Clock.GetUtcNow().AddHours(2);

        var deferred = await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/defer", new { until, note = "Supplier calls back after lunch." });
        Assert.Equal("Deferred", Queue.Status(deferred));
        Assert.Equal(until.UtcDateTime, deferred.GetProperty("deferredUntil").GetDateTime());
        Assert.Contains(escalation, Ids(await Queue.ViewAsync(agent.Client, "view=Deferred")));
        Assert.DoesNotContain(escalation, Ids(await Queue.ViewAsync(agent.Client, "view=Mine")));
        var counts = await Http.GetOkAsync(agent.Client, "/api/escalations/counts");
        Assert.Equal((0, 1), (counts.GetProperty("mine").GetInt32(), counts.GetProperty("deferred").GetInt32()));

        // A second before its time it still waits.
        portal.Clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Contains(escalation, Ids(await Queue.ViewAsync(agent.Client, "view=Deferred")));
        Assert.Equal(EscalationStatus.Deferred, await StatusAsync(escalation));

        // Its time has come: the queue shows it back at once (the background return, every few seconds, is shown below).
        portal.Clock.Advance(TimeSpan.FromSeconds(2));
        var back = portal.Clock.GetUtcNow().UtcDateTime;
        var mine = Assert.Single(await Queue.ViewAsync(agent.Client, "view=Mine"), e => Queue.Id(e) == escalation);
        Assert.Equal(agent.Email, Queue.Holder(mine));
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("deferredUntil").ValueKind);
        Assert.Equal(back, mine.GetProperty("claimedAt").GetDateTime());
        Assert.DoesNotContain(escalation, Ids(await Queue.ViewAsync(agent.Client, "view=Deferred")));
        var timeline = (await Queue.DetailAsync(agent.Client, escalation)).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(["claimed", "deferred", "returned"], timeline.Select(t => t.GetProperty("type").GetString()).Where(t => t is "claimed" or "deferred" or "returned"));
        Assert.Equal("Supplier calls back after lunch.", timeline.Single(t => t.GetProperty("type").GetString() == "deferred").GetProperty("note").GetString());

        // Back with its holder, it is theirs to resolve.
        var resolved = await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/resolve", new { decision = "Reject", reason = "wrong-supplier" });
        Assert.Equal("Resolved", Queue.Status(resolved.GetProperty("escalation")));
    }

    [Fact]
    public async Task ADeferralOfADeactivatedHolderComesBackUnassigned()
    {
        CatchUpWithTheWallClock();
        using var agent = await Person.CreateAsync(portal, "Agent", "leaver");
        using var colleague = await Person.CreateAsync(portal, "Agent", "stayer");
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "orphaned", 1, seed: 1200);
        var escalation = Queue.Id(escalations["ORPHANED-0"]);
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/claim");
        await Http.PostOkAsync(agent.Client, $"/api/escalations/{escalation}/defer", new { until = portal.Clock.GetUtcNow().AddHours(1), note = "Waiting for the credit note." });
        await Person.DeactivateAsync(portal, agent.Id, agent.Email);

        // Nobody reads the queue: the background return puts it back on its own.
        portal.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await AutomationApi.WaitUntilAsync(async () => await StatusAsync(escalation) == EscalationStatus.Open, Patience, "the deferred item came back to the queue by itself");
        var unassigned = Assert.Single(await Queue.ViewAsync(colleague.Client, "view=Unassigned"), e => Queue.Id(e) == escalation);
        Assert.Null(Queue.Holder(unassigned));
        Assert.Contains("returned", await Queue.TimelineAsync(colleague.Client, escalation));
        Assert.Equal(escalation, Queue.Id(await Http.PostOkAsync(colleague.Client, $"/api/escalations/{escalation}/claim")));
    }

    [Fact]
    public async Task ADeferralByAnApiKeyComesBackToThatKey()
    {
        CatchUpWithTheWallClock();
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var (status, created) = await Http.PostAsync(admin, "/api/admin/api-keys", new { name = "triage script", role = "Agent" });
        Assert.Equal(HttpStatusCode.Created, status);
        using var script = portal.CreateApiClient(created.GetProperty("key").GetString()!);
        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "scripted", 1, seed: 1300);
        var escalation = Queue.Id(escalations["SCRIPTED-0"]);
        await Http.PostOkAsync(script, $"/api/escalations/{escalation}/claim");
        await Http.PostOkAsync(script, $"/api/escalations/{escalation}/defer", new { until = portal.Clock.GetUtcNow().AddMinutes(30), note = "Batch job retries later." });

        portal.Clock.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(1));
        await AutomationApi.WaitUntilAsync(async () => await StatusAsync(escalation) != EscalationStatus.Deferred, Patience, "the deferred item came back");
        Assert.Equal(EscalationStatus.Claimed, await StatusAsync(escalation));
        Assert.Equal("api-key:triage script", Queue.Holder(Assert.Single(await Queue.ViewAsync(script, "view=Mine"), e => Queue.Id(e) == escalation)));
    }

    /// <summary>The fake clock never runs behind the files the test writes (their times are the machine's).</summary>
    private void CatchUpWithTheWallClock()
    {
        var behind = DateTimeOffset.UtcNow - portal.Clock.GetUtcNow();
        if (behind > TimeSpan.Zero)
        {
            portal.Clock.Advance(behind);
        }
    }

    private static IEnumerable<Guid> Ids(IEnumerable<JsonElement> escalations) => escalations.Select(Queue.Id);

    private async Task<EscalationStatus> StatusAsync(Guid escalation)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return (await db.Set<Escalation>().AsNoTracking().SingleAsync(e => e.Id == escalation)).Status;
    }
}
