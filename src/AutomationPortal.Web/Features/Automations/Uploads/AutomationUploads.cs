using System.Security.Cryptography;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Files;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations.Uploads;

/// <summary>A file given to an automation through the upload page or the intake API.</summary>
public sealed record IntakeFile(string FileName, Stream Content);

/// <summary>What became of one file: its work item (with status and reasons), or why it was not taken.</summary>
public sealed record IntakeFileResult(string FileName, Guid? WorkItemId, WorkItemStatus? Status, IReadOnlyList<string> ReasonCodes, string? Error)
{
    /// <summary>Set when the file is kept but not decided yet, with why: "held: the automation is paused …".</summary>
    public string? Held { get; init; }
}

/// <summary>The answer to handed-in files; <see cref="Held"/> says why none was decided now, when so.</summary>
public sealed record IntakeResponse(Guid? RunId, RunStatus? RunStatus, IReadOnlyList<IntakeFileResult> Files)
{
    public string? Held { get; init; }
}

/// <summary>
/// Takes files for an automation of any kind that accepts uploads (<see cref="IAcceptsUploads"/>): each is written
/// whole into the kind's uploads folder (temporary name, then renamed, so a run never sees half a file), then a run
/// reads them at once; the answer waits for that run and gives each file's work item. The same bytes twice give the
/// same work item.
/// </summary>
public sealed class AutomationUploads(
    PortalDbContext db,
    PortalDatabase database,
    AutomationKindCatalog catalog,
    AutomationScheduler scheduler,
    CurrentActor currentActor,
    PortalFolders folders,
    RunCompletions completions,
    TimeProvider time)
{
    /// <summary>How long an upload waits for its run before it answers with what is known.</summary>
    public static readonly TimeSpan WaitForRun = TimeSpan.FromSeconds(60);

    /// <summary>The size limit of an automation's files (its maxFileBytes), for the upload page.</summary>
    public async Task<long> MaxFileBytesAsync(Guid automationId, CancellationToken cancellationToken = default)
    {
        var (_, kind, settings) = await SettingsAsync(automationId, cancellationToken);
        return kind.MaxFileBytes(settings);
    }

    public async Task<IntakeResponse> AcceptAsync(Guid automationId, IReadOnlyList<IntakeFile> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var actor = await currentActor.GetAsync();
        if (!actor.Has(Role.Agent) && !actor.Has(Role.Manager) && !actor.Has(Role.Admin))
        {
            throw new ForbiddenException("Only signed-in team members can hand files to an automation.");
        }

        if (files.Count == 0)
        {
            throw AutomationValidationException.For("files", "Give at least one file: a multipart form with files, or the file itself as the request body.");
        }

        // A control character (NUL, a line break) in a name is a broken client or an attack on logs and file systems:
        // the whole request is refused before anything is stored.
        if (files.FirstOrDefault(f => FileNames.HasControlCharacter(f.FileName)) is { } named)
        {
            throw AutomationValidationException.For("files", $"The file name '{FileNames.Quoted(named.FileName)}' contains a control character (NUL, a line break or another); rename the file and send it again. Nothing was taken.");
        }

        var (automation, kind, settings) = await SettingsAsync(automationId, cancellationToken);
        var uploads = kind.UploadsFolder(settings, database.DataFolder);
        var maxFileBytes = kind.MaxFileBytes(settings);
        if (folders.FolderProblem(uploads) is { } problem)
        {
            throw AutomationValidationException.For("automation", $"{automation.Name} cannot take files now: its uploads folder {uploads} cannot be used, as {problem}");
        }

        // Files that cannot be decided now (paused, or a Draft given work by anyone but an Admin) wait in the held folder.
        var target = HeldBecause(automation, actor) is null ? uploads : UploadFolders.Held(uploads);
        Directory.CreateDirectory(target);
        var staging = Path.Combine(uploads, ".incoming");
        Directory.CreateDirectory(staging);
        RemoveAbandonedParts(staging, time.GetUtcNow().UtcDateTime);

        var results = new IntakeFileResult?[files.Count];
        var saved = new List<(int Index, string Key)>();

        // Files given together are decided in the order given: the uploads folder is read oldest first, so each file
        // is stamped a moment after the one before it (a file system's clock may give files written together one time).
        var stamp = time.GetUtcNow().UtcDateTime.AddMilliseconds(-files.Count - 1);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var name = FileNames.Safe(file.FileName);
            var temp = Path.Combine(staging, $"{Guid.NewGuid():N}.part");
            try
            {
                var (length, key) = await CopyLimitedAsync(file.Content, temp, maxFileBytes, cancellationToken);
                if (length > maxFileBytes)
                {
                    File.Delete(temp);
                    results[i] = Refused(name, $"{name} is larger than this automation's limit of {FileSizes.Above(length, maxFileBytes).Limit} (maxFileBytes); it was not taken.");
                    continue;
                }

                if (length == 0)
                {
                    File.Delete(temp);
                    results[i] = Refused(name, $"{name} is empty.");
                    continue;
                }

                File.SetLastWriteTimeUtc(temp, stamp.AddMilliseconds(i));
                File.Move(temp, InboxFolder.FreeName(Path.Combine(target, name)));
                saved.Add((i, key));
            }
            catch (IOException e)
            {
                results[i] = Refused(name, $"{name} could not be stored: {e.Message}");
            }
        }

        if (saved.Count == 0)
        {
            return new IntakeResponse(null, null, results.Select(r => r!).ToList());
        }

        // Paused decides nothing; nor does a Draft but for an Admin's test. The files are kept and wait for the resume.
        // The state is read again now the files are stored: a resume while they arrived lets them be decided at once.
        var current = await db.Set<Automation>().AsNoTracking().FirstAsync(a => a.Id == automation.Id, cancellationToken);
        if (HeldBecause(current, actor) is { } held)
        {
            foreach (var (index, _) in saved)
            {
                results[index] = Held(FileNames.Safe(files[index].FileName), held);
            }

            return new IntakeResponse(null, null, results.Select(r => r!).ToList()) { Held = $"held: {held}" };
        }

        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Upload, QueuedAt = time.GetUtcNow().UtcDateTime, RequestedBy = actor.Name };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        // Listening before the trigger, so an end that comes at once is not missed.
        var ended = completions.WhenEnded(run.Id);
        (RunStatus? Status, RunMode Mode) outcome;
        try
        {
            await scheduler.TriggerNowAsync(automation.Id, run.Id, cancellationToken);
            outcome = await WaitAsync(run.Id, ended, cancellationToken);
        }
        finally
        {
            completions.Forget(run.Id);
        }

        var (status, mode) = outcome;

        var keys = saved.Select(s => s.Key).Distinct().ToList();
        var lane = mode.Lane();
        var items = await db.Set<WorkItem>().AsNoTracking()
            .Where(w => w.AutomationId == automation.Id && w.Lane == lane && keys.Contains(w.SourceKey))
            .Select(w => new { w.Id, w.SourceKey, w.Status, w.ReasonCodes, w.Error })
            .ToListAsync(cancellationToken);
        var byKey = items.ToDictionary(w => w.SourceKey, StringComparer.Ordinal);
        // Paused while the files waited for their run (or while it went): those not read yet are held for the resume.
        var pausedSince = byKey.Count < keys.Count ? await db.Set<Automation>().AsNoTracking().Where(a => a.Id == automation.Id).FirstAsync(cancellationToken) : null;
        var heldSince = pausedSince is { IsPaused: true } ? $"the automation is paused ({pausedSince.PauseDescription}); it is processed when the automation is resumed" : null;
        foreach (var (index, key) in saved)
        {
            var name = FileNames.Safe(files[index].FileName);
            results[index] = byKey.TryGetValue(key, out var item)
                ? new IntakeFileResult(name, item.Id, item.Status, item.ReasonCodes.Split(' ', StringSplitOptions.RemoveEmptyEntries), item.Status == WorkItemStatus.Quarantined ? item.Error : null)
                : heldSince is not null ? Held(name, heldSince)
                : new IntakeFileResult(name, null, null, [], status is null
                    ? $"{name} is stored and waits for the automation's current run to finish; see run {run.Id}."
                    : $"{name} is stored but the run ended ({status}) before reading it; the next run will.");
        }

        return new IntakeResponse(run.Id, status, results.Select(r => r!).ToList()) { Held = heldSince is null ? null : $"held: {heldSince}" };
    }

    private async Task<(Automation Automation, IAcceptsUploads Kind, object Settings)> SettingsAsync(Guid automationId, CancellationToken cancellationToken)
    {
        var automation = await db.Set<Automation>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == automationId, cancellationToken)
            ?? throw new AutomationNotFoundException(automationId);
        var kind = catalog.Get(automation.Kind);
        if (kind is not IAcceptsUploads uploads)
        {
            throw AutomationValidationException.For("automation", $"{automation.Name} is a {kind.DisplayName} automation, which reads its own source and does not take files.");
        }

        return (automation, uploads, KindSettings.Read(kind, automation.Settings));
    }

    /// <summary>How often a waiting upload looks at the database, for a run that ends on another node.</summary>
    private static readonly TimeSpan LookAgain = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The run's status once it has ended (null if it is still going after <see cref="WaitForRun"/>), and its mode. The
    /// engine's signal answers at once; the database is read only now and then, for a run another node ran.
    /// </summary>
    private async Task<(RunStatus? Status, RunMode Mode)> WaitAsync(Guid runId, Task<RunStatus> ended, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + WaitForRun;
        while (true)
        {
            var left = until - time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                await Task.WhenAny(ended, Task.Delay(left < LookAgain ? left : LookAgain, time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }

            var run = await db.Set<AutomationRun>().AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Status, r.Mode }).FirstAsync(cancellationToken);
            if (run.Status is not (RunStatus.Queued or RunStatus.Running))
            {
                return (run.Status, run.Mode);
            }

            if (time.GetUtcNow() >= until)
            {
                return (null, run.Mode);
            }
        }
    }

    private static async Task<(long Length, string Key)> CopyLimitedAsync(Stream source, string target, long maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        await using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    return (length, "");
                }

                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await output.FlushAsync(cancellationToken);
        }

        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Parts of uploads cut off by a stop (never complete, never read) are removed after a day.</summary>
    private static void RemoveAbandonedParts(string staging, DateTime now)
    {
        foreach (var part in new DirectoryInfo(staging).EnumerateFiles("*.part").Where(f => f.LastWriteTimeUtc < now.AddDays(-1)))
        {
            try
            {
                part.Delete();
            }
            catch (IOException)
            {
                // In use or gone: the next upload tries again.
            }
        }
    }

    private static IntakeFileResult Refused(string name, string error) => new(name, null, null, [], error);

    private static IntakeFileResult Held(string name, string because) => new(name, null, null, [], null) { Held = $"held: {because}" };

    /// <summary>Why files given now must wait instead of being decided, or null when a run may decide them now.</summary>
    private static string? HeldBecause(Automation automation, Actor actor) =>
        automation.IsPaused ? $"the automation is paused ({automation.PauseDescription}); the files are kept and processed when it is resumed"
        : automation.State == AutomationState.Draft && !actor.Has(Role.Admin) ? "the automation is a Draft, not switched on yet; the files are kept and processed once an Admin switches it on"
        : null;
}
