using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>
/// The accounting export. The effects ledger is the record and the file its copy: the act step records each
/// approved invoice's line as an <c>export-line</c> effect naming the run's file, stored with the item in the
/// engine's chunk transaction (unique by key, so no invoice is exported twice). At the end of the run the file is
/// written from those lines under a temporary name and renamed, and one <c>export-file</c> effect records that it
/// is complete (see <see cref="CompletionKey"/>). A run that stopped before that (it ended Failed or Cancelled, its
/// lines in the ledger, no <c>export-file</c>) is handed to the next run's completion by the engine, and its file is
/// written the same way, unless it is there already (renames are atomic: then it was complete).
/// </summary>
internal static class InvoiceExport
{
    public const string LineType = "export-line";
    public const string FileType = "export-file";
    public const string KeySuffix = "export";

    /// <summary>
    /// The file a run exports to: named by the run's start and the random end of its id (a version 7 id begins with its
    /// time, so two runs of one second would share their first digits), so a repair writes the same name.
    /// </summary>
    public static string FileFor(string outbox, DateTime runStarted, Guid runId) =>
        Path.Combine(outbox, $"invoices-{runStarted:yyyyMMdd-HHmmss}-{runId.ToString("N")[^12..]}.csv");

    /// <summary>The ledger key of the entry that records a run's export file as complete.</summary>
    public static string CompletionKey(Guid automationId, Guid runId) => $"{automationId:N}:run:{runId:N}:{FileType}";

    /// <summary>A run's export as its ledger holds it: the file its lines name, and the lines in the order they were decided; null when it has none.</summary>
    public static RunExport? LinesOf(Guid runId, IReadOnlyList<EffectRecord> effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        var lines = effects.Where(e => e.Type == LineType).ToList();
        return lines.Count == 0 ? null : new RunExport(runId, lines[0].Target, lines.Select(l => l.Detail ?? "").ToList());
    }

    /// <summary>Writes the file whole under a temporary name and renames it; false when it was there already (complete).</summary>
    public static async Task<bool> WriteAsync(RunExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (File.Exists(export.File))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(export.File)!);
        var temp = export.File + ".tmp";
        await using (var writer = new StreamWriter(temp, append: false, SpreadsheetCsv.Encoding))
        {
            writer.NewLine = "\r\n";
            await writer.WriteLineAsync(InvoicePosting.Header);
            foreach (var line in export.Lines)
            {
                await writer.WriteLineAsync(line);
            }

            await writer.FlushAsync(cancellationToken);
        }

        File.Move(temp, export.File, overwrite: true);
        return true;
    }
}

/// <summary>One run's export: its file and its lines.</summary>
internal sealed record RunExport(Guid RunId, string File, IReadOnlyList<string> Lines);
