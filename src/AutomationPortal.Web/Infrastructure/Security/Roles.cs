namespace AutomationPortal.Web.Infrastructure.Security;

/// <summary>The portal's roles. Stored by name in Identity and in API keys; JSON carries the name.</summary>
public enum Role
{
    Admin,
    Manager,
    Agent,
}

public static class Roles
{
    public const string Admin = nameof(Role.Admin);
    public const string Manager = nameof(Role.Manager);
    public const string Agent = nameof(Role.Agent);

    public static IReadOnlyList<Role> All { get; } = Enum.GetValues<Role>();
}

/// <summary>
/// Authorisation policies, enforced on the server for pages ([Authorize(Policy = …)]) and endpoints.
/// Each is inclusive upwards: an Admin may do whatever a Manager may, a Manager whatever an Agent may.
/// </summary>
public static class Policies
{
    /// <summary>Admins only: users, API keys, audit, integrations, switching automations.</summary>
    public const string Admin = "RequireAdmin";

    /// <summary>Managers and Admins: ROI, baselines, opportunities.</summary>
    public const string Manager = "RequireManager";

    /// <summary>Anyone with a portal role: escalations, read-only views.</summary>
    public const string Agent = "RequireAgent";

    public static void Configure(Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder)
    {
        builder
            .AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Manager, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Manager))
            .AddPolicy(Agent, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Manager, Roles.Agent))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }
}
