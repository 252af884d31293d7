using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>Creates an automation of a built-in kind (Admins only): settings not given take their defaults, its folders are made, its schedule starts.</summary>
public sealed class CreateAutomation(
    PortalDbContext db,
    AutomationKindCatalog kinds,
    AutomationScheduler scheduler,
    CurrentActor currentActor,
    IOptions<OrganisationOptions> organisation,
    AutomationRequestRules rules,
    AutomationFolders folders,
    GetAutomation get,
    TimeProvider time)
{
    public Task<AutomationDetail> CreateAsync(AutomationRequest request, CancellationToken cancellationToken = default) =>
        CreateAsync(request, demo: false, cancellationToken);

    /// <summary>Creates an automation; a demo one's runs are stamped Demo and its earlier (seeded) fires are not missed ones.</summary>
    internal async Task<AutomationDetail> CreateAsync(AutomationRequest request, bool demo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("create automations");
        var errors = new Dictionary<string, string[]>();
        var kind = string.IsNullOrWhiteSpace(request.Kind) ? null : kinds.Find(request.Kind.Trim());
        if (kind is null)
        {
            errors["kind"] = [$"Choose a built-in kind: {string.Join(", ", kinds.All.Select(k => k.Key))}."];
        }

        var automation = new Automation
        {
            Kind = kind?.Key ?? "",
            Name = "",
            Schedule = "0 0 * * * ?",
            TimeZone = organisation.Value.TimeZone,
            CostCurrency = organisation.Value.BaseCurrency,
            OwnerId = actor.Kind == ActorKind.User ? actor.Id : null,
            OwnerName = actor.Name,
        };
        rules.Apply(automation, kind, request, errors, creating: true, actor.Name);
        await rules.EnsureUniqueNameAsync(automation, errors, cancellationToken);
        AutomationRequestRules.ThrowIfAny(errors);
        if (demo)
        {
            automation.IsDemo = true;
            automation.ResumedAt = Now;
        }

        db.Add(automation);
        await db.SaveChangesAsync(cancellationToken);
        folders.Create(kind, automation);
        await scheduler.ScheduleAsync(automation, cancellationToken);
        return await get.GetAsync(automation.Id, cancellationToken);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
