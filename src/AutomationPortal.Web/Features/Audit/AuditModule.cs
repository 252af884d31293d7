using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Audit;

public sealed record AuditFilter(string? Actor = null, string? EntityType = null, AuditAction? Action = null, DateTime? From = null, DateTime? To = null, string? Text = null);

public sealed record AuditResultPage(IReadOnlyList<AuditEntry> Items, int Total);

public sealed class AuditLog(PortalDbContext db)
{
    public async Task<AuditResultPage> QueryAsync(AuditFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            query = query.Where(e => e.ActorName.Contains(filter.Actor.Trim()));
        }

        if (!string.IsNullOrWhiteSpace(filter.EntityType))
        {
            query = query.Where(e => e.EntityType == filter.EntityType);
        }

        if (filter.Action is { } action)
        {
            query = query.Where(e => e.Action == action);
        }

        if (filter.From is { } from)
        {
            query = query.Where(e => e.At >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(e => e.At < to);
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            query = query.Where(e => e.Summary.Contains(filter.Text.Trim()));
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(Math.Max(skip, 0)).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return new AuditResultPage(items, total);
    }

    public async Task<IReadOnlyList<string>> EntityTypesAsync(CancellationToken cancellationToken = default) =>
        await db.AuditEntries.AsNoTracking().Select(e => e.EntityType).Distinct().OrderBy(t => t).ToListAsync(cancellationToken);
}

public static class AuditModule
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditLog>();
        return builder;
    }
}
