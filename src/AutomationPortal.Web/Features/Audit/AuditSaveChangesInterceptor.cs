using System.Text.Json;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AutomationPortal.Web.Features.Audit;

/// <summary>
/// The one place that stamps rows before they are saved: UTC timestamps from <see cref="TimeProvider"/>,
/// the optimistic-concurrency <see cref="IVersioned.Version"/>, and an audit entry with the values
/// before and after for every audited change, in the same transaction as the change itself.
/// </summary>
public sealed class AuditSaveChangesInterceptor(CurrentActor currentActor, TimeProvider time) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        // Synchronous saves come from Identity internals and start-up; the actor is resolved without blocking on a circuit.
        Stamp(eventData.Context, currentActor.GetAsync().GetAwaiter().GetResult());
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context, await currentActor.GetAsync());
        return result;
    }

    private void Stamp(DbContext? context, Actor actor)
    {
        if (context is null)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        context.ChangeTracker.DetectChanges();
        var entries = new List<AuditEntry>();
        foreach (var entry in context.ChangeTracker.Entries().ToList())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            StampRow(entry, now);
            var audit = AuditRules.Describe(entry, context, actor, now);
            if (audit is not null)
            {
                entries.Add(audit);
            }
        }

        context.AddRange(entries);
    }

    private static void StampRow(EntityEntry entry, DateTime now)
    {
        // A change to an owned value (an automation's guardrails) is a change of its owner: it raises the owner's version.
        if (entry.State == EntityState.Modified && entry.Metadata.FindOwnership() is { } ownership)
        {
            var owner = entry.Context.ChangeTracker.Entries()
                .FirstOrDefault(e => e.Metadata == ownership.PrincipalEntityType && e.References.Any(r => ReferenceEquals(r.CurrentValue, entry.Entity)));
            if (owner is { State: EntityState.Unchanged, Entity: IVersioned })
            {
                var version = owner.Property(nameof(IVersioned.Version));
                version.CurrentValue = (long)version.OriginalValue! + 1;
                if (owner.Entity is ITimestamped)
                {
                    owner.Property(nameof(ITimestamped.UpdatedAt)).CurrentValue = now;
                }
            }
        }

        if (entry.Entity is ITimestamped stamped)
        {
            if (entry.State == EntityState.Added)
            {
                stamped.CreatedAt = now;
            }

            stamped.UpdatedAt = now;
        }

        if (entry.Entity is IVersioned versioned)
        {
            if (entry.State == EntityState.Added)
            {
                versioned.Version = 1;
            }
            else if (entry.State == EntityState.Modified)
            {
                // The original value stays what the editor saw, so a concurrent change makes this update fail.
                var property = entry.Property(nameof(IVersioned.Version));
                versioned.Version = (long)property.OriginalValue! + 1;
            }
        }
    }
}

/// <summary>What gets audited and how each change reads.</summary>
internal static class AuditRules
{
    private static readonly HashSet<string> Secret = new(StringComparer.Ordinal)
    {
        "PasswordHash", "SecurityStamp", "KeyHash",
    };

    private static readonly HashSet<string> Noise = new(StringComparer.Ordinal)
    {
        "ConcurrencyStamp", "NormalizedEmail", "NormalizedUserName", "NormalizedName", "LastUsedAt", "UpdatedAt", "Version",
    };

    public static AuditEntry? Describe(EntityEntry entry, DbContext context, Actor actor, DateTime now)
    {
        var entity = entry.Entity;
        if (entity is AuditEntry || entity.GetType().Name.StartsWith("IdentityUserToken", StringComparison.Ordinal)
            || (entity is IEngineRecord && !actor.IsPerson))
        {
            return null;
        }

        // Owned values (an automation's guardrails) are part of their owner: created with it, changed as it.
        if (entry.Metadata.IsOwned() && entry.State != EntityState.Modified)
        {
            return null;
        }

        var changes = new Dictionary<string, object?>();
        foreach (var property in entry.Properties)
        {
            var name = property.Metadata.Name;
            if (Noise.Contains(name))
            {
                continue;
            }

            var before = entry.State == EntityState.Added ? null : property.OriginalValue;
            var after = entry.State == EntityState.Deleted ? null : property.CurrentValue;
            if (entry.State == EntityState.Modified && (!property.IsModified || Equals(before, after)))
            {
                continue;
            }

            if (Secret.Contains(name))
            {
                changes[name] = new { before = before is null ? null : "(secret)", after = after is null ? null : "(secret, changed)" };
            }
            else
            {
                changes[name] = new { before, after };
            }
        }

        if (entry.State == EntityState.Modified && changes.Count == 0)
        {
            return null;
        }

        var action = entry.State switch
        {
            EntityState.Added => AuditAction.Created,
            EntityState.Deleted => AuditAction.Deleted,
            _ => AuditAction.Updated,
        };
        var (type, id, summary) = Name(entry, context, action, changes.Keys, actor);
        return new AuditEntry
        {
            At = now,
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = action,
            EntityType = type,
            EntityId = id,
            Summary = summary.Length > 1000 ? summary[..1000] : summary,
            Changes = JsonSerializer.Serialize(changes),
        };
    }

