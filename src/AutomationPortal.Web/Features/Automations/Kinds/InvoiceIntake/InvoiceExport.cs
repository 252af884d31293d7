using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Files;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.Automations.Kinds.InvoiceIntake;

/// <summary>What a run's export did.</summary>
public sealed record ExportResult(IReadOnlyList<string> Files, int Lines);

/// <summary>
/// The accounting export. The effects ledger is the record and the file its copy: the act step records each
/// approved invoice's line as a Pending <c>export-line</c> effect, stored with the item in the engine's chunk
/// transaction (unique by key, so no invoice is exported twice). At the end of the run the file is written from
/// the ledger under a temporary name and renamed, and its lines become Applied. Lines still Pending from a run
/// that was cut off are written the same way by the next run (into the file that run had named, unless it exists).
/// </summary>
internal sealed class InvoiceExport(PortalDatabase database, Guid automationId)
{
    public const string EffectType = "export-line";
    public const string KeySuffix = "export";

    private readonly string _automation = (string)BatchInserter.ToDb(automationId);

    /// <summary>The file a run exports to: named by the run's start and id, so a repair writes the same name.</summary>
    public static string FileFor(string outbox, DateTime runStarted, Guid runId) =>
        Path.Combine(outbox, $"invoices-{runStarted:yyyyMMdd-HHmmss}-{runId.ToString("N")[..8]}.csv");

    public async Task<ExportResult> WritePendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var pending = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = """
                SELECT "Target", "Detail" FROM "Effects"
                WHERE "AutomationId" = $a AND "Type" = 'export-line' AND "Status" = 'Pending' ORDER BY "Id"
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

        var written = new List<string>();
        foreach (var (file, lines) in pending)
        {
            // A file already there was written completely (it is renamed into place) before the crash that kept
            // its lines Pending: confirm it, never write it twice.
            if (!File.Exists(file))
            {
                await WriteAsync(file, lines, cancellationToken);
                written.Add(file);
            }

            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE \"Effects\" SET \"Status\" = 'Applied' WHERE \"AutomationId\" = $a AND \"Type\" = 'export-line' AND \"Target\" = $t AND \"Status\" = 'Pending'";
            update.Parameters.AddWithValue("$a", _automation);
            update.Parameters.AddWithValue("$t", file);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        return new ExportResult(written, pending.Values.Sum(l => l.Count));
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
        }

        File.Move(temp, file, overwrite: true);
    }
}
