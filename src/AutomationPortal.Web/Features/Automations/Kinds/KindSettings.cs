using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>Reads and writes a kind's settings as camelCase JSON and checks them, naming each bad field.</summary>
public static class KindSettings
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>Binds settings JSON (missing fields take their defaults) or returns the problems, by field.</summary>
    public static (object? Settings, IReadOnlyList<SettingsError> Errors) Bind(IAutomationKind kind, string? json, KindValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(kind);
        object? settings;
        try
        {
            settings = string.IsNullOrWhiteSpace(json)
                ? Activator.CreateInstance(kind.SettingsType)
                : JsonSerializer.Deserialize(json, kind.SettingsType, Json);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "settings" : "settings." + e.Path.TrimStart('$', '.');
            var message = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? "This setting does not exist for this kind."
                : $"Not a valid value here: {FirstSentence(e.Message)}";
            return (null, [new SettingsError(field, message)]);
        }

        if (settings is null)
        {
            return (null, [new SettingsError("settings", "Settings must be a JSON object.")]);
        }

        var errors = new List<SettingsError>();
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
        foreach (var result in results)
        {
            foreach (var member in result.MemberNames.DefaultIfEmpty(""))
            {
                errors.Add(new SettingsError(member.Length == 0 ? "settings" : "settings." + JsonNamingPolicy.CamelCase.ConvertName(member), result.ErrorMessage ?? "Invalid."));
            }
        }

        errors.AddRange(kind.Validate(settings, context).Select(e => e with { Field = e.Field.StartsWith("settings", StringComparison.Ordinal) ? e.Field : "settings." + e.Field }));
        return errors.Count == 0 ? (settings, []) : (null, errors);
    }

    public static string Serialize(object settings) => JsonSerializer.Serialize(settings, settings.GetType(), Json);

    /// <summary>Reads stored settings, which were validated when they were saved.</summary>
    public static object Read(IAutomationKind kind, string json) =>
        JsonSerializer.Deserialize(json, kind.SettingsType, Json) ?? Activator.CreateInstance(kind.SettingsType)!;

    /// <summary>The kind's defaults, as JSON: what a new automation of the kind starts with.</summary>
    public static string Defaults(IAutomationKind kind) =>
        JsonSerializer.Serialize(Activator.CreateInstance(kind.SettingsType), kind.SettingsType, Indented);

    private static readonly JsonSerializerOptions Indented = new(Json) { WriteIndented = true };

    /// <summary>
    /// Resolves a folder setting: relative paths are under the data folder; every path must lie under an allowed root.
    /// Returns null and adds an error otherwise.
    /// </summary>
    public static string? ResolveFolder(string field, string value, KindValidationContext context, List<SettingsError> errors)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new SettingsError(field, "A folder is required."));
            return null;
        }

        if (value.Contains('\0', StringComparison.Ordinal) || value.Any(c => c is '\r' or '\n'))
        {
            errors.Add(new SettingsError(field, "A folder name cannot hold control characters (NUL or line breaks)."));
            return null;
        }

        var full = FullPath(value, context.DataFolder);
        if (new Infrastructure.Files.PortalFolders(context.AllowedRoots, context.DataFolder).FolderProblem(full) is { } problem)
        {
            errors.Add(new SettingsError(field, $"'{value}' cannot be used: {problem}"));
            return null;
        }

        return full;
    }

    public static string FullPath(string value, string dataFolder) =>
        Path.GetFullPath(Path.IsPathRooted(value) ? value : Path.Combine(dataFolder, value));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
