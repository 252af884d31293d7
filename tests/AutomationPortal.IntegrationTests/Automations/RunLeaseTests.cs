using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>The portal with the turn-taking kinds registered as a kind module registers itself, and a fast heartbeat.</summary>
public sealed class TurnPortal : PortalAppFactory
{
    public TurnPortal()
        : base(null, demo: false)
    {
        Settings["Portal:RunLeases:HeartbeatSeconds"] = "1";
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TurnBook>();
            services.AddAutomationKind<FirstGroupedKind>();
            services.AddAutomationKind<SecondGroupedKind>();
            services.AddAutomationKind<OtherGroupKind>();
            services.AddAutomationKind<UngroupedKind>();
        });
    }
}

/// <summary>
/// Runs of one concurrency group take turns through a lease row in the database: the second run starts reading only
/// after the first was disposed, other groups never wait, a dead holder's lease passes on, a live one's is never taken,
/// and a run whose lease was taken over stops.
/// </summary>
public sealed class RunLeaseTests(TurnPortal portal) : IClassFixture<TurnPortal>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private TurnBook Book => portal.Services.GetRequiredService<TurnBook>();

    private RunLeases Leases => portal.Services.GetRequiredService<RunLeases>();

    [Fact]
    public async Task RunsOfOneGroupInTwoAutomationsTakeTurns()
    {
        var api = AutomationApi.For(portal);
        var first = await CreateAsync(api, FirstGroupedKind.KindKey, "turns-first-a");
        var second = await CreateAsync(api, SecondGroupedKind.KindKey, "turns-second-a");
        Book.Hold(first);
        try
        {
            var firstRun = await api.RunNowAsync(first);
            await Book.Reading(first).WaitAsync(Patience);
            var secondRun = await api.RunNowAsync(second);
            await AutomationApi.WaitUntilAsync(async () => await StatusAsync(api, secondRun) == "Running", Patience, "the second run started");

            // The second run is going, and waits: the lease is the first's, and it has not read anything.
            Assert.Equal(firstRun, (await LeaseAsync(TurnTakingKind.SharedGroup))?.Holder);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(-1, Book.IndexOf("read", second));

            Book.Open(first);
            var firstDone = await api.WaitForRunAsync(firstRun, Patience);
            var secondDone = await api.WaitForRunAsync(secondRun, Patience);
            Assert.Equal("Succeeded", firstDone.GetProperty("run").GetProperty("status").GetString());
            Assert.Equal("Succeeded", secondDone.GetProperty("run").GetProperty("status").GetString());
            Assert.True(Book.IndexOf("disposed", first) < Book.IndexOf("read", second), string.Join(", ", Book.Events));

            // The kind's words, said once by the run that waited, never by the one that did not.
            Assert.Single(Messages(secondDone), m => m == FirstGroupedKind.Waiting);
            Assert.DoesNotContain(Messages(firstDone), m => m == FirstGroupedKind.Waiting);
            Assert.Null(await LeaseAsync(TurnTakingKind.SharedGroup));
        }
        finally
        {
            Book.Open(first);
        }
    }

    [Fact]
    public async Task RunsOfAnotherGroupOrOfNoGroupDoNotWait()
    {
        var api = AutomationApi.For(portal);
        var grouped = await CreateAsync(api, FirstGroupedKind.KindKey, "turns-first-b");
        var other = await CreateAsync(api, OtherGroupKind.KindKey, "turns-other-b");
        var none = await CreateAsync(api, UngroupedKind.KindKey, "turns-none-b");
        Book.Hold(grouped);
        try
        {
            var groupedRun = await api.RunNowAsync(grouped);
            await Book.Reading(grouped).WaitAsync(Patience);

            foreach (var id in new[] { other, none })
            {
                var done = await api.WaitForRunAsync(await api.RunNowAsync(id), Patience);
                Assert.Equal("Succeeded", done.GetProperty("run").GetProperty("status").GetString());
                Assert.DoesNotContain(Messages(done), m => m.StartsWith("Waiting for another", StringComparison.Ordinal));
            }

            Assert.Equal(-1, Book.IndexOf("disposed", grouped));
            Book.Open(grouped);
            Assert.Equal("Succeeded", (await api.WaitForRunAsync(groupedRun, Patience)).GetProperty("run").GetProperty("status").GetString());
        }
        finally
        {
            Book.Open(grouped);
        }
    }

    [Fact]
    public async Task AWaitingRunOfAPausedAutomationStopsWithoutReading()
    {
        var api = AutomationApi.For(portal);
        var first = await CreateAsync(api, FirstGroupedKind.KindKey, "turns-first-c");
        var second = await CreateAsync(api, SecondGroupedKind.KindKey, "turns-second-c");
        Book.Hold(first);
        try
        {
            var firstRun = await api.RunNowAsync(first);
            await Book.Reading(first).WaitAsync(Patience);
            var secondRun = await api.RunNowAsync(second);
            await AutomationApi.WaitUntilAsync(async () => await StatusAsync(api, secondRun) == "Running", Patience, "the second run started");

            await api.PostAsync($"/api/automations/{second}/pause");
            var stopped = await api.WaitForRunAsync(secondRun, Patience);

            Assert.Equal("Stopped", stopped.GetProperty("run").GetProperty("status").GetString());
            Assert.Contains(Messages(stopped), m => m.StartsWith("Stopped before reading anything, while it waited for its turn", StringComparison.Ordinal));
            Assert.Equal(-1, Book.IndexOf("read", second));
            Assert.Equal(firstRun, (await LeaseAsync(TurnTakingKind.SharedGroup))?.Holder);
            Book.Open(first);
            await api.WaitForRunAsync(firstRun, Patience);
        }
        finally
        {
            Book.Open(first);
        }
    }

    [Fact]
    public async Task ARunWhoseLeaseWasTakenOverStopsAndTheNextRunContinues()
    {
        var api = AutomationApi.For(portal);
        var first = await CreateAsync(api, FirstGroupedKind.KindKey, "turns-first-d");
        Book.Hold(first);
        try
        {
            var run = await api.RunNowAsync(first);
            await Book.Reading(first).WaitAsync(Patience);

            // As if this process had stalled past the expiry and another node's run had taken the turn.
            var other = (await RunRecordsAsync(api, "turns-thief-d", 1))[0];
            await ExecuteAsync("""UPDATE "RunLeases" SET "HolderRunId" = $holder WHERE "Group" = $group""", ("$holder", other.ToString().ToUpperInvariant()), ("$group", TurnTakingKind.SharedGroup));
            var done = await api.WaitForRunAsync(run, Patience);

            Assert.Equal("Cancelled", done.GetProperty("run").GetProperty("status").GetString());
            Assert.Contains(Messages(done), m => m.Contains("its turn in the turn-test group passed to another run", StringComparison.Ordinal));
            // The other run's lease is left alone.
            Assert.Equal(other, (await LeaseAsync(TurnTakingKind.SharedGroup))?.Holder);
            await ExecuteAsync("""DELETE FROM "RunLeases" WHERE "Group" = $group""", ("$group", TurnTakingKind.SharedGroup));

            Book.Open(first);
            var next = await api.WaitForRunAsync(await api.RunNowAsync(first), Patience);
            Assert.Equal("Succeeded", next.GetProperty("run").GetProperty("status").GetString());
        }
        finally
        {
            Book.Open(first);
        }
    }

    [Fact]
    public async Task AnExpiredLeaseOfAHolderThatDiedPassesOn()
    {
        var api = AutomationApi.For(portal);
        var (dead, next) = await TwoRunsAsync(api, "lease-dead");
        await InsertLeaseAsync("expired", dead, DateTime.UtcNow.AddSeconds(-1));

        Assert.True(await Leases.TryAcquireAsync("expired", next, CancellationToken.None));
        Assert.Equal(next, (await LeaseAsync("expired"))?.Holder);
    }

    [Fact]
    public async Task ALeaseOfARunThatEndedPassesOnBeforeItExpires()
    {
        var api = AutomationApi.For(portal);
        var ended = (await RunRecordsAsync(api, "lease-ended-holder", 1, RunStatus.Cancelled))[0];
        var next = (await RunRecordsAsync(api, "lease-ended", 1))[0];
        await InsertLeaseAsync("ended", ended, DateTime.UtcNow.AddSeconds(30));

        Assert.True(await Leases.TryAcquireAsync("ended", next, CancellationToken.None));
        Assert.Equal(next, (await LeaseAsync("ended"))?.Holder);
    }

    [Fact]
    public async Task ALeaseHeldByALiveRunIsNotTaken()
    {
        var api = AutomationApi.For(portal);
        var (live, next) = await TwoRunsAsync(api, "lease-live");
        var expires = DateTime.UtcNow.AddSeconds(30);
        await InsertLeaseAsync("live", live, expires);

        Assert.False(await Leases.TryAcquireAsync("live", next, CancellationToken.None));
        var lease = await LeaseAsync("live");
        Assert.Equal(live, lease?.Holder);
        Assert.Equal(BatchText(expires), lease?.ExpiresAt);
    }

    [Fact]
    public async Task ReleaseRemovesOnlyTheRunsOwnLease()
    {
        var api = AutomationApi.For(portal);
        var (holder, other) = await TwoRunsAsync(api, "lease-release");
        Assert.True(await Leases.TryAcquireAsync("release", holder, CancellationToken.None));

        Assert.False(await Leases.ReleaseAsync("release", other, CancellationToken.None));
        Assert.Equal(holder, (await LeaseAsync("release"))?.Holder);
        Assert.True(await Leases.ReleaseAsync("release", holder, CancellationToken.None));
        Assert.Null(await LeaseAsync("release"));
    }

    [Fact]
    public async Task OfRunsAskingAtOnceExactlyOneGetsTheTurn()
    {
        var api = AutomationApi.For(portal);
        var runs = await RunRecordsAsync(api, "lease-race", 6);

        for (var round = 0; round < 5; round++)
        {
            var group = $"race-{round}";
            using var start = new ManualResetEventSlim();
            var asking = runs.Select(run => Task.Run(async () =>
            {
                start.Wait();
                return (Run: run, Won: await Leases.TryAcquireAsync(group, run, CancellationToken.None));
            })).ToList();
            start.Set();
            var answers = await Task.WhenAll(asking);

            var winner = Assert.Single(answers, a => a.Won);
            Assert.Equal(winner.Run, (await LeaseAsync(group))?.Holder);
        }
    }

    [Fact]
    public async Task TheHolderRenewsItsLeaseByHeartbeatAndLearnsWhenItWasTakenOver()
    {
        var api = AutomationApi.For(portal);
        var (holder, other) = await TwoRunsAsync(api, "lease-heartbeat");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var leases = new RunLeases(portal.Services.GetRequiredService<PortalDatabase>(), clock, Options.Create(new RunLeaseOptions()), NullLogger<RunLeases>.Instance);
        var group = new ConcurrencyGroup("heartbeat", "Waiting.");

        var held = await leases.WaitTurnAsync(group, holder, _ => { }, _ => Task.FromResult(false), CancellationToken.None);
        await using (held)
        {
            Assert.NotNull(held);
            Assert.Equal(BatchText(clock.GetUtcNow().UtcDateTime.AddSeconds(30)), (await LeaseAsync("heartbeat"))?.ExpiresAt);

            // Ten seconds on, the heartbeat renews the lease to thirty seconds from then.
            clock.Advance(TimeSpan.FromSeconds(10));
            var renewed = BatchText(clock.GetUtcNow().UtcDateTime.AddSeconds(30));
            await AutomationApi.WaitUntilAsync(async () => (await LeaseAsync("heartbeat"))?.ExpiresAt == renewed, Patience, "the heartbeat renewed the lease");
            Assert.False(held.IsLost);

            // Taken over meanwhile: the next heartbeat finds it gone and says so.
            await ExecuteAsync("""UPDATE "RunLeases" SET "HolderRunId" = $holder WHERE "Group" = 'heartbeat'""", ("$holder", other.ToString().ToUpperInvariant()));
            await AutomationApi.WaitUntilAsync(() =>
            {
                // Each ten seconds is a beat (once the one before has set its timer).
                clock.Advance(TimeSpan.FromSeconds(10));
                return Task.FromResult(held.IsLost);
            }, Patience, "the holder learnt it lost its lease");
            Assert.True(held.Lost.IsCancellationRequested);
            Assert.Contains("heartbeat group passed to another run", held.LostReason, StringComparison.Ordinal);
        }

        // Disposing the lost lease leaves the new holder's alone.
        Assert.Equal(other, (await LeaseAsync("heartbeat"))?.Holder);
    }

    private static async Task<Guid> CreateAsync(AutomationApi api, string kind, string name)
    {
        using var response = await api.Client.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
        {
            kind,
            name,
            schedule = "0 0 3 1 1 ?",
            timeZone = "Europe/Berlin",
            state = "Production",
            settings = new { items = 2 },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>Run records that say Running (or <paramref name="status"/>), of a sample automation that never fires.</summary>
    private async Task<Guid[]> RunRecordsAsync(AutomationApi api, string automationName, int count, RunStatus status = RunStatus.Running)
    {
        var id = (await api.CreateAsync(automationName)).GetProperty("id").GetGuid();
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var runs = Enumerable.Range(0, count).Select(_ => new AutomationRun { AutomationId = id, Trigger = RunTrigger.Manual, Status = status, QueuedAt = DateTime.UtcNow, StartedAt = DateTime.UtcNow }).ToList();
        db.AddRange(runs);
        await db.SaveChangesAsync();
        return [.. runs.Select(r => r.Id)];
    }

    private async Task<(Guid, Guid)> TwoRunsAsync(AutomationApi api, string automationName)
    {
        var runs = await RunRecordsAsync(api, automationName, 2);
        return (runs[0], runs[1]);
    }

    private static async Task<string?> StatusAsync(AutomationApi api, Guid runId) =>
        (await api.RunAsync(runId)).GetProperty("run").GetProperty("status").GetString();

    private static List<string> Messages(JsonElement run) =>
        run.GetProperty("log").EnumerateArray().Select(l => l.GetProperty("message").GetString()!).ToList();

    /// <summary>A time as the lease rows keep it (EF Core's SQLite text).</summary>
    private static string BatchText(DateTime value) => value.ToString(value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);

    private Task InsertLeaseAsync(string group, Guid holder, DateTime expiresAt) =>
        ExecuteAsync("""INSERT INTO "RunLeases" ("Group", "HolderRunId", "HolderNode", "AcquiredAt", "ExpiresAt") VALUES ($group, $holder, 'elsewhere:1', $at, $expires)""",
            ("$group", group), ("$holder", holder.ToString().ToUpperInvariant()), ("$at", BatchText(expiresAt.AddSeconds(-30))), ("$expires", BatchText(expiresAt)));

    private async Task<(Guid Holder, string ExpiresAt)?> LeaseAsync(string group)
    {
        await using var connection = new SqliteConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "HolderRunId", "ExpiresAt" FROM "RunLeases" WHERE "Group" = $group""";
        command.Parameters.AddWithValue("$group", group);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (Guid.Parse(reader.GetString(0)), reader.GetString(1)) : null;
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(portal.ConnectionString + ";Default Timeout=30");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // the tests' own constant text
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
