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
/// the effects ledger, store item, decision, escalation and effect rows) against the raw baseline: prepared
/// Microsoft.Data.Sqlite inserts of the same rows the engine writes for the same items (a work item and a decision
/// each, an effect for each approved one, an escalation for each escalated one) into the same tables, in
/// transactions of the engine's chunk size. Each iteration uses a new automation, so no item is known yet.
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
            Settings = $$"""{"inboxPath":"bench/inbox","outboxPath":"bench/outbox","generateItems":{{Items}},"writeOutbox":false,"escalateAbove":{{EscalateAbove}}}""",
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

    /// <summary>The sample kind's threshold in these settings: values above it are escalated, the rest approved.</summary>
    private const int EscalateAbove = 1350;

    [Benchmark(Baseline = true, Description = "Raw prepared INSERTs of the same rows")]
    public int RawInsert()
    {
        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        var automation = _automationId.ToString().ToUpperInvariant();
        var runText = _runId.ToString().ToUpperInvariant();
        using var item = Prepared(connection, """
            INSERT INTO "WorkItems" ("Id", "AutomationId", "Lane", "SourceKey", "RunId", "LastRunId", "Status", "Decision", "ReasonCodes", "Payload", "ActionAttempts",
                "ReceivedAt", "DecidedAt", "CompletedAt", "ProcessingMs", "SummaryReference", "SummaryAmount", "SummaryType", "LastOutcomeAt")
            VALUES ($id, $a, 'Live', $key, $run, $run, $status, $decision, $reasons, $payload, $attempts, $at, $at, $at, 0.05, $key, $amount, 'number', $at)
            """, "$id", "$a", "$key", "$run", "$status", "$decision", "$reasons", "$payload", "$attempts", "$at", "$amount");
        using var decision = Prepared(connection, """
            INSERT INTO "Decisions" ("Id", "WorkItemId", "RunId", "At", "DecidedBy", "Decision", "ReasonCodes", "HumanMinutes")
            VALUES ($id, $item, $run, $at, 'Automation', $decision, $reasons, '0.0')
            """, "$id", "$item", "$run", "$at", "$decision", "$reasons");
        using var escalation = Prepared(connection, """
            INSERT INTO "Escalations" ("Id", "WorkItemId", "AutomationId", "Reasons", "Status", "CreatedAt", "Version")
            VALUES ($id, $item, $a, $reasons, 'Open', $at, 1)
            """, "$id", "$item", "$a", "$reasons", "$at");
        using var effect = Prepared(connection, """
            INSERT INTO "Effects" ("Id", "AutomationId", "RunId", "WorkItemId", "Type", "IdempotencyKey", "Target", "Detail", "At", "Status")
            VALUES ($id, $a, $run, $item, 'ledger-entry', $key, 'ledger', $detail, $at, 'Applied')
            ON CONFLICT ("AutomationId", "IdempotencyKey") DO NOTHING
            """, "$id", "$a", "$run", "$item", "$key", "$detail", "$at");
        foreach (var command in new[] { item, decision, escalation, effect })
        {
            if (command.Parameters.Contains("$a"))
            {
                command.Parameters["$a"].Value = automation;
            }

            if (command.Parameters.Contains("$run"))
            {
                command.Parameters["$run"].Value = runText;
            }
        }

        var written = 0;
        while (written < Items)
        {
            using var transaction = connection.BeginTransaction();
            item.Transaction = decision.Transaction = escalation.Transaction = effect.Transaction = transaction;
            for (var i = 0; i < AutomationEngine.ChunkSize && written < Items; i++, written++)
            {
                var number = written % 1500;
                var value = number.ToString(CultureInfo.InvariantCulture);
                var escalated = number > EscalateAbove;
                var id = Guid.CreateVersion7().ToString().ToUpperInvariant();
                var key = "gen-" + written.ToString(CultureInfo.InvariantCulture);
                var at = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                var reasons = escalated ? "over-threshold" : "";
                var verdict = escalated ? "escalate" : "approve";
                Bind(item, ("$id", id), ("$key", key), ("$status", escalated ? "Escalated" : "Done"), ("$decision", verdict), ("$reasons", reasons),
                    ("$payload", $$"""{"Key":"{{key}}","Value":{{value}}}"""), ("$attempts", escalated ? "0" : "1"), ("$at", at), ("$amount", value));
                item.ExecuteNonQuery();
                Bind(decision, ("$id", Guid.CreateVersion7().ToString().ToUpperInvariant()), ("$item", id), ("$at", at), ("$decision", verdict), ("$reasons", reasons));
                decision.ExecuteNonQuery();
                if (escalated)
                {
                    Bind(escalation, ("$id", Guid.CreateVersion7().ToString().ToUpperInvariant()), ("$item", id), ("$reasons", reasons), ("$at", at));
                    escalation.ExecuteNonQuery();
                }
                else
                {
                    Bind(effect, ("$id", Guid.CreateVersion7().ToString().ToUpperInvariant()), ("$item", id), ("$key", $"{_automationId:N}:{key}"), ("$detail", value), ("$at", at));
                    effect.ExecuteNonQuery();
                }
            }

            transaction.Commit();
        }

        return written;
    }

    private static SqliteCommand Prepared(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(name, SqliteType.Text);
        }

        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params (string Name, string Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            command.Parameters[name].Value = value;
        }
    }

    [Benchmark(Description = "Engine run, sample kind")]
    public async Task<RunStatus> EngineRun()
    {
        using var scope = _services.CreateScope();
        var status = await scope.ServiceProvider.GetRequiredService<AutomationEngine>().ExecuteAsync(_runId, CancellationToken.None);
        return status == RunStatus.Succeeded ? status : throw new InvalidOperationException($"The measured run ended {status}; a failed run measures nothing.");
    }
}
