using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// The engine's own connection and prepared statements for its hot path. The rows it inserts take their table and
/// column names, lengths and enum texts from the EF Core model (<see cref="EngineSchema"/>); the integration tests read
/// these rows back through EF.
/// </summary>
internal sealed class EngineStore : IAsyncDisposable
{
    /// <summary>The properties of each row the write path inserts, in the order it binds them; their columns come from the EF model.</summary>
    private static readonly string[] WorkItemProperties =
    [
        nameof(WorkItem.Id), nameof(WorkItem.AutomationId), nameof(WorkItem.Lane), nameof(WorkItem.SourceKey), nameof(WorkItem.RunId), nameof(WorkItem.LastRunId),
        nameof(WorkItem.Status), nameof(WorkItem.Decision), nameof(WorkItem.ReasonCodes), nameof(WorkItem.Payload), nameof(WorkItem.OriginalRef),
        nameof(WorkItem.Error), nameof(WorkItem.ActionAttempts), nameof(WorkItem.ReceivedAt), nameof(WorkItem.DecidedAt), nameof(WorkItem.CompletedAt),
        nameof(WorkItem.ProcessingMs), nameof(WorkItem.SummaryReference), nameof(WorkItem.SummaryParty), nameof(WorkItem.SummaryPartyId),
        nameof(WorkItem.SummaryAmount), nameof(WorkItem.SummaryCurrency), nameof(WorkItem.SummaryType), nameof(WorkItem.SummaryDate),
        nameof(WorkItem.ContentKey), nameof(WorkItem.LastOutcomeAt),
    ];

    private static readonly string[] DecisionProperties =
    [
        nameof(DecisionRecord.Id), nameof(DecisionRecord.WorkItemId), nameof(DecisionRecord.RunId), nameof(DecisionRecord.At), nameof(DecisionRecord.DecidedBy),
        nameof(DecisionRecord.PersonId), nameof(DecisionRecord.PersonName), nameof(DecisionRecord.Decision), nameof(DecisionRecord.ReasonCodes),
        nameof(DecisionRecord.Note), nameof(DecisionRecord.HumanMinutes),
    ];

    private static readonly string[] EscalationProperties =
    [
        nameof(Escalation.Id), nameof(Escalation.WorkItemId), nameof(Escalation.AutomationId), nameof(Escalation.Reasons), nameof(Escalation.Status),
        nameof(Escalation.CreatedAt), nameof(Escalation.AssigneeId), nameof(Escalation.DueAt), nameof(Escalation.ResolvedAt), nameof(Escalation.Version),
        nameof(Escalation.Reference), nameof(Escalation.Party), nameof(Escalation.PartyId), nameof(Escalation.Amount),
    ];

    private static readonly string[] EffectProperties =
    [
        nameof(Effect.Id), nameof(Effect.AutomationId), nameof(Effect.RunId), nameof(Effect.WorkItemId), nameof(Effect.Type), nameof(Effect.IdempotencyKey),
        nameof(Effect.Target), nameof(Effect.Detail), nameof(Effect.At), nameof(Effect.Status),
    ];

    /// <summary>An automated decision took no person's time: 0 minutes, stored as EF Core stores decimals.</summary>
    private const string NoMinutes = "0.0";

    private readonly SqliteConnection _connection;
    private readonly BatchInserter _items;
    private readonly BatchInserter _decisions;
    private readonly BatchInserter _escalations;
    private readonly BatchInserter _effects;
    private readonly Lengths _lengths;
    private readonly Dictionary<WorkItemStatus, string> _statusTexts;
    private readonly Dictionary<Lane, string> _laneTexts;
    private readonly Dictionary<DecidedBy, string> _decidedByTexts;
    private readonly string _escalationOpen;
    private readonly string _effectApplied;

