using System.Globalization;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.SampleInbox;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// Items per second through the engine (sample kind, generated items: read, de-duplicate, prepare, decide, act into
/// the effects ledger, store item, decision, escalation and effect rows) against the raw baseline: a prepared
/// Microsoft.Data.Sqlite insert of the same work-item rows into the same table, 1,000 rows per transaction.
/// Each iteration uses a new automation, so no item is known yet.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15)]
[MemoryDiagnoser]
public class EngineThroughputBenchmarks
{
    private string _folder = "";
    private ServiceProvider _services = default!;
    private PortalDatabase _database = default!;
    private Guid _automationId;
    private Guid _runId;

    [Params(20_000)]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "portal-engine-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);

        // The inbox exists, as saving an automation makes it; a run fails on a watched folder that is gone.
        Directory.CreateDirectory(Path.Combine(_folder, "bench", "inbox"));
        _services = EngineHost.Build<SampleInboxKind>(_folder, out _database);
    }

    [IterationSetup]
    public void NewAutomation()
    {
        using var scope = _services.CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("benchmark");
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var automation = new Automation
        {
            Kind = SampleInboxKind.KindKey,
            Name = "bench " + Guid.NewGuid().ToString("N"),
            Schedule = "0 0 3 1 1 ?",
            State = AutomationState.Production,
            Settings = $$"""{"inboxPath":"bench/inbox","outboxPath":"bench/outbox","generateItems":{{Items}},"writeOutbox":false,"escalateAbove":1350}""",
        };
        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Manual, QueuedAt = DateTime.UtcNow };
        db.AddRange(automation, run);
        db.SaveChanges();
        _automationId = automation.Id;
        _runId = run.Id;
    }

    /// <summary>The portal folds the WAL back in the background (WalCheckpointer); between iterations here.</summary>
    [IterationCleanup]
    public void Checkpoint() => WalCheckpointer.CheckpointAsync(_database, CancellationToken.None).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Raw prepared INSERT of work-item rows")]
    public int RawInsert()
    {
        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO "WorkItems" ("Id", "AutomationId", "Lane", "SourceKey", "RunId", "LastRunId", "Status", "Decision", "ReasonCodes", "Payload", "ActionAttempts", "ReceivedAt", "DecidedAt", "CompletedAt", "ProcessingMs", "SummaryReference", "SummaryAmount", "SummaryType")
            VALUES ($id, $a, 'Live', $key, $run, $run, 'Done', 'approve', '', $payload, 1, $at, $at, $at, 0.05, $key, $amount, 'number')
            """;
        var id = command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.AddWithValue("$a", _automationId.ToString().ToUpperInvariant());
        var key = command.Parameters.Add("$key", SqliteType.Text);
        command.Parameters.AddWithValue("$run", _runId.ToString().ToUpperInvariant());
        var payload = command.Parameters.Add("$payload", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Text);
        var amount = command.Parameters.Add("$amount", SqliteType.Text);
        command.Prepare();
        var written = 0;
        while (written < Items)
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            for (var i = 0; i < 1000 && written < Items; i++, written++)
            {
                var value = (written % 1500).ToString(CultureInfo.InvariantCulture);
                id.Value = Guid.CreateVersion7().ToString().ToUpperInvariant();
                key.Value = "gen-" + written.ToString(CultureInfo.InvariantCulture);
                payload.Value = $$"""{"Key":"gen-{{written}}","Value":{{value}}}""";
                at.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                amount.Value = value;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return written;
    }

    [Benchmark(Description = "Engine run, sample kind")]
    public async Task<RunStatus> EngineRun()
    {
        using var scope = _services.CreateScope();
        var status = await scope.ServiceProvider.GetRequiredService<AutomationEngine>().ExecuteAsync(_runId, CancellationToken.None);
        return status == RunStatus.Succeeded ? status : throw new InvalidOperationException($"The measured run ended {status}; a failed run measures nothing.");
    }
}
