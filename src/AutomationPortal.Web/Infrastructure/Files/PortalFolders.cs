namespace AutomationPortal.Web.Infrastructure.Files;

/// <summary>
/// Where automations may read and write, judged by real paths (links resolved): under an allowed root, and never
/// the portal's own data (the database files, the sign-in keys, logs) nor a folder that holds them.
/// </summary>
public sealed class PortalFolders(IReadOnlyList<string> allowedRoots, string dataFolder)
{
    /// <summary>The data folder's own entries that no automation may name, read or serve.</summary>
    private static readonly string[] OwnFolders = ["keys", "logs"];

    public IReadOnlyList<string> AllowedRoots { get; } = allowedRoots;

    public string DataFolder { get; } = dataFolder;

    /// <summary>Why a folder may not be used by an automation, or null when it may.</summary>
    public string? FolderProblem(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string real;
        try
        {
            real = SafeFiles.RealPath(folder);
        }
        catch (IOException e)
        {
            return e.Message;
        }

        var data = SafeFiles.RealPath(DataFolder);
        if (!AllowedRoots.Any(root => SafeFiles.IsUnder(real, SafeFiles.RealPath(root))))
        {
            return real == Path.GetFullPath(folder)
                ? $"it is outside the folders automations may use ({string.Join(", ", AllowedRoots)}). Set Portal:Files:AllowedRoots to allow it."
                : $"it leads through a link to {real}, outside the folders automations may use ({string.Join(", ", AllowedRoots)}).";
        }

        if (SafeFiles.IsUnder(data, real))
        {
            return real == data
                ? "it is the portal's own data folder, which holds the database and the sign-in keys; use a folder inside it, such as invoices/inbox."
                : "it holds the portal's own data folder (the database and the sign-in keys); use a folder of its own.";
        }

        return OwnFolders.FirstOrDefault(own => SafeFiles.IsUnder(real, Path.Combine(data, own))) is { } ownFolder
            ? $"it is inside the portal's own '{ownFolder}' folder, which no automation may use."
            : null;
    }

    /// <summary>
    /// A stored original that may be served: a plain file (no link) whose real path lies under an allowed root, and
    /// not one of the portal's own files. Null otherwise.
    /// </summary>
    public string? ServableFile(string? path)
    {
        if (path is null || !Path.IsPathFullyQualified(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var file = new FileInfo(path);
        if (!file.Exists || SafeFiles.IsLink(file) || file.Directory is null)
        {
            return null;
        }

        string folder;
        try
        {
            folder = SafeFiles.RealPath(file.Directory.FullName);
        }
        catch (IOException)
        {
            return null;
        }

        var data = SafeFiles.RealPath(DataFolder);
        var real = Path.Combine(folder, file.Name);
        var own = (folder == data && file.Name.StartsWith("portal.db", StringComparison.Ordinal))
            || OwnFolders.Any(o => SafeFiles.IsUnder(real, Path.Combine(data, o)));
        return !own && AllowedRoots.Any(root => SafeFiles.IsUnder(real, SafeFiles.RealPath(root))) ? real : null;
    }
}