    private EngineStore(SqliteConnection connection, EngineSchema schema)
    {
        _connection = connection;
        _items = new BatchInserter(connection, schema.WorkItems.Name, schema.WorkItems.Columns(WorkItemProperties));
        _decisions = new BatchInserter(connection, schema.Decisions.Name, schema.Decisions.Columns(DecisionProperties));
        _escalations = new BatchInserter(connection, schema.Escalations.Name, schema.Escalations.Columns(EscalationProperties));
        var effects = schema.Effects;
        _effects = new BatchInserter(connection, effects.Name, effects.Columns(EffectProperties),
            $"ON CONFLICT (\"{effects.Column(nameof(Effect.AutomationId))}\", \"{effects.Column(nameof(Effect.IdempotencyKey))}\") DO NOTHING");
        _lengths = new Lengths(schema);
        _statusTexts = Enum.GetValues<WorkItemStatus>().ToDictionary(v => v, v => schema.WorkItems.Text(nameof(WorkItem.Status), v));
        _laneTexts = Enum.GetValues<Lane>().ToDictionary(v => v, v => schema.WorkItems.Text(nameof(WorkItem.Lane), v));
        _decidedByTexts = Enum.GetValues<DecidedBy>().ToDictionary(v => v, v => schema.Decisions.Text(nameof(DecisionRecord.DecidedBy), v));
        _escalationOpen = schema.Escalations.Text(nameof(Escalation.Status), EscalationStatus.Open);
        _effectApplied = schema.Effects.Text(nameof(Effect.Status), EffectStatus.Applied);
    }

    /// <summary>The model's column lengths the write path cuts long text to.</summary>
    private sealed class Lengths(EngineSchema schema)
    {
        public int Error { get; } = schema.WorkItems.MaxLength(nameof(WorkItem.Error));

        public int Reference { get; } = schema.WorkItems.MaxLength(nameof(WorkItem.SummaryReference));

        public int Party { get; } = schema.WorkItems.MaxLength(nameof(WorkItem.SummaryParty));

        public int PartyId { get; } = schema.WorkItems.MaxLength(nameof(WorkItem.SummaryPartyId));

        public int OriginalRef { get; } = schema.WorkItems.MaxLength(nameof(WorkItem.OriginalRef));

        public int Note { get; } = schema.Decisions.MaxLength(nameof(DecisionRecord.Note));

        public int IdempotencyKey { get; } = schema.Effects.MaxLength(nameof(Effect.IdempotencyKey));

        public int Target { get; } = schema.Effects.MaxLength(nameof(Effect.Target));

        public int Detail { get; } = schema.Effects.MaxLength(nameof(Effect.Detail));
    }

    public static async Task<EngineStore> OpenAsync(PortalDatabase database, EngineSchema schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(schema);
        // A larger page cache keeps a chunk's index pages in memory until the commit writes them once. The engine
        // writes each item with its decision, escalation and effects in one transaction, built together, so the
        // foreign-key probes SQLite would add per row check nothing here; every other connection keeps them on. The
        // WAL is checkpointed in the background (WalCheckpointer), not in the middle of a chunk.
        var connection = await database.OpenConnectionAsync(cancellationToken, "PRAGMA cache_size = -32768; PRAGMA foreign_keys = OFF; PRAGMA wal_autocheckpoint = 0;");
        return new EngineStore(connection, schema);
    }

