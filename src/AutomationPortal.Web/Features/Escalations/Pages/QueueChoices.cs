using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Escalations.Pages;

/// <summary>A reason code the queue has seen, with the kind whose words describe it.</summary>
public sealed record SeenReason(string Kind, string Code);

/// <summary>What the queue's filters offer to choose from: the reason codes escalations carry, and the people who decide items.</summary>
public static class QueueChoices
{
    /// <summary>The most people the assignee filter lists; a larger team types the person's id into the link.</summary>
    public const int MaxPeople = 500;

    /// <summary>Each reason code of the escalations, once per kind, in code order.</summary>
    public static async Task<IReadOnlyList<SeenReason>> ReasonsAsync(PortalDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sets = await db.Set<Escalation>().AsNoTracking()
            .Join(db.Set<Automation>(), e => e.AutomationId, a => a.Id, (e, a) => new { a.Kind, e.Reasons })
            .Distinct()
            .Take(5000)
            .ToListAsync(cancellationToken);
        return sets
            .SelectMany(s => s.Reasons.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(code => new SeenReason(s.Kind, code)))
            .Distinct()
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The people an item may be assigned to: every account not deactivated that holds Agent, Manager or Admin.</summary>
    public static async Task<IReadOnlyList<PersonRef>> PeopleAsync(UserAdministration users, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(users);
        var (items, _) = await users.ListAsync(null, 0, MaxPeople, cancellationToken);
        return items
            .Where(u => u.Status != UserStatus.Deactivated && u.Roles.Any(r => r is Role.Agent or Role.Manager or Role.Admin))
            .Select(u => new PersonRef(u.Id, string.IsNullOrWhiteSpace(u.DisplayName) ? u.Email : $"{u.DisplayName} ({u.Email})"))
            .OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
    }
}
