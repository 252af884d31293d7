using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// The engine's own connection and prepared statements for its hot path. Table and column names are those of the
/// EF Core model (WorkItemConfiguration and friends); the integration tests read these rows back through EF.
/// </summary>
internal sealed class EngineStore : IAsyncDisposable
{
    private static readonly string[] WorkItemColumns =
    [
        "Id", "AutomationId", "Lane", "SourceKey", "RunId", "LastRunId", "Status", "Decision", "ReasonCodes", "Payload", "OriginalRef",
        "Error", "ActionAttempts", "ReceivedAt", "DecidedAt", "CompletedAt", "ProcessingMs", "SummaryReference", "SummaryParty",
        "SummaryPartyId", "SummaryAmount", "SummaryCurrency", "SummaryType",
    ];

    private static readonly string[] DecisionColumns =
        ["Id", "WorkItemId", "RunId", "At", "DecidedBy", "PersonId", "PersonName", "Decision", "ReasonCodes", "Note", "HumanMinutes"];

    private static readonly string[] EscalationColumns =
        ["Id", "WorkItemId", "AutomationId", "Reasons", "Status", "CreatedAt", "AssigneeId", "DueAt", "ResolvedAt", "Version"];

    private static readonly string[] EffectColumns =
        ["Id", "AutomationId", "RunId", "WorkItemId", "Type", "IdempotencyKey", "Target", "Detail", "At", "Status"];

    private const string EffectConflict = "ON CONFLICT (\"AutomationId\", \"IdempotencyKey\") DO NOTHING";

    private readonly SqliteConnection _connection;
    private readonly BatchInserter _items;
    private readonly BatchInserter _decisions;
    private readonly BatchInserter _escalations;
    private readonly BatchInserter _effects;

    private EngineStore(SqliteConnection connection)
    {
        _connection = connection;
        _items = new BatchInserter(connection, "WorkItems", WorkItemColumns);
        _decisions = new BatchInserter(connection, "Decisions", DecisionColumns);
        _escalations = new BatchInserter(connection, "Escalations", EscalationColumns);
        _effects = new BatchInserter(connection, "Effects", EffectColumns, EffectConflict);
    }

    public static async Task<EngineStore> OpenAsync(PortalDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = SqliteConnectionInterceptor.Pragmas;
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return new EngineStore(connection);
    }

    public async Task<HashSet<string>> ExistingKeysAsync(Guid automationId, Lane lane, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        await using var command = _connection.CreateCommand();
        var names = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            names[i] = "$k" + i;
            command.Parameters.AddWithValue(names[i], keys[i]);
        }

