using System.Text;
using System.Text.Json;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Files;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.Automations.Kinds.InvoiceIntake;

/// <summary>What a run's export did.</summary>
public sealed record ExportResult(string? File, int Lines, int Repaired);

/// <summary>
/// The run's accounting export: one CSV in the outbox with a line for every approved invoice not exported yet
/// (this run's, and any an interrupted run left). The effects ledger is the record and the file its copy:
/// the lines are first recorded as Pending effects (one per invoice, unique by key, so no invoice is exported
/// twice), then the file is written under a temporary name and renamed, then the effects become Applied. A file
/// whose effects are still Pending after a crash is written again from the ledger by the next run.
/// </summary>
internal sealed class InvoiceExport(PortalDatabase database, Guid automationId, string outbox)
{
    public const string EffectType = "export-line";
    private readonly string _keyPrefix = $"{automationId:N}:";
    private readonly string _automation = (string)BatchInserter.ToDb(automationId);

    public static string KeySuffix => "export";

    public async Task<ExportResult> RunAsync(Guid runId, DateTime now, IReadOnlyDictionary<Guid, InvoiceDocument> inMemory, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var repaired = await RepairAsync(connection, cancellationToken);

        var due = await UnexportedAsync(connection, cancellationToken);
        if (due.Count == 0)
        {
            return new ExportResult(null, 0, repaired);
        }

        Directory.CreateDirectory(outbox);
        var file = InboxFolder.FreeName(Path.Combine(outbox, $"invoices-{now:yyyyMMdd-HHmmss}-{runId.ToString("N")[..8]}.csv"));
        var lines = new List<string>(due.Count);
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO "Effects" ("Id", "AutomationId", "RunId", "WorkItemId", "Type", "IdempotencyKey", "Target", "Detail", "At", "Status")
                VALUES ($id, $a, $run, $item, $type, $key, $target, $detail, $at, 'Pending')
                ON CONFLICT ("AutomationId", "IdempotencyKey") DO NOTHING
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            insert.Parameters.AddWithValue("$a", _automation);
            insert.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
            var item = insert.Parameters.Add("$item", SqliteType.Text);
            insert.Parameters.AddWithValue("$type", EffectType);
            var key = insert.Parameters.Add("$key", SqliteType.Text);
            insert.Parameters.AddWithValue("$target", file);
            var detail = insert.Parameters.Add("$detail", SqliteType.Text);
            insert.Parameters.AddWithValue("$at", BatchInserter.ToDb(now));
            insert.Prepare();
            foreach (var (workItemId, sourceKey, document) in due)
            {
                var actionKey = _keyPrefix + sourceKey;
                var line = document.Posting(workItemId, actionKey).CsvLine();
                id.Value = BatchInserter.ToDb(Guid.CreateVersion7());
                item.Value = BatchInserter.ToDb(workItemId);
                key.Value = $"{actionKey}:{KeySuffix}";
                detail.Value = line;
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    lines.Add(line);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        if (lines.Count > 0)
        {
            await WriteAsync(file, lines, cancellationToken);
            await ConfirmAsync(connection, file, cancellationToken);
        }

        return new ExportResult(lines.Count > 0 ? file : null, lines.Count, repaired);

        async Task<List<(Guid WorkItemId, string SourceKey, InvoiceDocument Document)>> UnexportedAsync(SqliteConnection c, CancellationToken ct)
        {
            await using var query = c.CreateCommand();
            query.CommandText = """
                SELECT w."Id", w."SourceKey", w."Payload" IS NOT NULL FROM "WorkItems" w
                WHERE w."AutomationId" = $a AND w."Lane" = 'Live' AND w."Status" = 'Done' AND w."Decision" = 'approve'
                  AND NOT EXISTS (SELECT 1 FROM "Effects" e WHERE e."AutomationId" = $a AND e."IdempotencyKey" = $p || w."SourceKey" || ':export')
                ORDER BY w."ReceivedAt", w."Id"
                """;
            query.Parameters.AddWithValue("$a", _automation);
            query.Parameters.AddWithValue("$p", _keyPrefix);
            var rows = new List<(Guid, string)>();
            await using (var reader = await query.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    if (reader.GetBoolean(2))
                    {
                        rows.Add((Guid.Parse(reader.GetString(0)), reader.GetString(1)));
                    }
                }
            }

            var result = new List<(Guid, string, InvoiceDocument)>(rows.Count);
            foreach (var (workItemId, sourceKey) in rows)
            {
                var document = inMemory.GetValueOrDefault(workItemId) ?? await LoadAsync(c, workItemId, ct);
                if (document is not null)
                {
                    result.Add((workItemId, sourceKey, document));
                }
            }

            return result;
        }
    }

    /// <summary>Export files recorded but not confirmed: confirmed if the file is there, else written again from the ledger.</summary>
    private async Task<int> RepairAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = """
                SELECT "Target", "Detail" FROM "Effects"
                WHERE "AutomationId" = $a AND "Type" = 'export-line' AND "Status" = 'Pending' ORDER BY "Target", "Id"
                """;
            query.Parameters.AddWithValue("$a", _automation);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var target = reader.GetString(0);
                if (!pending.TryGetValue(target, out var lines))
                {
                    pending[target] = lines = [];
                }

                lines.Add(reader.IsDBNull(1) ? "" : reader.GetString(1));
            }
        }

        foreach (var (file, lines) in pending)
        {
            if (!File.Exists(file))
            {
                await WriteAsync(file, lines, cancellationToken);
            }

            await ConfirmAsync(connection, file, cancellationToken);
        }

        return pending.Count;
    }

    private async Task ConfirmAsync(SqliteConnection connection, string file, CancellationToken cancellationToken)
    {
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE \"Effects\" SET \"Status\" = 'Applied' WHERE \"AutomationId\" = $a AND \"Type\" = 'export-line' AND \"Target\" = $t AND \"Status\" = 'Pending'";
        update.Parameters.AddWithValue("$a", _automation);
        update.Parameters.AddWithValue("$t", file);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task WriteAsync(string file, IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temp = file + ".tmp";
        await using (var writer = new StreamWriter(temp, append: false, SpreadsheetCsv.Encoding))
        {
            writer.NewLine = "\r\n";
            await writer.WriteLineAsync(InvoicePosting.Header);
            foreach (var line in lines)
            {
                await writer.WriteLineAsync(line);
            }

            await writer.FlushAsync(cancellationToken);
            writer.BaseStream.Flush();
        }

        File.Move(temp, file, overwrite: true);
    }

    private static async Task<InvoiceDocument?> LoadAsync(SqliteConnection connection, Guid workItemId, CancellationToken cancellationToken)
    {
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT \"Payload\" FROM \"WorkItems\" WHERE \"Id\" = $id";
        query.Parameters.AddWithValue("$id", BatchInserter.ToDb(workItemId));
        return await query.ExecuteScalarAsync(cancellationToken) is string payload
            ? JsonSerializer.Deserialize(payload, InvoiceIntakeJson.Default.InvoiceDocument)
            : null;
    }
}
