using AutomationPortal.Web.Features.ApiKeys;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Escalations;

/// <summary>
/// Puts deferred items whose time has come back in the queue: to their holder (claimed by them again, the minutes
/// measured from now), or unassigned when the holder was deactivated meanwhile. Run before every read of the queue
/// and every few seconds in the background, so the queue, the counts and the home page agree at any moment.
/// </summary>
public sealed class EscalationReturns(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time)
{
    /// <summary>The most items returned in one go; the next call takes the rest.</summary>
    public const int Batch = 500;

    public async Task<int> ReturnDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.Set<Escalation>().AsNoTracking()
            .Where(e => e.Status == EscalationStatus.Deferred && e.DeferredUntil <= now)
            .OrderBy(e => e.DeferredUntil).Take(Batch)
            .Select(e => new { e.Id, e.WorkItemId, e.AssigneeId })
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        // A holder is a person's account or an API key of their own; one deactivated meanwhile cannot take the item up again.
        var holders = due.Where(d => d.AssigneeId is not null).Select(d => d.AssigneeId!.Value).Distinct().ToList();
        var gone = (await db.Set<PortalUser>().AsNoTracking().Where(u => holders.Contains(u.Id) && u.DeactivatedAt != null).Select(u => u.Id).ToListAsync(cancellationToken))
            .Concat(await db.Set<ApiKey>().AsNoTracking().Where(k => holders.Contains(k.Id) && k.DeactivatedAt != null).Select(k => k.Id).ToListAsync(cancellationToken))
            .ToHashSet();
        var returned = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var item in due)
        {
            var keep = item.AssigneeId is { } holder && !gone.Contains(holder);
            // Only from the state read: a holder who resolved or claimed it a moment ago wins.
            var rows = keep
                ? await db.Set<Escalation>().Where(e => e.Id == item.Id && e.Status == EscalationStatus.Deferred && e.DeferredUntil <= now)
                    .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, EscalationStatus.Claimed).SetProperty(e => e.DeferredUntil, (DateTime?)null)
                        .SetProperty(e => e.ClaimedAt, now).SetProperty(e => e.Version, e => e.Version + 1), cancellationToken)
                : await db.Set<Escalation>().Where(e => e.Id == item.Id && e.Status == EscalationStatus.Deferred && e.DeferredUntil <= now)
                    .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, EscalationStatus.Open).SetProperty(e => e.DeferredUntil, (DateTime?)null)
                        .SetProperty(e => e.AssigneeId, (Guid?)null).SetProperty(e => e.AssigneeName, (string?)null).SetProperty(e => e.ClaimedAt, (DateTime?)null)
                        .SetProperty(e => e.Version, e => e.Version + 1), cancellationToken);
            if (rows == 1)
            {
                db.Add(new ItemEvent { WorkItemId = item.WorkItemId, EscalationId = item.Id, At = now, Type = ItemEventType.Returned, ActorName = "the portal" });
                returned++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return returned;
    }
}

/// <summary>Returns deferred items on time in the background, so nobody has to open the queue for it.</summary>
internal sealed class EscalationReturnService(IServiceScopeFactory scopes, StartupState startup, IOptions<EscalationOptions> options, TimeProvider time, ILogger<EscalationReturnService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ReturnCheckSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!startup.IsReady)
            {
                continue;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("escalation deferrals");
                var returned = await scope.ServiceProvider.GetRequiredService<EscalationReturns>().ReturnDueAsync(stoppingToken);
                if (returned > 0)
                {
                    logger.LogInformation("{Count} deferred escalation(s) came back to the queue.", returned);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; nothing is lost meanwhile (the queue returns them on read too).
                logger.LogWarning(e, "Returning deferred escalations failed; trying again shortly.");
            }
        }
    }
}