    private static string AutomationChange(Automations.Model.Automation automation, ICollection<string> changed)
    {
        string[] stateFields =
        [
            nameof(Automations.Model.Automation.State), nameof(Automations.Model.Automation.StateBeforePause), nameof(Automations.Model.Automation.ResumedAt),
            nameof(Automations.Model.Automation.PausedAt), nameof(Automations.Model.Automation.PausedBy), nameof(Automations.Model.Automation.EmergencyStopId),
            nameof(Automations.Model.Automation.GuardrailsSince),
        ];
        var others = changed.Where(c => !stateFields.Contains(c)).ToList();
        if (!changed.Contains(nameof(Automations.Model.Automation.State)))
        {
            return "changed: " + string.Join(", ", others.Count == 0 ? changed : others);
        }

        var cause = automation.EmergencyStopId is not null && automation.State == Automations.Model.AutomationState.Paused ? " by Pause all" : "";
        return $"is now {Automations.Pages.AutomationUi.StateLabel(automation.State)}{cause}" + (others.Count > 0 ? $" ({string.Join(", ", others)} changed too)" : "");
    }

    /// <summary>Names the common account events, so the log reads "signed in" rather than a field list.</summary>
    private static string UserChange(Users.PortalUser user, ICollection<string> changed, Actor actor)
    {
        if (changed.Contains(nameof(Users.PortalUser.DeactivatedAt)))
        {
            return user.DeactivatedAt is null ? "reactivated" : "deactivated";
        }

        if (changed.Contains(nameof(Users.PortalUser.LockoutEnd)))
        {
            return user.LockoutEnd is null ? "unlocked" : user.LockoutEnd == DateTimeOffset.MaxValue ? "locked by an Admin" : "locked after failed sign-ins";
        }

        if (changed.Contains(nameof(Users.PortalUser.TwoFactorEnabled)))
        {
            return user.TwoFactorEnabled ? "turned on two-factor sign-in"
                : actor.Kind == ActorKind.User && actor.Id == user.Id ? "turned off two-factor sign-in"
                : "second factor reset: two-factor sign-in off, authenticator and recovery codes removed, signed out everywhere";
        }

        if (changed.Count == 1 && changed.Contains(nameof(Users.PortalUser.LastSignInAt)))
        {
            return "signed in";
        }

        if (changed.Count == 1 && changed.Contains(nameof(Users.PortalUser.AccessFailedCount)))
        {
            return user.AccessFailedCount == 0 ? "failed sign-ins reset" : $"failed sign-in ({user.AccessFailedCount} in a row)";
        }

        if (changed.Count == 1 && changed.Contains("SecurityStamp"))
        {
            return "open sessions renewed";
        }

        if (changed.Contains("PasswordHash"))
        {
            return "password changed";
        }

        return "updated: " + string.Join(", ", changed);
    }

    private static (string Type, string Id, string Summary) Name(EntityEntry entry, DbContext context, AuditAction action, ICollection<string> changed, Actor actor)
    {
        var key = string.Join(",", entry.Metadata.FindPrimaryKey()?.Properties.Select(p => entry.Property(p.Name).CurrentValue?.ToString()) ?? []);
        var verb = action.ToString().ToLowerInvariant();
        switch (entry.Entity)
        {
            case Users.PortalUser user:
                return ("User", key, action == AuditAction.Updated ? $"User {user.Email} {UserChange(user, changed, actor)}" : $"User {user.Email} {verb}");
            case ApiKeys.ApiKey apiKey:
                return ("ApiKey", key, $"API key '{apiKey.Name}' ({apiKey.Role}) {verb}");
            case Microsoft.AspNetCore.Identity.IdentityUserRole<Guid> link:
                var role = context.Set<PortalRole>().Local.FirstOrDefault(r => r.Id == link.RoleId)?.Name
                    ?? context.Set<PortalRole>().AsNoTracking().Where(r => r.Id == link.RoleId).Select(r => r.Name).FirstOrDefault();
                var email = context.Set<Users.PortalUser>().Local.FirstOrDefault(u => u.Id == link.UserId)?.Email
                    ?? context.Set<Users.PortalUser>().AsNoTracking().Where(u => u.Id == link.UserId).Select(u => u.Email).FirstOrDefault();
                return ("UserRole", key, action == AuditAction.Deleted ? $"Role {role} removed from {email}" : $"Role {role} granted to {email}");
            case Automations.Model.Automation automation:
                return ("Automation", key, action == AuditAction.Updated ? $"Automation '{automation.Name}' {AutomationChange(automation, changed)}" : $"Automation '{automation.Name}' {verb}");
            case Automations.Model.AutomationRun run:
                var automationName = context.Set<Automations.Model.Automation>().Local.FirstOrDefault(a => a.Id == run.AutomationId)?.Name
                    ?? context.Set<Automations.Model.Automation>().AsNoTracking().Where(a => a.Id == run.AutomationId).Select(a => a.Name).FirstOrDefault();
                return ("Run", key, $"{run.Trigger} run of automation '{automationName}' {AuditLabels.RunChange(action)}");
            case Automations.Model.Guardrails guardrails:
                var owner = context.ChangeTracker.Entries<Automations.Model.Automation>().FirstOrDefault(a => ReferenceEquals(a.Entity.Guardrails, guardrails))?.Entity;
                return ("Automation", owner?.Id.ToString() ?? key, $"Automation '{owner?.Name}' guardrails changed");
            case Automations.Model.Alert alert:
                return ("Alert", key, alert.AcknowledgedAt is null ? $"Alert raised: {alert.Message}" : $"Alert acknowledged: {alert.Message}");
            case PortalRole portalRole:
                return ("Role", key, $"Role {portalRole.Name} {verb}");
            default:
                return (entry.Metadata.ClrType.Name, key, $"{entry.Metadata.ClrType.Name} {key} {verb}");
        }
    }
}
