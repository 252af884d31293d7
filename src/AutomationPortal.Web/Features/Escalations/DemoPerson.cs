using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Escalations;

/// <summary>A demo account acting in the demo's stories, as it would when signed in: its id, its name and its role.</summary>
public static class DemoPerson
{
    public static async Task<Actor?> FindAsync(IServiceProvider services, string email, Role role)
    {
        ArgumentNullException.ThrowIfNull(services);
        var db = services.GetRequiredService<Infrastructure.Data.PortalDbContext>();
        var normalised = email.ToUpperInvariant();
        var user = await db.Set<PortalUser>().AsNoTracking().Where(u => u.NormalizedEmail == normalised && u.DeactivatedAt == null)
            .Select(u => new { u.Id, u.UserName }).FirstOrDefaultAsync();
        return user is null ? null : new Actor(ActorKind.User, user.Id, user.UserName ?? email) { Roles = [role] };
    }

    /// <summary>A scope whose work is done as <paramref name="actor"/>: audited, and in the timeline, under their name.</summary>
    public static AsyncServiceScope Scope(IServiceScopeFactory scopes, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(actor);
        return scope;
    }
}
