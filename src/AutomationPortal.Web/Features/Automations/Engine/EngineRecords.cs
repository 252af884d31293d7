using System.Globalization;
using System.Runtime.CompilerServices;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// The engine's records as kinds may use them: one automation's effects ledger (asked and written at once, on a
/// connection of its own, so a webhook's success is kept even if the run dies the next moment) and the history of
/// earlier items of a kind. Kinds never query the engine's tables themselves.
/// </summary>
internal sealed class EngineRecords(PortalDatabase database, EngineSchema schema, Guid automationId, TimeProvider time) : IEffectsLedger, IItemHistory
{
    /// <summary>
    /// As the engine's store: a write here must not fold the run's whole WAL back into the database in the middle of
    /// the run (SQLite's automatic checkpoint would, on the first commit past 1,000 pages); WalCheckpointer does that
    /// in the background.
    /// </summary>
    private const string NoCheckpoint = "PRAGMA wal_autocheckpoint = 0;";

    public async Task<bool> IsAppliedAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        var e = schema.Effects;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT 1 FROM \"{e.Name}\" WHERE \"{e.Column(nameof(Effect.AutomationId))}\" = $a AND \"{e.Column(nameof(Effect.IdempotencyKey))}\" = $k";
        query.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        query.Parameters.AddWithValue("$k", idempotencyKey);
        return await query.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task RecordNowAsync(Guid runId, Guid? workItemId, EffectRecord effect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(effect);
        await using var connection = await database.OpenConnectionAsync(cancellationToken, NoCheckpoint);
        await InsertAsync(connection, null, runId, workItemId, effect, cancellationToken);
    }

