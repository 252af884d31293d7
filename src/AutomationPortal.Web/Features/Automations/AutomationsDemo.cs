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
public sealed class AutomationDemo(PortalDbContext db, CreateAutomation create, PortalDatabase database, AutomationScheduler scheduler, DemoStories stories, TimeProvider time)
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

    /// <summary>Runs the automation now, so its pages have something to show from the first minute; the run's id.</summary>
    public async Task<Guid> RunNowAsync(Guid automationId, CancellationToken cancellationToken)
    {
        var run = new AutomationRun { AutomationId = automationId, Trigger = RunTrigger.Manual, QueuedAt = Now, RequestedBy = "demo" };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(automationId, run.Id, cancellationToken);
        return run.Id;
    }

    /// <summary>
    /// What the demo's people do once a run has ended (claim, decide, defer, override), played in the background as
    /// they would in the portal, so the queue tells a true story: every figure it shows comes from real actions.
    /// </summary>
    public void After(Guid runId, DemoStory story) => stories.After(runId, story);
}

/// <summary>A demo's people at work after a run: given the portal's services, in a scope of its own.</summary>
public delegate Task DemoStory(IServiceProvider services, CancellationToken cancellationToken);

/// <summary>
/// Plays the demo's stories after their runs end, one at a time, in the background. <see cref="WhenIdleAsync"/> waits
/// until every story told so far has been played, for whoever needs the demo complete (a browser test).
/// </summary>
public sealed class DemoStories(IServiceScopeFactory scopes, ILogger<DemoStories> logger) : BackgroundService
{
    private readonly System.Threading.Channels.Channel<(Guid RunId, DemoStory Story)> _stories =
        System.Threading.Channels.Channel.CreateUnbounded<(Guid RunId, DemoStory Story)>();

    private int _pending;
    private TaskCompletionSource _idle = Idle();

    public void After(Guid runId, DemoStory story)
    {
        if (Interlocked.Increment(ref _pending) == 1)
        {
            _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _stories.Writer.TryWrite((runId, story));
    }

    /// <summary>Completes once no story is waiting or playing.</summary>
    public Task WhenIdleAsync() => Volatile.Read(ref _pending) == 0 ? Task.CompletedTask : _idle.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (runId, story) in _stories.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                // The run may wait behind others; a demo whose run never ends tells no story.
                for (var waited = 0; waited < 1200; waited++)
                {
                    var status = await db.Set<AutomationRun>().AsNoTracking().Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).FirstOrDefaultAsync(stoppingToken);
                    if (status is not (RunStatus.Queued or RunStatus.Running))
                    {
                        break;
                    }

                    await Task.Delay(500, stoppingToken);
                }

                await story(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "A demo story could not be played to its end; the demo shows what was done before.");
            }
            finally
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    private static TaskCompletionSource Idle()
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        idle.SetResult();
        return idle;
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