    public async Task<HashSet<string>> ExistingKeysAsync(Guid automationId, Lane lane, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT \"SourceKey\" FROM \"WorkItems\" WHERE \"AutomationId\" = $a AND \"Lane\" = $l AND \"SourceKey\" IN (SELECT value FROM json_each($keys))";
        command.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        command.Parameters.AddWithValue("$l", lane.ToString());
        command.Parameters.AddWithValue("$keys", System.Text.Json.JsonSerializer.Serialize(keys));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    /// <summary>
    /// Effects whose work item was never stored: a run cut off (a crash, a stop) after acting on an item but before its
    /// chunk was committed. Read once per run, from the cut-off runs only, so the hot path pays nothing; the item keeps
    /// the id these effects were recorded with when it is read again.
    /// </summary>
    public async Task<SortedList<string, Guid>> OrphanEffectsAsync(Guid automationId, CancellationToken cancellationToken)
    {
        var found = new SortedList<string, Guid>(StringComparer.Ordinal);
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT e."IdempotencyKey", e."WorkItemId" FROM "AutomationRuns" r
            JOIN "Effects" e ON e."RunId" = r."Id"
            WHERE r."AutomationId" = $a AND r."Status" = 'Cancelled' AND r."SkipReason" IS NULL AND e."WorkItemId" IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM "WorkItems" w WHERE w."Id" = e."WorkItemId")
            LIMIT 100000
            """;
        command.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.TryAdd(reader.GetString(0), Guid.Parse(reader.GetString(1)));
        }

        return found;
    }

    /// <summary>
    /// The latest item outcomes since <paramref name="since"/>, oldest first, at most <paramref name="count"/>: what the
    /// guardrails judge. Items whose action is still to be retried are left out; their retry adds their next outcome.
    /// </summary>
    public async Task<List<WorkItemStatus>> OutcomesSinceAsync(Guid automationId, Lane lane, DateTime? since, int maxAttempts, int count, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT "Status" FROM "WorkItems"
            WHERE "AutomationId" = $a AND "Lane" = $l AND ($since IS NULL OR "LastOutcomeAt" >= $since)
              AND NOT ("Status" IN ('AwaitingAction', 'ActionFailed', 'AwaitingCompensation') AND "ActionAttempts" < $max)
            ORDER BY "LastOutcomeAt" DESC LIMIT $n
            """;
        command.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        command.Parameters.AddWithValue("$l", lane.ToString());
        command.Parameters.AddWithValue("$since", BatchInserter.ToDb(since));
        command.Parameters.AddWithValue("$max", maxAttempts);
        command.Parameters.AddWithValue("$n", count);
        var latest = new List<WorkItemStatus>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            latest.Add(Enum.Parse<WorkItemStatus>(reader.GetString(0)));
        }

