using System.Text.Json;

namespace AutomationPortal.Web.Features.Audit;

public sealed record AuditChange(string Field, string Before, string After);

/// <summary>Reads an audit entry's stored before/after JSON back into rows for people.</summary>
public static class AuditChanges
{
    public static IReadOnlyList<AuditChange> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateObject()
                .Select(p => new AuditChange(p.Name, Show(p.Value, "before"), Show(p.Value, "after")))
                .ToList();
        }
        catch (JsonException)
        {
            return [new AuditChange("(unreadable)", json, "")];
        }
    }

    private static string Show(JsonElement change, string side) =>
        change.ValueKind == JsonValueKind.Object && change.TryGetProperty(side, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => "—",
                JsonValueKind.String => value.GetString() ?? "—",
                _ => value.GetRawText(),
            }
            : "—";
}
