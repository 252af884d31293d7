using System.Security.Claims;
using AutomationPortal.Web.Infrastructure.Domain;
using Microsoft.AspNetCore.Components.Authorization;

namespace AutomationPortal.Web.Infrastructure.Security;

public enum ActorKind
{
    User,
    ApiKey,
    System,
    Anonymous,
}

/// <summary>Who is acting: a signed-in person, an API key, or the portal itself.</summary>
public sealed record Actor(ActorKind Kind, Guid? Id, string Name)
{
    /// <summary>The portal roles of a person or key; the portal itself acts with every role.</summary>
    public IReadOnlyList<Role> Roles { get; init; } = [];

    public static Actor System(string what) => new(ActorKind.System, null, what) { Roles = Security.Roles.All };

    public static Actor Anonymous { get; } = new(ActorKind.Anonymous, null, "anonymous");

    public bool IsPerson => Kind is ActorKind.User or ActorKind.ApiKey;

    public bool Has(Role role) => Roles.Contains(role);

    /// <summary>Refuses the call unless the actor is an Admin: the server-side check behind every control.</summary>
    public void RequireAdmin(string what)
    {
        if (!Has(Role.Admin))
        {
            throw new ForbiddenException($"Only an Admin may {what}.");
        }
    }

    /// <summary>Whether the actor may work the escalation queue and decide items: an Agent, a Manager or an Admin.</summary>
    public bool HandlesItems => Has(Role.Agent) || Has(Role.Manager) || Has(Role.Admin);

    /// <summary>Refuses the call unless the actor is an Agent, a Manager or an Admin; <paramref name="message"/> says what they may not do.</summary>
    public Actor RequireItemHandler(string message)
    {
        if (!HandlesItems)
        {
            throw new ForbiddenException(message);
        }

        return this;
    }

    public static Actor FromPrincipal(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return Anonymous;
        }

        var kind = principal.HasClaim(c => c.Type == PortalClaims.AuthKind && c.Value == PortalClaims.ApiKeyAuth)
            ? ActorKind.ApiKey
            : ActorKind.User;
        var id = Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var parsed) ? parsed : (Guid?)null;
        var name = principal.Identity.Name ?? "unknown";
        var roles = Security.Roles.All.Where(r => principal.IsInRole(r.ToString())).ToList();
        return new Actor(kind, id, kind == ActorKind.ApiKey ? $"api-key:{name}" : name) { Roles = roles };
    }
}

public static class PortalClaims
{
    public const string AuthKind = "portal:auth";
    public const string ApiKeyAuth = "api-key";
}

/// <summary>
/// Resolves the acting party for audit records, wherever the work happens: a Blazor circuit,
/// an HTTP request, or background work that named itself with <see cref="UseSystem"/>.
/// </summary>
public sealed class CurrentActor(IServiceProvider services, IHttpContextAccessor httpContextAccessor)
{
    private Actor? _override;

    /// <summary>Marks the work done in this scope as the portal's own (start-up, jobs).</summary>
    public void UseSystem(string what) => _override = Actor.System(what);

    /// <summary>Names the actor for work done in a scope of its own, such as a component's unit of work.</summary>
    public void Use(Actor actor) => _override = actor;

    public async Task<Actor> GetAsync()
    {
        if (_override is not null)
        {
            return _override;
        }

        // In a Blazor circuit the authentication state provider knows the user; outside one it throws.
        var stateProvider = services.GetService<AuthenticationStateProvider>();
        if (stateProvider is not null)
        {
            try
            {
                var state = await stateProvider.GetAuthenticationStateAsync();
                if (state.User.Identity?.IsAuthenticated == true)
                {
                    return Actor.FromPrincipal(state.User);
                }
            }
            catch (InvalidOperationException)
            {
                // Not in a component scope: fall through to the HTTP request.
            }
        }

        var user = httpContextAccessor.HttpContext?.User;
        return user is null ? Actor.System("portal") : Actor.FromPrincipal(user);
    }
}

/// <summary>
/// Gives a component a fresh service scope (its own DbContext and Identity managers) per unit of work,
/// acting as the signed-in user of the circuit, so audit records name the person.
/// </summary>
public sealed class UnitOfWorkFactory(IServiceScopeFactory scopes, AuthenticationStateProvider authenticationState)
{
    public async Task<AsyncServiceScope> BeginAsync()
    {
        var state = await authenticationState.GetAuthenticationStateAsync();
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Actor.FromPrincipal(state.User));
        return scope;
    }
}
