using AutomationPortal.Web.Infrastructure.Security;

namespace AutomationPortal.Web.Features.Audit;

/// <summary>How the audit log names who acted and what changed; the API keeps the stored names.</summary>
public static class AuditLabels
{
    public static string Actor(ActorKind kind) => kind switch
    {
        ActorKind.User => "Person",
        ActorKind.ApiKey => "API key",
        ActorKind.System => "The portal",
        _ => "Not signed in",
    };

    public static string Subject(string entityType) => entityType switch
    {
        "ApiKey" => "API key",
        "UserRole" => "User role",
        _ => entityType,
    };

    /// <summary>The verb of a run's entry: asking for a run creates it.</summary>
    public static string RunChange(AuditAction action) => action == AuditAction.Created ? "requested" : action.ToString().ToLowerInvariant();
}
