using System.Security.Cryptography;
using AutomationPortal.Web.Features.Automations.Kinds;

namespace AutomationPortal.Web.Infrastructure.Files;

/// <summary>A file found in a watched folder, read whole (or only measured, when it is over the size limit).</summary>
public sealed record InboxFile(string Path, string Key, ReadOnlyMemory<byte> Content, long Length, bool TooLarge)
{
    /// <summary>
    /// Set for an entry that is no plain file (a symbolic link, a pipe): it was never read, and is quarantined with
    /// this reason. The link itself is moved, never what it points at.
    /// </summary>
    public string? Refusal { get; init; }
}

/// <summary>
/// A watched folder with its archive and quarantine folders. Reads every top-level file that has settled, whatever
/// its name, and moves each one away only after its record is stored: processed files to the archive, bad ones to
/// the quarantine with <c>&lt;name&gt;.error.txt</c> beside them. Nothing is ever deleted; a name already taken
/// gets a number, as in <c>invoice (1).xml</c>.
/// </summary>
public sealed class InboxFolder(string inbox, string archive, string quarantine, TimeProvider? time = null)
{
    public string Inbox { get; } = inbox;

    public string Archive { get; } = archive;

    public string Quarantine { get; } = quarantine;

    private readonly HashSet<string> _created = new(StringComparer.Ordinal);

