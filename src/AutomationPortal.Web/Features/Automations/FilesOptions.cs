namespace AutomationPortal.Web.Features.Automations;

/// <summary>Which folders automations may read and write.</summary>
public sealed class FilesOptions
{
    public const string Section = "Portal:Files";

    /// <summary>Every folder setting must lie under one of these; empty means the data folder only.</summary>
    public List<string> AllowedRoots { get; set; } = [];

    public IReadOnlyList<string> AllowedRootsOrDefault(string dataFolder) =>
        AllowedRoots.Count == 0 ? [dataFolder] : AllowedRoots.Select(r => Path.GetFullPath(Path.IsPathRooted(r) ? r : Path.Combine(dataFolder, r))).ToList();
}
