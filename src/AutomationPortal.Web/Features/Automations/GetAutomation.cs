using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>One automation as people see it: settings with secrets masked, the next fire times, its folders.</summary>
public sealed class GetAutomation(PortalDbContext db, AutomationKindCatalog kinds, AutomationFolders folders, TimeProvider time)
{
    public async Task<AutomationDetail> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var a = await db.Set<Automation>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken) ?? throw new AutomationNotFoundException(id);
        var kind = kinds.Find(a.Kind);
        using var settings = System.Text.Json.JsonDocument.Parse(SecretSettings.Masked(kind, a.Settings));
        var next = Automation.IsRunnable(a.State) ? CronSchedule.NextFireTimes(a.Schedule, a.TimeZone, time.GetUtcNow(), 5) : [];
        return new AutomationDetail(a.Id, a.Kind, kind?.DisplayName ?? a.Kind, a.Name, a.State, a.StateBeforePause, settings.RootElement.Clone(), a.SettingsVersion,
            a.Schedule, CronSchedule.Describe(a.Schedule), a.TimeZone, next, a.Guardrails, a.ImplementationCost, a.MonthlyRunningCost, a.CostCurrency,
            a.OwnerName, a.IsDemo, a.CreatedAt, a.UpdatedAt, a.Version, folders.Of(kind, a), a.PausedBy, a.PausedAt, a.PauseDescription, a.OverrideWindowDays);
    }
}