        command.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        command.Parameters.AddWithValue("$l", lane.ToString());
#pragma warning disable CA2100 // Only parameter names are spliced in.
        command.CommandText = $"SELECT \"SourceKey\" FROM \"WorkItems\" WHERE \"AutomationId\" = $a AND \"Lane\" = $l AND \"SourceKey\" IN ({string.Join(", ", names)})";
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    /// <summary>Stores a chunk's items with their decisions, escalations and effects in one transaction.</summary>
    public async Task WriteAsync(Guid automationId, Guid runId, Lane lane, EngineBatch batch, DateTime now, CancellationToken cancellationToken)
    {
        if (batch.Items.Count == 0)
        {
            return;
        }

        var decidedBy = lane == Lane.Shadow ? DecidedBy.AutomationShadow : DecidedBy.Automation;
        foreach (var row in batch.Items)
        {
            var decision = row.Decision!;
            var reasons = string.Join(' ', decision.ReasonCodes);
            var summary = row.Summary;
            _items.Add(row.Id, automationId, lane, row.SourceKey, runId, runId, row.Status, decision.Decision, reasons, row.Payload, row.OriginalRef,
                Truncate(row.Error, 4000), row.ActionAttempts, row.ReceivedAt, row.DecidedAt, row.CompletedAt, row.ProcessingMs,
                Truncate(summary?.Reference, 200), Truncate(summary?.Party, 300), Truncate(summary?.PartyId, 200), summary?.Amount, summary?.Currency, summary?.Type);
            _decisions.Add(Guid.CreateVersion7(), row.Id, runId, row.DecidedAt, decidedBy, null, null, decision.Decision, reasons, Truncate(decision.Note, 4000), 0m);
            if (row.Status == WorkItemStatus.Escalated)
            {
                _escalations.Add(Guid.CreateVersion7(), row.Id, automationId, reasons, EscalationStatus.Open, row.DecidedAt, null, null, null, 1L);
            }
        }

        foreach (var (workItemId, effect) in batch.Effects)
        {
            AddEffect(automationId, runId, workItemId, effect, now);
        }

        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        _items.Flush(transaction);
        _decisions.Flush(transaction);
        _escalations.Flush(transaction);
        _effects.Flush(transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Records where the sources keep the originals now (for example the archive folder).</summary>
    public async Task UpdateOriginalRefsAsync(IReadOnlyList<(Guid WorkItemId, string Reference)> moved, CancellationToken cancellationToken)
    {
        if (moved.Count == 0)
        {
            return;
        }

        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE \"WorkItems\" SET \"OriginalRef\" = $ref WHERE \"Id\" = $id";
        var reference = command.Parameters.Add("$ref", SqliteType.Text);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var (workItemId, path) in moved)
        {
            reference.Value = Truncate(path, 1000);
            id.Value = BatchInserter.ToDb(workItemId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task UpdateRunCountersAsync(Guid runId, RunCounters counters, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "UPDATE \"AutomationRuns\" SET \"ItemsRead\" = $r, \"ItemsDone\" = $d, \"ItemsEscalated\" = $e, \"ItemsFailed\" = $f, \"ItemsSkipped\" = $s WHERE \"Id\" = $id";
        command.Parameters.AddWithValue("$r", counters.Read);
        command.Parameters.AddWithValue("$d", counters.Done);
        command.Parameters.AddWithValue("$e", counters.Escalated);
        command.Parameters.AddWithValue("$f", counters.Failed);
        command.Parameters.AddWithValue("$s", counters.Skipped);
        command.Parameters.AddWithValue("$id", BatchInserter.ToDb(runId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<List<PendingAction>> PendingActionsAsync(Guid automationId, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT "Id", "SourceKey", "Payload", "Decision", "ReasonCodes" FROM "WorkItems"
            WHERE "AutomationId" = $a AND "Lane" = 'Live' AND "Status" IN ('AwaitingAction', 'ActionFailed') AND "ActionAttempts" < $max
            ORDER BY "ReceivedAt" LIMIT 1000
            """;
        command.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        command.Parameters.AddWithValue("$max", maxAttempts);
        var pending = new List<PendingAction>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pending.Add(new PendingAction(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                reader.IsDBNull(2) ? "" : reader.GetString(2),
                reader.IsDBNull(3) ? "approve" : reader.GetString(3),
                reader.IsDBNull(4) ? [] : reader.GetString(4).Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        }

        return pending;
    }

    public async Task CompleteRetryAsync(Guid automationId, Guid runId, Guid workItemId, ActionOutcome outcome, DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        await using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE "WorkItems" SET "Status" = $status, "Error" = $error, "ActionAttempts" = "ActionAttempts" + $attempts,
                    "LastRunId" = $run, "CompletedAt" = $completed WHERE "Id" = $id
                """;
            command.Parameters.AddWithValue("$status", (outcome.Error is null ? WorkItemStatus.Done : WorkItemStatus.ActionFailed).ToString());
            command.Parameters.AddWithValue("$error", BatchInserter.ToDb(Truncate(outcome.Error, 4000)));
            command.Parameters.AddWithValue("$attempts", outcome.Attempts);
            command.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
            command.Parameters.AddWithValue("$completed", BatchInserter.ToDb(outcome.Error is null ? now : null));
            command.Parameters.AddWithValue("$id", BatchInserter.ToDb(workItemId));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var effect in outcome.Effects)
        {
            AddEffect(automationId, runId, workItemId, effect, now);
        }

        _effects.Flush(transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task RecordRunEffectsAsync(Guid automationId, Guid runId, IReadOnlyList<EffectRecord> effects, DateTime now, CancellationToken cancellationToken)
    {
        if (effects.Count == 0)
        {
            return;
        }

        foreach (var effect in effects)
        {
            AddEffect(automationId, runId, null, effect, now);
        }

        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        _effects.Flush(transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _items.Dispose();
        _decisions.Dispose();
        _escalations.Dispose();
        _effects.Dispose();
        await _connection.DisposeAsync();
    }

    private void AddEffect(Guid automationId, Guid runId, Guid? workItemId, EffectRecord effect, DateTime at) =>
        _effects.Add(Guid.CreateVersion7(), automationId, runId, workItemId, effect.Type, Truncate(effect.IdempotencyKey, 300), Truncate(effect.Target, 1000),
            Truncate(effect.Detail, 4000), at, EffectStatus.Applied);

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}

internal sealed record PendingAction(Guid Id, string SourceKey, string Payload, string Decision, IReadOnlyList<string> ReasonCodes);
