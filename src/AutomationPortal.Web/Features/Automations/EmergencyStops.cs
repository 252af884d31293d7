using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>The records of Pause all (emergency stops), and what Pause all and Resume all report as left paused.</summary>
public sealed class EmergencyStops(PortalDbContext db)
{
    /// <summary>Changes the recorded stop and saves it, on a fresh read (the stop's automations were saved one by one before).</summary>
    public async Task ChangeAsync(Guid id, Action<EmergencyStop> change, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        if (await db.Set<EmergencyStop>().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is { } stop)
        {
            change(stop);
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>The automations that are paused and not part of <paramref name="handled"/>, each with why it is paused.</summary>
    public async Task<IReadOnlyList<PausedAutomation>> LeftPausedAsync(HashSet<Guid> handled, CancellationToken cancellationToken) =>
        (await db.Set<Automation>().AsNoTracking().Where(a => a.State == AutomationState.Paused || a.State == AutomationState.AutoPaused).OrderBy(a => a.Name).ToListAsync(cancellationToken))
            .Where(a => !handled.Contains(a.Id))
            .Select(a => new PausedAutomation(a.Id, a.Name, a.State, a.PausedBy, a.PausedAt, a.State == AutomationState.AutoPaused
                ? "It paused itself (guardrails): look at its alert, then resume it on its page."
                : a.EmergencyStopId is null
                    ? $"Paused on its own by {a.PausedBy ?? "an Admin"}, not by Pause all: resume it on its page."
                    : "Paused by Pause all."))
            .ToList();
}