    /// <summary>
    /// This run's effects, and those of this automation's earlier runs that ended (failed, cancelled, or cut off by a
    /// crash and so marked failed at recovery) with effects but whose per-run effects were never completed.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> RunsToCompleteAsync(Guid runId, CancellationToken cancellationToken)
    {
        var e = schema.Effects;
        var (runs, automationCol, statusCol, queuedCol, idCol, completedCol) = ("AutomationRuns", "AutomationId", "Status", "QueuedAt", "Id", nameof(AutomationRun.EffectsCompletedAt));
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var result = new List<Guid> { runId };
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = $"""
                SELECT r."{idCol}" FROM "{runs}" r
                WHERE r."{automationCol}" = $a AND r."{statusCol}" IN ('Failed', 'Cancelled') AND r."{idCol}" <> $run AND r."{completedCol}" IS NULL
                  AND EXISTS (SELECT 1 FROM "{e.Name}" x WHERE x."{e.Column(nameof(Effect.RunId))}" = r."{idCol}")
                ORDER BY r."{queuedCol}"
                """;
            query.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
            query.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                result.Add(Guid.Parse(reader.GetString(0)));
            }
        }

        return result;
    }

    public async IAsyncEnumerable<HistoricItem> OfKindAsync(string kind, bool includeShadow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var query = HistoryQuery(connection, kind, includeShadow, "", "ORDER BY w.\"{0}\", w.\"{1}\"", nameof(WorkItem.ReceivedAt), nameof(WorkItem.Id));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    public async Task<IReadOnlyList<HistoricItem>> LatestOfPartyAsync(string kind, string partyId, string? currency, int count, bool includeShadow, CancellationToken cancellationToken)
    {
        var w = schema.WorkItems;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var query = HistoryQuery(connection, kind, includeShadow,
            $"AND w.\"{w.Column(nameof(WorkItem.SummaryPartyId))}\" = $party AND (w.\"{w.Column(nameof(WorkItem.SummaryCurrency))}\" = $currency OR $currency IS NULL)",
            "ORDER BY w.\"{0}\" DESC, w.\"{1}\" DESC LIMIT $count", nameof(WorkItem.ReceivedAt), nameof(WorkItem.Id));
        query.Parameters.AddWithValue("$party", partyId);
        query.Parameters.AddWithValue("$currency", (object?)currency ?? DBNull.Value);
        query.Parameters.AddWithValue("$count", Math.Clamp(count, 0, 10_000));
        return await ReadAllAsync(query, cancellationToken);
    }

    public async Task<IReadOnlyList<HistoricItem>> MatchingAsync(string kind, string? contentKey, string? partyId, string? reference, bool includeShadow, CancellationToken cancellationToken)
    {
        var w = schema.WorkItems;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var query = HistoryQuery(connection, kind, includeShadow,
            $"AND ((w.\"{w.Column(nameof(WorkItem.ContentKey))}\" = $content) OR (w.\"{w.Column(nameof(WorkItem.SummaryPartyId))}\" = $party AND w.\"{w.Column(nameof(WorkItem.SummaryReference))}\" = $reference))",
            "ORDER BY w.\"{0}\", w.\"{1}\" LIMIT 100", nameof(WorkItem.ReceivedAt), nameof(WorkItem.Id));
        query.Parameters.AddWithValue("$content", (object?)contentKey ?? DBNull.Value);
        query.Parameters.AddWithValue("$party", (object?)partyId ?? DBNull.Value);
        query.Parameters.AddWithValue("$reference", (object?)reference ?? DBNull.Value);
        return await ReadAllAsync(query, cancellationToken);
    }

    /// <summary>Records the kind's completion effects and marks the runs' per-run effects done, in one transaction.</summary>
    public async Task CompleteRunsAsync(Guid runId, IEnumerable<Guid> completed, IReadOnlyList<EffectRecord> effects, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken, NoCheckpoint);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var effect in effects)
        {
            await InsertAsync(connection, transaction, runId, null, effect, cancellationToken);
        }

        await using var mark = connection.CreateCommand();
        mark.Transaction = transaction;
        mark.CommandText = $"UPDATE \"AutomationRuns\" SET \"{nameof(AutomationRun.EffectsCompletedAt)}\" = $at WHERE \"Id\" = $id";
        mark.Parameters.AddWithValue("$at", BatchInserter.ToDb(time.GetUtcNow().UtcDateTime));
        var id = mark.Parameters.Add("$id", SqliteType.Text);
        foreach (var run in completed)
        {
            id.Value = BatchInserter.ToDb(run);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private SqliteCommand HistoryQuery(SqliteConnection connection, string kind, bool includeShadow, string where, string order, params string[] orderProperties)
    {
        var w = schema.WorkItems;
        string C(string property) => w.Column(property);
        var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT w."{C(nameof(WorkItem.Id))}", w."{C(nameof(WorkItem.AutomationId))}", w."{C(nameof(WorkItem.SummaryReference))}", w."{C(nameof(WorkItem.SummaryParty))}",
                   w."{C(nameof(WorkItem.SummaryPartyId))}", w."{C(nameof(WorkItem.SummaryType))}", w."{C(nameof(WorkItem.SummaryAmount))}", w."{C(nameof(WorkItem.SummaryCurrency))}",
                   w."{C(nameof(WorkItem.SummaryDate))}", w."{C(nameof(WorkItem.ContentKey))}", w."{C(nameof(WorkItem.ReceivedAt))}"
            FROM "{w.Name}" w JOIN "Automations" a ON a."Id" = w."{C(nameof(WorkItem.AutomationId))}"
            WHERE a."Kind" = $kind AND w."{C(nameof(WorkItem.Status))}" <> $quarantined AND (w."{C(nameof(WorkItem.Lane))}" = $live OR $shadow = 1) {where}
            {string.Format(CultureInfo.InvariantCulture, order, orderProperties.Select(C).ToArray<object>())}
            """;
        query.Parameters.AddWithValue("$kind", kind);
        query.Parameters.AddWithValue("$quarantined", w.Text(nameof(WorkItem.Status), WorkItemStatus.Quarantined));
        query.Parameters.AddWithValue("$live", w.Text(nameof(WorkItem.Lane), Lane.Live));
        query.Parameters.AddWithValue("$shadow", includeShadow ? 1 : 0);
        return query;
    }

    private static async Task<IReadOnlyList<HistoricItem>> ReadAllAsync(SqliteCommand query, CancellationToken cancellationToken)
    {
        var items = new List<HistoricItem>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Read(reader));
        }

        return items;
    }

    private static HistoricItem Read(SqliteDataReader reader) => new(
        Guid.Parse(reader.GetString(0)),
        Guid.Parse(reader.GetString(1)),
        new ItemSummary(
            Reference: Text(reader, 2),
            Party: Text(reader, 3),
            PartyId: Text(reader, 4),
            Type: Text(reader, 5),
            Amount: Text(reader, 6) is { } amount ? decimal.Parse(amount, NumberStyles.Number, CultureInfo.InvariantCulture) : null,
            Currency: Text(reader, 7),
            Date: Text(reader, 8) is { } date ? DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
            ContentKey: Text(reader, 9)),
        Time(reader.GetString(10)));

    private static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static DateTime Time(string text) => DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture), DateTimeKind.Utc);

    /// <summary>A run's effects (of one type, when given), in the order they were recorded (their ids are time-ordered).</summary>
    public async Task<IReadOnlyList<EffectRecord>> EffectsOfAsync(Guid runId, string? type, CancellationToken cancellationToken)
    {
        var e = schema.Effects;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT "{e.Column(nameof(Effect.Type))}", "{e.Column(nameof(Effect.IdempotencyKey))}", "{e.Column(nameof(Effect.Target))}", "{e.Column(nameof(Effect.Detail))}"
            FROM "{e.Name}" WHERE "{e.Column(nameof(Effect.RunId))}" = $run AND "{e.Column(nameof(Effect.AutomationId))}" = $a
              AND ($type IS NULL OR "{e.Column(nameof(Effect.Type))}" = $type)
            ORDER BY "{e.Column(nameof(Effect.Id))}"
            """;
        query.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        query.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
        query.Parameters.AddWithValue("$type", (object?)type ?? DBNull.Value);
        var effects = new List<EffectRecord>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            effects.Add(new EffectRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), Text(reader, 3)));
        }

        return effects;
    }

    private async Task InsertAsync(SqliteConnection connection, SqliteTransaction? transaction, Guid runId, Guid? workItemId, EffectRecord effect, CancellationToken cancellationToken)
    {
        var e = schema.Effects;
        string C(string property) => e.Column(property);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"""
            INSERT INTO "{e.Name}" ("{C(nameof(Effect.Id))}", "{C(nameof(Effect.AutomationId))}", "{C(nameof(Effect.RunId))}", "{C(nameof(Effect.WorkItemId))}", "{C(nameof(Effect.Type))}",
                "{C(nameof(Effect.IdempotencyKey))}", "{C(nameof(Effect.Target))}", "{C(nameof(Effect.Detail))}", "{C(nameof(Effect.At))}", "{C(nameof(Effect.Status))}")
            VALUES ($id, $a, $run, $item, $type, $key, $target, $detail, $at, $status)
            ON CONFLICT ("{C(nameof(Effect.AutomationId))}", "{C(nameof(Effect.IdempotencyKey))}") DO NOTHING
            """;
        insert.Parameters.AddWithValue("$id", BatchInserter.ToDb(Guid.CreateVersion7()));
        insert.Parameters.AddWithValue("$a", BatchInserter.ToDb(automationId));
        insert.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
        insert.Parameters.AddWithValue("$item", workItemId is { } item ? BatchInserter.ToDb(item) : DBNull.Value);
        insert.Parameters.AddWithValue("$type", effect.Type);
        insert.Parameters.AddWithValue("$key", Cut(effect.IdempotencyKey, e.MaxLength(nameof(Effect.IdempotencyKey))));
        insert.Parameters.AddWithValue("$target", Cut(effect.Target, e.MaxLength(nameof(Effect.Target))));
        insert.Parameters.AddWithValue("$detail", (object?)Cut(effect.Detail, e.MaxLength(nameof(Effect.Detail))) ?? DBNull.Value);
        insert.Parameters.AddWithValue("$at", BatchInserter.ToDb(time.GetUtcNow().UtcDateTime));
        insert.Parameters.AddWithValue("$status", e.Text(nameof(Effect.Status), EffectStatus.Applied));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string? Cut(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