        latest.Reverse();
        return latest;
    }

    /// <summary>Who paused the automation when it is paused (the database's word, for runs on any node); else null.</summary>
    public async Task<string?> PausedByAsync(Guid automationId, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT \"State\", \"PausedBy\", \"EmergencyStopId\" FROM \"Automations\" WHERE \"Id\" = $a";
        command.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return Enum.TryParse<AutomationState>(reader.GetString(0), out var state)
            ? Automation.DescribePause(state, reader.IsDBNull(1) ? null : reader.GetString(1), !reader.IsDBNull(2), null)
            : null;
    }

    /// <summary>
    /// Stores a chunk's items with their decisions, escalations and effects in one transaction, and where the
    /// sources keep the previous chunk's items now (<paramref name="movedBefore"/>).
    /// </summary>
    public async Task WriteAsync(Guid automationId, Guid runId, Lane lane, EngineBatch batch, RunCounters counters, DateTime now,
        IReadOnlyList<(Guid WorkItemId, string Reference)> movedBefore, CancellationToken cancellationToken)
    {
        // The chunk and the run's counts land together, in one transaction (one WAL commit).
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        var laneText = _laneTexts[lane];
        var automationText = (string)BatchInserter.ToDb(automationId);
        var runText = (string)BatchInserter.ToDb(runId);
        var decidedBy = _decidedByTexts[lane == Lane.Shadow ? DecidedBy.AutomationShadow : DecidedBy.Automation];
        foreach (var row in batch.Items)
        {
            var decision = row.Decision!;
            var reasons = decision.ReasonCodes.Count == 0 ? "" : string.Join(' ', decision.ReasonCodes);
            var summary = row.Summary;
            _items.Row().Id(row.Id).Text(automationText).Text(laneText).Text(row.SourceKey).Text(runText).Text(runText).Text(_statusTexts[row.Status])
                .Text(decision.Decision).Text(reasons).Text(row.Payload).Text(row.OriginalRef).Text(Truncate(row.Error, _lengths.Error)).Number(row.ActionAttempts)
                .Time(row.ReceivedAt).Time(row.DecidedAt).Time(row.CompletedAt).Real(row.ProcessingMs)
                .Text(Truncate(summary?.Reference, _lengths.Reference)).Text(Truncate(summary?.Party, _lengths.Party)).Text(Truncate(summary?.PartyId, _lengths.PartyId))
                .Amount(summary?.Amount).Text(summary?.Currency).Text(summary?.Type).Text(DateText(summary?.Date)).Text(summary?.ContentKey).Time(row.DecidedAt).EndRow();
            _decisions.Row().Id(Guid.CreateVersion7()).Id(row.Id).Text(runText).Time(row.DecidedAt).Text(decidedBy).Id(null).Text(null)
                .Text(decision.Decision).Text(reasons).Text(Truncate(decision.Note, _lengths.Note)).Text(NoMinutes).EndRow();
            // Only live items wait in the escalation queue: in shadow people handle the input by hand anyway.
            if (row.Status == WorkItemStatus.Escalated && lane == Lane.Live)
            {
                // With the item's summary as just stored, so the database has nothing to copy (EscalationTriggers.Insert).
                _escalations.Row().Id(Guid.CreateVersion7()).Id(row.Id).Text(automationText).Text(reasons).Text(_escalationOpen)
                    .Time(row.DecidedAt).Id(null).Time(null).Time(null).Number(1)
                    .Text(Truncate(summary?.Reference, _lengths.Reference)).Text(Truncate(summary?.Party, _lengths.Party)).Text(Truncate(summary?.PartyId, _lengths.PartyId))
                    .Amount(summary?.Amount).EndRow();
            }
        }

        foreach (var (workItemId, effect) in batch.Effects)
        {
            AddEffect(automationId, runId, workItemId, effect, now);
        }

        await UpdateRunCountersAsync(runId, counters, transaction, cancellationToken);
        await UpdateOriginalRefsAsync(movedBefore, transaction, cancellationToken);
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
        await UpdateOriginalRefsAsync(moved, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task UpdateOriginalRefsAsync(IReadOnlyList<(Guid WorkItemId, string Reference)> moved, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        if (moved.Count == 0)
        {
            return;
        }

        await using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE \"WorkItems\" SET \"OriginalRef\" = $ref WHERE \"Id\" = $id";
        var reference = command.Parameters.Add("$ref", SqliteType.Text);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var (workItemId, path) in moved)
        {
            reference.Value = Truncate(path, _lengths.OriginalRef);
            id.Value = BatchInserter.ToDb(workItemId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task UpdateRunCountersAsync(Guid runId, RunCounters counters, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE \"AutomationRuns\" SET \"ItemsRead\" = $r, \"ItemsDone\" = $d, \"ItemsEscalated\" = $e, \"ItemsFailed\" = $f, \"ItemsQuarantined\" = $q, \"ItemsRetried\" = $t, \"ItemsSkipped\" = $s WHERE \"Id\" = $id";
        command.Parameters.AddWithValue("$r", counters.Read);
        command.Parameters.AddWithValue("$d", counters.Done);
        command.Parameters.AddWithValue("$e", counters.Escalated);
        command.Parameters.AddWithValue("$f", counters.Failed);
        command.Parameters.AddWithValue("$s", counters.Skipped);
        command.Parameters.AddWithValue("$q", counters.Quarantined);
        command.Parameters.AddWithValue("$t", counters.Retried);
        command.Parameters.AddWithValue("$id", BatchInserter.ToDb(runId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<List<PendingAction>> PendingActionsAsync(Guid automationId, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT "Id", "SourceKey", "Payload", "Decision", "ReasonCodes", "Status" FROM "WorkItems"
            WHERE "AutomationId" = $a AND "Lane" = 'Live' AND "Status" IN ('AwaitingAction', 'ActionFailed', 'AwaitingCompensation') AND "ActionAttempts" < $max
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
                reader.IsDBNull(3) ? Decisions.Approve : reader.GetString(3),
                reader.IsDBNull(4) ? [] : reader.GetString(4).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Compensate = reader.GetString(5) == nameof(WorkItemStatus.AwaitingCompensation),
            });
        }

        return pending;
    }

    /// <summary>
    /// Stores the outcome of an earlier item's action tried again, or of its compensation (<paramref name="compensation"/>):
    /// a compensated item's earlier effects are marked compensated, and the compensation's own effects are added.
    /// </summary>
    public async Task CompleteRetryAsync(Guid automationId, Guid runId, Guid workItemId, ActionOutcome outcome, DateTime now, CancellationToken cancellationToken, bool compensation = false)
    {
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        if (compensation && outcome.Error is null)
        {
            await using var undone = _connection.CreateCommand();
            undone.Transaction = transaction;
            // What was done before the person asked to undo it; what the compensation itself recorded stays applied.
            undone.CommandText = """
                UPDATE "Effects" SET "Status" = $compensated WHERE "WorkItemId" = $id AND "Status" = $applied
                    AND "At" < (SELECT MAX("At") FROM "Decisions" WHERE "WorkItemId" = $id AND ("Decision" = $compensate OR "Override" = 1))
                """;
            undone.Parameters.AddWithValue("$compensate", Decisions.Compensate);
            undone.Parameters.AddWithValue("$compensated", nameof(EffectStatus.Compensated));
            undone.Parameters.AddWithValue("$applied", nameof(EffectStatus.Applied));
            undone.Parameters.AddWithValue("$id", BatchInserter.ToDb(workItemId));
            await undone.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE "WorkItems" SET "Status" = $status, "Error" = $error, "ActionAttempts" = "ActionAttempts" + $attempts,
                    "LastRunId" = $run, "CompletedAt" = $completed, "LastOutcomeAt" = $now
                WHERE "Id" = $id AND "Status" IN ($from1, $from2)
                """;
            // Only from the state the outcome belongs to: a run that stalled meanwhile cannot write over a person's later undo.
            command.Parameters.AddWithValue("$from1", (compensation ? WorkItemStatus.AwaitingCompensation : WorkItemStatus.AwaitingAction).ToString());
            command.Parameters.AddWithValue("$from2", (compensation ? WorkItemStatus.AwaitingCompensation : WorkItemStatus.ActionFailed).ToString());
            var status = compensation
                ? outcome.Error is null ? WorkItemStatus.Compensated : WorkItemStatus.AwaitingCompensation
                : outcome.Error is null ? WorkItemStatus.Done : WorkItemStatus.ActionFailed;
            command.Parameters.AddWithValue("$status", status.ToString());
            command.Parameters.AddWithValue("$error", BatchInserter.ToDb(Truncate(outcome.Error, 4000)));
            command.Parameters.AddWithValue("$attempts", outcome.Attempts);
            command.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
            command.Parameters.AddWithValue("$completed", BatchInserter.ToDb(outcome.Error is null ? now : null));
            command.Parameters.AddWithValue("$now", BatchInserter.ToDb(now));
            command.Parameters.AddWithValue("$id", BatchInserter.ToDb(workItemId));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var effect in outcome.Effects)
        {
            AddEffect(automationId, runId, workItemId, effect, now);
        }

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
        _effects.Row().Id(Guid.CreateVersion7()).Id(automationId).Id(runId).Id(workItemId).Text(effect.Type).Text(Truncate(effect.IdempotencyKey, _lengths.IdempotencyKey))
            .Text(Truncate(effect.Target, _lengths.Target)).Text(Truncate(effect.Detail, _lengths.Detail)).Time(at).Text(_effectApplied).EndRow();

    /// <summary>As EF Core stores a DateOnly in SQLite: yyyy-MM-dd.</summary>
    private static string? DateText(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}

internal sealed record PendingAction(Guid Id, string SourceKey, string Payload, string Decision, IReadOnlyList<string> ReasonCodes)
{
    /// <summary>A person asked to undo the item: the kind's compensation runs instead of its action.</summary>
    public bool Compensate { get; init; }
}
