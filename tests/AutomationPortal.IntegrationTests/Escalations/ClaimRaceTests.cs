using System.Net;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>
/// People claiming the same escalation at once, through the API as eight signed-in Agents: exactly one holds it, every
/// other is told who does, and only the holder resolves it.
/// </summary>
public sealed class ClaimRaceTests(EscalationPortalFixture portal) : IClassFixture<EscalationPortalFixture>
{
    private const int Agents = 8;
    private const int Rounds = 20;

    [Fact]
    public async Task OfEightAgentsClaimingAtOnceExactlyOneWinsAndTheOthersAreToldWhoHasIt()
    {
        var agents = new List<Person>();
        for (var i = 0; i < Agents; i++)
        {
            agents.Add(await Person.CreateAsync(portal, "Agent", $"racer{i}"));
        }

        var (_, escalations) = await InvoiceQueue.EscalatedAsync(portal, "race", Rounds);
        var winners = new List<(Guid Escalation, Person Winner)>();
        foreach (var escalation in escalations.Values.Select(Queue.Id))
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claims = agents.Select(agent => Task.Run(async () =>
            {
                await start.Task;
                return (Agent: agent, Answer: await Http.PostAsync(agent.Client, $"/api/escalations/{escalation}/claim"));
            })).ToList();
            start.SetResult();
            var answers = await Task.WhenAll(claims);

            var won = Assert.Single(answers, a => a.Answer.Status == HttpStatusCode.OK);
            var lost = answers.Where(a => a.Answer.Status != HttpStatusCode.OK).ToList();
            Assert.Equal(Agents - 1, lost.Count);
            Assert.All(lost, l => Assert.Equal(HttpStatusCode.Conflict, l.Answer.Status));
            Assert.All(lost, l => Assert.Equal(won.Agent.Email, l.Answer.Body.GetProperty("holder").GetString()));
            Assert.Equal(won.Agent.Email, Queue.Holder(won.Answer.Body));
            Assert.Equal("Claimed", Queue.Status(won.Answer.Body));

            // The queue agrees, and the timeline has the one claim.
            var detail = await Queue.DetailAsync(agents[0].Client, escalation);
            Assert.Equal(won.Agent.Email, Queue.Holder(detail.GetProperty("escalation")));
            var claimed = Assert.Single(detail.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("type").GetString() == "claimed");
            Assert.Equal(won.Agent.Email, claimed.GetProperty("who").GetString());
            winners.Add((escalation, won.Agent));
        }

        var (first, holder) = winners[0];
        var other = agents.First(a => a != holder);

        // The holder claiming again keeps it (no second claim in the timeline); another's resolve is refused, naming the holder.
        var again = await Http.PostAsync(holder.Client, $"/api/escalations/{first}/claim");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(holder.Email, Queue.Holder(again.Body));
        Assert.Single(await Queue.TimelineAsync(holder.Client, first), t => t == "claimed");
        var refused = await Http.PostAsync(other.Client, $"/api/escalations/{first}/resolve", new { decision = "Approve" });
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(holder.Email, refused.Body.GetProperty("holder").GetString());
        var releaseRefused = await Http.PostAsync(other.Client, $"/api/escalations/{first}/release");
        Assert.Equal(HttpStatusCode.Conflict, releaseRefused.Status);

        // Released by the holder, it is another's to claim, and theirs alone to resolve.
        var released = await Http.PostOkAsync(holder.Client, $"/api/escalations/{first}/release");
        Assert.Equal("Open", Queue.Status(released));
        Assert.Null(Queue.Holder(released));
        var taken = await Http.PostOkAsync(other.Client, $"/api/escalations/{first}/claim");
        Assert.Equal(other.Email, Queue.Holder(taken));
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync(holder.Client, $"/api/escalations/{first}/resolve", new { decision = "Approve" })).Status);
        var resolved = await Http.PostOkAsync(other.Client, $"/api/escalations/{first}/resolve", new { decision = "Reject", reason = "not-ordered", minutes = 2 });
        Assert.Equal("Resolved", Queue.Status(resolved.GetProperty("escalation")));
        Assert.Equal(["claimed", "released", "claimed", "resolved"], (await Queue.TimelineAsync(other.Client, first)).Where(t => t is "claimed" or "released" or "resolved"));

        foreach (var agent in agents)
        {
            agent.Dispose();
        }
    }
}
