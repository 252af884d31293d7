using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>Marks a string setting that names a folder on the portal's machine (resolved against the data folder).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FolderSettingAttribute : Attribute;

/// <summary>How a setting is edited on the settings form.</summary>
public enum SettingInput
{
    Text,
    Folder,
    Secret,
    Switch,
    Number,
    WholeNumber,
    /// <summary>Amounts by ISO 4217 currency code, as a table of rows.</summary>
    AmountsByCurrency,
    Choice,
    /// <summary>Anything else, edited as JSON.</summary>
    Json,
}

/// <summary>
/// One setting as the form shows it: its camelCase name (the API's and the error's field), label, help text, how it is
/// edited, its default and its range.
/// </summary>
public sealed record SettingField(
    string Name,
    string Label,
    string? Help,
    SettingInput Input,
    object? Default,
    decimal? Min,
    decimal? Max,
    IReadOnlyList<string> Choices,
    bool Optional);

/// <summary>
/// Describes a kind's typed settings class for the settings form: each public property with its
/// <see cref="DisplayAttribute"/> (label and help), <see cref="RangeAttribute"/>, default (from a new instance),
/// <see cref="FolderSettingAttribute"/> and <see cref="SecretSettingAttribute"/>. A property without a label is named
/// after itself ("reviewThreshold": "Review threshold").
/// </summary>
public static class SettingsDescription
{
    public static IReadOnlyList<SettingField> Of(Type settingsType)
    {
        ArgumentNullException.ThrowIfNull(settingsType);
        var defaults = Activator.CreateInstance(settingsType);
        return settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p is { CanRead: true, CanWrite: true })
            .Select(p => Field(p, defaults))
            .ToList();
    }

    private static SettingField Field(PropertyInfo property, object? defaults)
    {
        var display = property.GetCustomAttribute<DisplayAttribute>();
        var range = property.GetCustomAttribute<RangeAttribute>();
        var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var optional = Nullable.GetUnderlyingType(property.PropertyType) is not null
            || (!type.IsValueType && new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable);
        var input = property.GetCustomAttribute<SecretSettingAttribute>() is not null ? SettingInput.Secret
            : property.GetCustomAttribute<FolderSettingAttribute>() is not null ? SettingInput.Folder
            : type == typeof(string) ? SettingInput.Text
            : type == typeof(bool) ? SettingInput.Switch
            : type == typeof(decimal) || type == typeof(double) ? SettingInput.Number
            : type == typeof(int) || type == typeof(long) ? SettingInput.WholeNumber
            : type.IsEnum ? SettingInput.Choice
            : typeof(IDictionary<string, decimal>).IsAssignableFrom(type) ? SettingInput.AmountsByCurrency
            : SettingInput.Json;
        return new SettingField(
            name,
            display?.GetName() ?? Humanise(property.Name),
            display?.GetDescription(),
            input,
            defaults is null ? null : property.GetValue(defaults),
            Bound(range?.Minimum),
            Bound(range?.Maximum),
            type.IsEnum ? Enum.GetNames(type) : [],
            optional);
    }

    private static decimal? Bound(object? value) =>
        value is null ? null : decimal.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) ? bound : null;

    /// <summary>"ReviewThreshold" → "Review threshold".</summary>
    private static string Humanise(string name)
    {
        var words = new List<string>();
        var start = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            if (i == name.Length || (char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])))
            {
                words.Add(name[start..i]);
                start = i;
            }
        }

        return string.Join(' ', words.Select((w, i) => i == 0 ? w : w.ToLowerInvariant()));
    }
}
