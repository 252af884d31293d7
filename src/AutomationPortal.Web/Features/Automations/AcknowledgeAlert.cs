using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>Acknowledges one alert (Admins only): the person has seen it; acknowledging it again changes nothing.</summary>
public sealed class AcknowledgeAlert(PortalDbContext db, CurrentActor currentActor, TimeProvider time)
{
    public async Task AcknowledgeAlertAsync(Guid alertId, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("acknowledge alerts");
        var alert = await db.Set<Alert>().FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken)
            ?? throw new NotFoundException($"No alert has the id {alertId}: check the link or the id you used.");
        if (alert is { AcknowledgedAt: null })
        {
            alert.AcknowledgedAt = Now;
            alert.AcknowledgedBy = actor.Name;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