    /// <summary>The archive and quarantine folders beside an inbox: sibling folders of the same parent.</summary>
    public static string Beside(string inbox, string name) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(inbox).TrimEnd(Path.DirectorySeparatorChar)) ?? inbox, name);

    /// <summary>
    /// Files whose size and modification time have not changed for <paramref name="settle"/>, oldest first.
    /// A file still being written (changed within the settle time, or growing while read) waits for the next pass.
    /// The key is the SHA-256 of the content; a file above <paramref name="maxBytes"/> is hashed while streaming and
    /// not held in memory.
    /// </summary>
    public IEnumerable<InboxFile> ReadSettled(TimeSpan settle, long maxBytes, Action<string> waiting)
    {
        foreach (var info in Settled(settle, waiting))
        {
            if (Read(info, maxBytes) is { } read)
            {
                yield return read;
            }
            else
            {
                waiting($"{FileNames.Safe(info.Name)} changed while it was read; it waits for the next run.");
            }
        }
    }

    /// <summary>
    /// The top-level files that have not changed for <paramref name="settle"/>, in the order they arrived (their
    /// modification time, then name): the invoice that came first is the original, a later copy its duplicate.
    /// </summary>
    public IEnumerable<FileInfo> Settled(TimeSpan settle, Action<string> waiting, bool mustExist = true)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        if (!Directory.Exists(Inbox))
        {
            // A watched folder that is gone is a fault to report (deleted, or its drive not mounted), not an empty inbox.
            if (mustExist)
            {
                throw new DirectoryNotFoundException($"The folder {Inbox} does not exist: it was deleted, or the drive that holds it is not there. Create it again (saving the automation does) or fix its setting.");
            }

            yield break;
        }

        var settledBefore = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime - settle;
        foreach (var info in new DirectoryInfo(Inbox).EnumerateFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal))
        {
            // A link is never read, so it need not settle: it is quarantined at once.
            if (info.LastWriteTimeUtc > settledBefore && !SafeFiles.IsLink(info))
            {
                waiting($"{FileNames.Safe(info.Name)} is still being written; it waits for the next run.");
                continue;
            }

            yield return info;
        }

        if (mustExist && !Directory.Exists(Inbox))
        {
            throw new DirectoryNotFoundException($"The folder {Inbox} vanished while it was read; what was read before is stored, the rest waits for it to come back.");
        }
    }

    /// <summary>
    /// Reads a settled file whole (or, above <paramref name="maxBytes"/>, only hashes it while streaming). Returns
    /// null when the file changed or went away while it was read: the next pass sees it again.
    /// </summary>
    public static InboxFile? Read(FileInfo info, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (SafeFiles.IsLink(info))
        {
            return Refused(info, $"{FileNames.Safe(info.Name)} is a symbolic link, not a file: links are never followed, so it was not read. Put the file itself into the folder.");
        }

        var length = info.Length;
        var written = info.LastWriteTimeUtc;
        try
        {
            // Opened without following a link, so an entry swapped for one after the check above is not read either.
            // Unbuffered: the file is read whole into its own array (or hashed in the hash's own blocks), so a stream
            // buffer would only cost 80 KB per file (800 MB of garbage for 10,000 invoices).
            using var stream = SafeFiles.OpenRead(info.FullName, bufferSize: 0);
            if (length > maxBytes)
            {
                var hash = SHA256.HashData(stream);
                info.Refresh();
                return info.Length != length || info.LastWriteTimeUtc != written ? null : new InboxFile(info.FullName, Convert.ToHexStringLower(hash), ReadOnlyMemory<byte>.Empty, length, TooLarge: true);
            }

            var content = new byte[length];
            stream.ReadExactly(content);
            var grown = stream.ReadByte() >= 0;
            info.Refresh();
            return grown || info.Length != length || info.LastWriteTimeUtc != written
                ? null
                : new InboxFile(info.FullName, KeyOf(content), content, length, TooLarge: false);
        }
        catch (NotARegularFileException e)
        {
            return Refused(info, $"{e.Message} Only plain files are read; it was not read.");
        }
        catch (EndOfStreamException)
        {
            // Shrunk while read: the next pass sees it again.
            return null;
        }
        catch (IOException)
        {
            // Moved or locked by whoever writes it (FileNotFoundException is an IOException).
            return null;
        }
    }

    /// <summary>An entry that is never read: keyed by its name and time, so it is quarantined once.</summary>
    private static InboxFile Refused(FileInfo info, string reason)
    {
        var stamp = $"not-a-file:{info.Name}:{(info.Exists ? info.LastWriteTimeUtc.Ticks : 0)}";
        return new InboxFile(info.FullName, KeyOf(System.Text.Encoding.UTF8.GetBytes(stamp)), ReadOnlyMemory<byte>.Empty, 0, TooLarge: false) { Refusal = reason };
    }

    /// <summary>Moves a file out of the inbox after its record is stored; returns where it is kept now.</summary>
    public async Task<string?> MoveAsync(string file, SourceOutcome outcome, string? reason, CancellationToken cancellationToken)
    {
        var folder = outcome == SourceOutcome.Quarantined ? Quarantine : Archive;
        if (_created.Add(folder))
        {
            Directory.CreateDirectory(folder);
        }

        // Kept under a name that cannot mislead a person or a log (no line breaks, no right-to-left overrides).
        var target = FreeName(Path.Combine(folder, FileNames.Safe(Path.GetFileName(file))));
        try
        {
            // FreeName found the name free; overwrite lets the system rename in one step (the folder has one writer).
            // Across drives the system copies then deletes: a copy cut short (a full disk) is removed below.
            SafeFiles.Move(file, target);
        }
        catch (FileNotFoundException)
        {
            // Already moved: by an earlier acknowledgement of the same item, or by a person.
            return null;
        }
        catch (IOException) when (File.Exists(file))
        {
            // The original is where it was, and its record still points there; no half copy is left beside it.
            RemoveHalfCopy(file, target);
            throw;
        }

        if (outcome == SourceOutcome.Quarantined)
        {
            await WriteNoteAsync(target + ".error.txt", reason, cancellationToken);
        }

        return target;
    }

    private static void RemoveHalfCopy(string original, string target)
    {
        try
        {
            if (File.Exists(target) && new FileInfo(target).Length != new FileInfo(original).Length)
            {
                File.Delete(target);
            }
        }
        catch (IOException)
        {
            // Nothing more to do: the original and its record are intact either way.
        }
    }

    /// <summary>
    /// The reason beside a quarantined file, as a file of its own (never written through whatever may stand at that
    /// name). On a full disk the note is left out rather than left half-written: the reason is kept with the item too.
    /// </summary>
    private static async Task WriteNoteAsync(string path, string? reason, CancellationToken cancellationToken)
    {
        var note = FreeName(path);
        try
        {
            await using var writer = new FileStream(note, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            await writer.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"{reason}{Environment.NewLine}"), cancellationToken);
            await writer.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            try
            {
                File.Delete(note);
            }
            catch (IOException)
            {
                // Left as it is.
            }
        }
    }

    /// <summary>A free name for <paramref name="path"/>: the name itself, or the name with " (n)" before the extension.</summary>
    public static string FreeName(string path)
    {
        if (!Taken(path))
        {
            return path;
        }

        var stem = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path));
        var extension = Path.GetExtension(path);
        for (var n = 1; ; n++)
        {
            var candidate = $"{stem} ({n}){extension}";
            if (!Taken(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>A name is taken by any entry, a dangling link included (File.Exists follows links).</summary>
    private static bool Taken(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    /// <summary>The key of some content: its SHA-256, hex.</summary>
    public static string KeyOf(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
