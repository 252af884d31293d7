using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Files;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>A run's export file, complete on disk: whose it is, where, how many lines, and whether this call wrote it.</summary>
public sealed record ExportedFile(Guid RunId, string Path, int Lines, bool Written);

/// <summary>
/// The accounting export. The effects ledger is the record and the file its copy: the act step records each
/// approved invoice's line as an <c>export-line</c> effect naming the run's file, stored with the item in the
/// engine's chunk transaction (unique by key, so no invoice is exported twice). At the end of the run the file is
/// written from those lines under a temporary name and renamed, and one <c>export-file</c> effect records that it
/// is complete (the caller records it, see <see cref="CompletionKey"/>). A run that stopped before that (it ended Failed or Cancelled, its lines in the ledger, no
/// <c>export-file</c>) has its file written the same way by the next run, unless the file is there already
/// (renames are atomic: then it was complete).
/// </summary>
internal sealed class InvoiceExport(PortalDatabase database, Guid automationId)
{
    public const string LineType = "export-line";
    public const string FileType = "export-file";
    public const string KeySuffix = "export";

    private readonly string _automation = (string)BatchInserter.ToDb(automationId);
    private readonly string _keyPrefix = $"{automationId:N}:";

    /// <summary>The file a run exports to: named by the run's start and id, so a repair writes the same name.</summary>
    public static string FileFor(string outbox, DateTime runStarted, Guid runId) =>
        Path.Combine(outbox, $"invoices-{runStarted:yyyyMMdd-HHmmss}-{runId.ToString("N")[..8]}.csv");

    /// <summary>The ledger key of the entry that records a run's export file as complete.</summary>
    public string CompletionKey(Guid runId) => $"{_keyPrefix}run:{runId:N}:{FileType}";

    /// <summary>
    /// Writes this run's file, and the files of earlier runs that stopped before writing theirs. Returns every file
    /// that is now complete without its completion entry; the caller records those entries.
    /// </summary>
    public async Task<IReadOnlyList<ExportedFile>> WriteAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var runs = new List<Guid>();
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = """
                SELECT r."Id" FROM "AutomationRuns" r
                WHERE r."AutomationId" = $a AND r."Status" IN ('Failed', 'Cancelled') AND r."Id" <> $run
                  AND EXISTS (SELECT 1 FROM "Effects" e WHERE e."RunId" = r."Id" AND e."Type" = 'export-line')
                  AND NOT EXISTS (SELECT 1 FROM "Effects" m WHERE m."AutomationId" = $a AND m."IdempotencyKey" = $p || 'run:' || lower(replace(r."Id", '-', '')) || ':export-file')
                ORDER BY r."QueuedAt"
                """;
            query.Parameters.AddWithValue("$a", _automation);
            query.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
            query.Parameters.AddWithValue("$p", _keyPrefix);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                runs.Add(Guid.Parse(reader.GetString(0)));
            }
        }

        runs.Add(runId);
        var files = new List<ExportedFile>();
        foreach (var run in runs)
        {
            var (file, lines) = await LinesAsync(connection, run, cancellationToken);
            if (file is null)
            {
                continue;
            }

            // A file already there was renamed into place, so it is complete: it is never written twice.
            var written = !File.Exists(file);
            if (written)
            {
                await WriteFileAsync(file, lines, cancellationToken);
            }

            files.Add(new ExportedFile(run, file, lines.Count, written));
        }

        return files;
    }

    private static async Task<(string? File, List<string> Lines)> LinesAsync(SqliteConnection connection, Guid runId, CancellationToken cancellationToken)
    {
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT \"Target\", \"Detail\" FROM \"Effects\" WHERE \"RunId\" = $run AND \"Type\" = 'export-line' ORDER BY \"Id\"";
        query.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
        string? file = null;
        var lines = new List<string>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            file ??= reader.GetString(0);
            lines.Add(reader.IsDBNull(1) ? "" : reader.GetString(1));
        }

        return (file, lines);
    }

    private static async Task WriteFileAsync(string file, IReadOnlyList<string> lines, CancellationToken cancellationToken)
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
