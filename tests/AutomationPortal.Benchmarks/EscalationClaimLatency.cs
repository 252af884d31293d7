using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// Claim latency under concurrent agents on the seeded queue of <see cref="EscalationQueuePortal"/>: the agents claim
/// at once, each its own items one after the other, and every tenth claim is a race in which all of them go for the
/// same item (exactly one must win; every loser must get a <see cref="ConflictException"/> naming the winner). Server
/// time of each call = a DI scope acting as the agent + <see cref="EscalationActions.ClaimAsync"/>. The baseline is
/// the same pattern, in the same process, through a hand-written claim: one conditional UPDATE, the same timeline
/// and audit rows, and the joined row read back, in one transaction. Rounds alternate baseline and ours.
/// </summary>
internal static class EscalationClaimLatency
{
    public static async Task RunAsync(int claimsPerRound, int rounds, int agentCount)
    {
        await using var portal = await EscalationQueuePortal.StartAsync();
        var agents = portal.Agents.Take(agentCount).ToList();
        var perAgent = claimsPerRound / agents.Count;
        var next = 0;
        var ours = new List<Sample>();
        var hand = new List<Sample>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, samples, claim) in new (string, List<Sample>, Func<Actor, Guid, Task>)[]
            {
                ("hand-written", hand, (actor, id) => HandClaimAsync(portal, actor, id)),
                ("EscalationActions.ClaimAsync", ours, (actor, id) => OursAsync(portal, actor, id)),
            })
            {
                var items = portal.OpenEscalations.Skip(next).Take(claimsPerRound).ToList();
                next += claimsPerRound;
                var measured = await RoundAsync(agents, items, perAgent, claim);
                samples.AddRange(measured);
                Console.WriteLine($"// round {round}, {name}: {measured.Count} claims, p95 {Percentiles.Of(measured.Select(s => s.Ms).ToList(), 95):0.0} ms");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Claim latency, {agents.Count} agents at once, {rounds} rounds of {claimsPerRound} claims each side (every tenth claim a race of all {agents.Count} for one item).");
        Console.WriteLine();
        Console.WriteLine("| Claims | Path | n | p50 | p95 | max | p95 ratio |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (label, filter) in new (string, Func<Sample, bool>)[] { ("all", _ => true), ("own items", s => !s.Race), ("races", s => s.Race) })
        {
            var h = hand.Where(filter).Select(s => s.Ms).ToList();
            var o = ours.Where(filter).Select(s => s.Ms).ToList();
            Console.WriteLine($"| {label} | hand-written (baseline) | {h.Count} | {Percentiles.Ms(h, 50)} | {Percentiles.Ms(h, 95)} | {Percentiles.Ms(h, 100)} | 1.00 |");
            Console.WriteLine($"| {label} | EscalationActions.ClaimAsync | {o.Count} | {Percentiles.Ms(o, 50)} | {Percentiles.Ms(o, 95)} | {Percentiles.Ms(o, 100)} | {Percentiles.Of(o, 95) / Math.Max(Percentiles.Of(h, 95), 0.001):0.00} |");
        }
    }

    /// <summary>
    /// Each agent claims its own items in turn; at every tenth step all agents meet and claim the same item. Checks
    /// that each race has exactly one winner and that the losers are told who it is.
    /// </summary>
    private static async Task<List<Sample>> RoundAsync(IReadOnlyList<Actor> agents, List<Guid> items, int perAgent, Func<Actor, Guid, Task> claim)
    {
        var races = perAgent / 10;
        var own = perAgent - races;
        var raced = items.Take(races).ToList();
        var owned = items.Skip(races).ToList();
        var meetings = raced.Select(_ => new Meeting(agents.Count)).ToArray();
        var results = new List<Sample>[agents.Count];
        var outcomes = raced.Select(_ => new System.Collections.Concurrent.ConcurrentBag<(Actor Agent, string? Holder)>()).ToArray();
        await Task.WhenAll(agents.Select((agent, a) => Task.Run(async () =>
        {
            var samples = new List<Sample>(perAgent);
            var mine = owned.Skip(a * own).Take(own).ToList();
            for (var step = 0; step < perAgent; step++)
            {
                var race = step % 10 == 9 && step / 10 < races;
                if (race)
                {
                    await meetings[step / 10].ArriveAsync();
                }

                var id = race ? raced[step / 10] : mine[step - (step / 10)];
                var started = Stopwatch.GetTimestamp();
                string? holder = null;
                try
                {
                    await claim(agent, id);
                }
                catch (ConflictException e) when (race)
                {
                    holder = e.Holder ?? "(nobody named)";
                }

                samples.Add(new Sample(Stopwatch.GetElapsedTime(started).TotalMilliseconds, race));
                if (race)
                {
                    outcomes[step / 10].Add((agent, holder));
                }
            }

            results[a] = samples;
        })));

        foreach (var outcome in outcomes)
        {
            var winners = outcome.Where(o => o.Holder is null).ToList();
            if (winners.Count != 1 || outcome.Any(o => o.Holder is not null && o.Holder != winners[0].Agent.Name))
            {
                throw new InvalidOperationException($"A race of {outcome.Count} had {winners.Count} winner(s); losers were told: {string.Join(", ", outcome.Select(o => o.Holder))}.");
            }
        }

        return results.SelectMany(r => r).ToList();
    }

    private static async Task OursAsync(EscalationQueuePortal portal, Actor actor, Guid id)
    {
        await using var scope = portal.Scope(actor);
        await scope.ServiceProvider.GetRequiredService<EscalationActions>().ClaimAsync(id);
    }

    /// <summary>
    /// A claim by hand: one conditional UPDATE that takes the item only if nobody else holds it, the timeline entry
    /// and the two audit entries the portal writes for it, one transaction, and the joined row read back for the
    /// answer; a loser reads who holds it.
    /// </summary>
    private static async Task HandClaimAsync(EscalationQueuePortal portal, Actor actor, Guid id)
    {
        var now = DateTime.UtcNow;
        await using var connection = await portal.Database.OpenConnectionAsync(CancellationToken.None);
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await using var update = connection.CreateCommand();
            update.CommandText = """
                UPDATE "Escalations" SET "Status" = 'Claimed', "AssigneeId" = $me, "AssigneeName" = $name, "ClaimedAt" = $now, "DeferredUntil" = NULL, "Version" = "Version" + 1
                WHERE "Id" = $id AND "Status" <> 'Resolved' AND ("AssigneeId" IS NULL OR "AssigneeId" = $me)
                RETURNING "WorkItemId"
                """;
            update.Parameters.AddWithValue("$me", BatchInserter.ToDb(actor.Id!.Value));
            update.Parameters.AddWithValue("$name", actor.Name);
            update.Parameters.AddWithValue("$now", BatchInserter.ToDb(now));
            update.Parameters.AddWithValue("$id", BatchInserter.ToDb(id));
            if (await update.ExecuteScalarAsync() is not string workItem)
            {
                await transaction.RollbackAsync();
                await using var holder = connection.CreateCommand();
                holder.CommandText = """SELECT "AssigneeName" FROM "Escalations" WHERE "Id" = $id""";
                holder.Parameters.AddWithValue("$id", BatchInserter.ToDb(id));
                var name = await holder.ExecuteScalarAsync() as string;
                throw new ConflictException($"{name} has this item now.") { Holder = name };
            }

            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO "ItemEvents" ("Id", "WorkItemId", "EscalationId", "At", "Type", "ActorId", "ActorName") VALUES ($event, $item, $id, $now, 'Claimed', $me, $name);
                INSERT INTO "AuditEntries" ("Id", "At", "ActorKind", "ActorId", "ActorName", "Action", "EntityType", "EntityId", "Summary", "Changes")
                VALUES ($audit1, $now, 'User', $me, $name, 'Updated', 'Escalation', $id, 'Escalation ' || $id || ' updated', $changes),
                       ($audit2, $now, 'User', $me, $name, 'Created', 'ItemEvent', $event, 'ItemEvent ' || $event || ' created', $created);
                """;
            var eventId = Guid.CreateVersion7();
            insert.Parameters.AddWithValue("$event", BatchInserter.ToDb(eventId));
            insert.Parameters.AddWithValue("$item", workItem);
            insert.Parameters.AddWithValue("$id", BatchInserter.ToDb(id));
            insert.Parameters.AddWithValue("$now", BatchInserter.ToDb(now));
            insert.Parameters.AddWithValue("$me", BatchInserter.ToDb(actor.Id!.Value));
            insert.Parameters.AddWithValue("$name", actor.Name);
            insert.Parameters.AddWithValue("$audit1", BatchInserter.ToDb(Guid.CreateVersion7()));
            insert.Parameters.AddWithValue("$audit2", BatchInserter.ToDb(Guid.CreateVersion7()));
            insert.Parameters.AddWithValue("$changes", JsonSerializer.Serialize(new
            {
                Status = new { before = "Open", after = "Claimed" },
                AssigneeId = new { before = (Guid?)null, after = actor.Id },
                AssigneeName = new { before = (string?)null, after = actor.Name },
                ClaimedAt = new { before = (DateTime?)null, after = now },
            }));
            insert.Parameters.AddWithValue("$created", JsonSerializer.Serialize(new
            {
                Id = new { before = (Guid?)null, after = eventId },
                Type = new { before = (string?)null, after = "Claimed" },
                ActorName = new { before = (string?)null, after = actor.Name },
            }));
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        var (total, _) = await new HandWrittenQueue(portal.Database).PageAsync("""e."Id" = $id""", """e."Id" """, 1, 1, ("$id", id));
        if (total != 1)
        {
            throw new InvalidOperationException("The claimed item is gone.");
        }
    }


    private sealed record Sample(double Ms, bool Race);

    /// <summary>All agents arrive before any goes on: the start of a race, without blocking a pool thread.</summary>
    private sealed class Meeting(int count)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task ArriveAsync()
        {
            if (Interlocked.Increment(ref _arrived) == count)
            {
                _all.SetResult();
            }

            return _all.Task;
        }
    }
}
