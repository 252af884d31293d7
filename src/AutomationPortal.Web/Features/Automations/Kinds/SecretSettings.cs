using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;

namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>Marks a setting that is a secret: stored encrypted, shown masked, never returned by the API.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretSettingAttribute : Attribute;

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

    /// <summary>The settings as they are stored: new secrets encrypted, masked ones kept from <paramref name="stored"/>.</summary>
    public void Protect(object settings, object? stored)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var property in SecretsOf(settings.GetType()))
        {
            var value = (string?)property.GetValue(settings);
            var before = stored is null ? null : (string?)property.GetValue(stored);
            property.SetValue(settings, value switch
            {
                null or Mask => before,
                "" => null,
                _ when value.StartsWith(Prefix, StringComparison.Ordinal) => before,
                _ => Prefix + _protector.Protect(value),
            });
        }
    }

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
