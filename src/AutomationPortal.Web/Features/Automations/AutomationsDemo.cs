using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>
/// A kind's demo: the automation, inbox and history it shows in demo mode. Each kind module registers its own; the
/// portal's demo only calls them, in <see cref="Order"/>.
/// </summary>
public interface IKindDemo
{
    int Order { get; }

    Task SeedAsync(AutomationDemo demo, CancellationToken cancellationToken);
}

/// <summary>What a kind's demo may do: create its automation once, give it history, fill its folders, run it now.</summary>
public sealed class AutomationDemo(PortalDbContext db, CreateAutomation create, PortalDatabase database, AutomationScheduler scheduler, TimeProvider time)
{
    public string DataFolder => database.DataFolder;

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Creates the demo automation unless one of that name exists (a demo restarted): null then.</summary>
    public async Task<Guid?> CreateOnceAsync(AutomationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await db.Set<Automation>().AnyAsync(a => a.Name == request.Name, cancellationToken))
        {
            return null;
        }

        return (await create.CreateAsync(request, demo: true, cancellationToken)).Id;
    }

    /// <summary>Past runs of the demo's story (mode Demo); they count as the demo's history.</summary>
    public async Task AddHistoryAsync(IEnumerable<AutomationRun> runs, CancellationToken cancellationToken)
    {
        db.AddRange(runs.Select(r =>
        {
            r.Mode = RunMode.Demo;
            return r;
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Runs the automation now, so its pages have something to show from the first minute.</summary>
    public async Task RunNowAsync(Guid automationId, CancellationToken cancellationToken)
    {
        var run = new AutomationRun { AutomationId = automationId, Trigger = RunTrigger.Manual, QueuedAt = Now, RequestedBy = "demo" };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(automationId, run.Id, cancellationToken);
    }
}

/// <summary>Demo mode: each kind's demo, in order. Demo runs count as the demo's own history.</summary>
internal sealed class AutomationsDemoTask(IOptions<DemoOptions> options, IEnumerable<IKindDemo> demos, AutomationDemo demo) : IStartupTask
{
    public int Order => 120;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        foreach (var kindDemo in demos.OrderBy(d => d.Order))
        {
            await kindDemo.SeedAsync(demo, cancellationToken);
        }
    }
}
