using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>What the changes of an automation share: loading it on a version, changing it despite concurrent edits, clearing its alerts.</summary>
public sealed class AutomationChanges(PortalDbContext db, TimeProvider time, ILogger<AutomationChanges> logger)
{
    /// <summary>
    /// The automation to change, tracked; refused as not found, or as a conflict when <paramref name="expectedVersion"/>
    /// is given and someone changed it since.
    /// </summary>
    public async Task<Automation> LoadAsync(Guid id, long? expectedVersion, CancellationToken cancellationToken)
    {
        var automation = await db.Set<Automation>().FirstOrDefaultAsync(a => a.Id == id, cancellationToken) ?? throw new AutomationNotFoundException(id);
        if (expectedVersion is { } version && version != automation.Version)
        {
            throw new ConflictException($"{automation.Name} was changed by someone else meanwhile (version {automation.Version}, yours {version}). Reload it and try again.");
        }

        return automation;
    }

    /// <summary>
    /// Changes one automation and saves it; when someone changed it at the same moment, starts again from the fresh row.
    /// Returns the saved automation, or null when <paramref name="change"/> found nothing to do.
    /// </summary>
    public async Task<Automation?> ChangeAsync(Guid id, Func<Automation, bool> change, CancellationToken cancellationToken, string? acknowledgeAlertsBy = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var automation = await db.Set<Automation>().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
            if (automation is null || !change(automation))
            {
                return null;
            }

            if (acknowledgeAlertsBy is not null)
            {
                await AcknowledgeAlertsAsync(id, acknowledgeAlertsBy, cancellationToken);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return automation;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                logger.LogInformation("Automation {Id} was changed at the same moment; trying again.", id);
            }
        }
    }

    /// <summary>Marks the automation's open alerts acknowledged by <paramref name="by"/>; the caller saves.</summary>
    public async Task AcknowledgeAlertsAsync(Guid automationId, string by, CancellationToken cancellationToken)
    {
        foreach (var alert in await db.Set<Alert>().Where(a => a.AutomationId == automationId && a.AcknowledgedAt == null).ToListAsync(cancellationToken))
        {
            alert.AcknowledgedAt = Now;
            alert.AcknowledgedBy = by;
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
