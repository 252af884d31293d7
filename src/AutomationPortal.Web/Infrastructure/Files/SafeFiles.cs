using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AutomationPortal.Web.Infrastructure.Files;

/// <summary>
/// Files are read only where the portal put them: never through a symbolic link (or any reparse point), and folders
/// are judged by their real path, links resolved, not by the text of the path.
/// </summary>
public static class SafeFiles
{
    /// <summary>How many links one path may pass through before it is refused (as the kernel's own limit).</summary>
    private const int MaxLinks = 40;

    /// <summary>A symbolic link or another reparse point, judged on the entry itself (never its target).</summary>
    public static bool IsLink(FileSystemInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.Refresh();
        return entry.LinkTarget is not null || (entry.Exists && entry.Attributes.HasFlag(FileAttributes.ReparsePoint));
    }

    /// <summary>
    /// The real path: every symbolic link on the way resolved. Parts that do not exist yet (a folder still to be
    /// created) are taken as written below the deepest part that exists.
    /// </summary>
    public static string RealPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // Not GetFullPath: it folds ".." as text, where the system applies ".." after following the links before it.
        return Resolve(Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path), 0);
    }

    private static string Resolve(string full, int depth)
    {
        if (depth > MaxLinks)
        {
            throw new IOException($"{full} passes through more than {MaxLinks} symbolic links.");
        }

        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == ".")
            {
                continue;
            }

            if (parts[i] == "..")
            {
                current = Path.GetDirectoryName(current.TrimEnd(Path.DirectorySeparatorChar)) ?? root;
                continue;
            }

            var next = Path.Combine(current, parts[i]);
            FileSystemInfo entry = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (entry.LinkTarget is { } target)
            {
                var resolved = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
                var rest = string.Join(Path.DirectorySeparatorChar, parts[(i + 1)..]);
                return Resolve(rest.Length == 0 ? resolved : Path.Combine(resolved, rest), depth + 1);
            }

            current = next;
        }

        return current;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies inside it, both as given (resolve them first).</summary>
    public static bool IsUnder(string path, string folder)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(folder);
        var normalFolder = folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return (path.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).StartsWith(normalFolder, StringComparison.Ordinal);
    }

    /// <summary>
    /// Opens a regular file for reading without following a link at its last part (O_NOFOLLOW), and without blocking
    /// on a pipe. Throws <see cref="NotARegularFileException"/> for a link, a pipe or anything else that is no plain file.
    /// </summary>
    public static FileStream OpenRead(string path, int bufferSize = 81920)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            var fd = NativeMethods.Open(path, NativeMethods.ReadOnlyNoFollowNonBlocking);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == NativeMethods.ELOOP || (OperatingSystem.IsFreeBSD() && errno == 31))
                {
                    throw new NotARegularFileException($"{Path.GetFileName(path)} is a symbolic link; links are not followed.");
                }

                if (errno == NativeMethods.ENOENT)
                {
                    throw new FileNotFoundException($"{Path.GetFileName(path)} is gone.", path);
                }

                throw new IOException($"{Path.GetFileName(path)} could not be opened (error {errno}).");
            }

            stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize);
        }
        else
        {
            if (IsLink(new FileInfo(path)))
            {
                throw new NotARegularFileException($"{Path.GetFileName(path)} is a link; links are not followed.");
            }

            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize);
        }

        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new NotARegularFileException($"{Path.GetFileName(path)} is not a plain file (a pipe or a device).");
        }

        return stream;
    }

    /// <summary>Reads a whole regular file without following links.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        using var stream = OpenRead(path);
        var length = stream.Length;
        if (length > Array.MaxLength)
        {
            throw new IOException($"{Path.GetFileName(path)} is too large to read whole.");
        }

        var content = new byte[length];
        stream.ReadExactly(content);

        // Grown while read: the caller compares lengths and waits for the next pass.
        return stream.ReadByte() < 0 ? content : [.. content, .. ReadRest(stream)];
    }

    private static byte[] ReadRest(FileStream stream)
    {
        using var rest = new MemoryStream();
        stream.CopyTo(rest);
        return rest.ToArray();
    }

    /// <summary>
    /// Moves a file by a rename only when it is no plain file (a link, a pipe: the entry itself moves, never what it
    /// points at); a plain file crossing drives is copied without following links, checked, then the original removed.
    /// </summary>
    public static void Move(string source, string target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            File.Move(source, target, overwrite: true);
            return;
        }

        if (NativeMethods.Rename(source, target) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == NativeMethods.ENOENT)
        {
            throw new FileNotFoundException($"{Path.GetFileName(source)} is gone.", source);
        }

        if (errno != NativeMethods.EXDEV)
        {
            throw new IOException($"{Path.GetFileName(source)} could not be moved (error {errno}).");
        }

        // Another drive: only a plain file is copied (opened without following a link), under a temporary name.
        var part = target + ".part";
        try
        {
            using (var input = OpenRead(source))
            using (var output = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                input.CopyTo(output);
                output.Flush(flushToDisk: true);
                if (output.Length != input.Length)
                {
                    throw new IOException($"{Path.GetFileName(source)} changed while it was copied.");
                }
            }

            File.Move(part, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(part);
            }
            catch (IOException)
            {
                // Nothing more to do: the original is intact.
            }

            throw;
        }

        File.Delete(source);
    }

    private static class NativeMethods
    {
        public static readonly int ELOOP = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 62 : 40;
        public const int ENOENT = 2;
        public const int EXDEV = 18;

        private const int ReadOnly = 0;

        // O_NOFOLLOW and O_NONBLOCK differ between platforms; O_CLOEXEC keeps the descriptor from child processes.
        public static readonly int ReadOnlyNoFollowNonBlocking = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()
            ? ReadOnly | 0x0100 | 0x0004 | (OperatingSystem.IsMacOS() ? 0x1000000 : 0x100000)
            : RuntimeInformation.OSArchitecture is Architecture.Arm or Architecture.Arm64
                ? ReadOnly | 0x8000 | 0x800 | 0x80000
                : ReadOnly | 0x20000 | 0x800 | 0x80000;

        [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "rename", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string source, [MarshalAs(UnmanagedType.LPUTF8Str)] string target);
    }
}

/// <summary>An entry that is not a plain file (a link, a pipe, a device): never read, quarantined with the reason.</summary>
public sealed class NotARegularFileException(string message) : IOException(message);
