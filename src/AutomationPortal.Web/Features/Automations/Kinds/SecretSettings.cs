using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;

namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>Marks a setting that is a secret: stored encrypted, shown masked, never returned by the API.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretSettingAttribute : Attribute
{
    /// <summary>
    /// The address setting the secret is for: when its host changes, the stored secret is not carried over (it would
    /// go to the new host); it must be entered again.
    /// </summary>
    public string? BoundTo { get; init; }
}

/// <summary>
/// Keeps secret settings (a webhook's header secret) out of sight: encrypted with ASP.NET Data Protection when saved,
/// replaced by <see cref="Mask"/> whenever settings are shown or sent, and decrypted only for a run. Sending the mask
/// back (or leaving the field out) keeps the stored secret; an empty value removes it.
/// </summary>
public sealed class SecretSettings(IDataProtectionProvider protection)
{
    public const string Mask = "••••••••";

    private const string Prefix = "protected:";

    private readonly IDataProtector _protector = protection.CreateProtector("AutomationPortal.Automations.SecretSettings");

    private static IEnumerable<PropertyInfo> SecretsOf(Type settingsType) =>
        settingsType.GetProperties().Where(p => p.PropertyType == typeof(string) && p.GetCustomAttribute<SecretSettingAttribute>() is not null);

    /// <summary>
    /// The settings as they are stored: new secrets encrypted, masked ones kept from <paramref name="stored"/> unless the
    /// address they are for moved to another host. Returns the problems, by camelCase field.
    /// </summary>
    public IReadOnlyList<SettingsError> Protect(object settings, object? stored)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<SettingsError>();
        foreach (var property in SecretsOf(settings.GetType()))
        {
            var value = (string?)property.GetValue(settings);
            var before = stored is null ? null : (string?)property.GetValue(stored);
            var keeping = value is null or Mask || value.StartsWith(Prefix, StringComparison.Ordinal);
            if (keeping && before is not null && property.GetCustomAttribute<SecretSettingAttribute>()!.BoundTo is { } bound
                && settings.GetType().GetProperty(bound) is { } address && !SameHost((string?)address.GetValue(settings), (string?)address.GetValue(stored)))
            {
                errors.Add(new SettingsError(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name),
                    $"The address in {System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(bound)} now names another host: enter the secret again for it, or leave it empty."));
                continue;
            }

            property.SetValue(settings, value switch
            {
                null or Mask => before,
                "" => null,
                _ when value.StartsWith(Prefix, StringComparison.Ordinal) => before,
                _ => Prefix + _protector.Protect(value),
            });
        }

        return errors;
    }

    private static bool SameHost(string? now, string? before) =>
        Uri.TryCreate(now, UriKind.Absolute, out var a) && Uri.TryCreate(before, UriKind.Absolute, out var b)
            ? string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Authority, b.Authority, StringComparison.OrdinalIgnoreCase)
            : string.IsNullOrEmpty(now) && string.IsNullOrEmpty(before);

    /// <summary>The settings for a run: secrets decrypted (an unreadable one, after the keys were lost, becomes null).</summary>
    public T Reveal<T>(T settings)
        where T : notnull
    {
        foreach (var property in SecretsOf(settings.GetType()))
        {
            if ((string?)property.GetValue(settings) is { } value && value.StartsWith(Prefix, StringComparison.Ordinal))
            {
                try
                {
                    property.SetValue(settings, _protector.Unprotect(value[Prefix.Length..]));
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    property.SetValue(settings, null);
                }
            }
        }

        return settings;
    }

    /// <summary>Stored settings JSON as people and the API see it: every secret that is set shows as the mask.</summary>
    public static string Masked(IAutomationKind? kind, string json)
    {
        if (kind is null || JsonNode.Parse(json) is not JsonObject node)
        {
            return json;
        }

        foreach (var property in SecretsOf(kind.SettingsType))
        {
            var name = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (node[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
            {
                node[name] = Mask;
            }
        }

        return node.ToJsonString();
    }
}
