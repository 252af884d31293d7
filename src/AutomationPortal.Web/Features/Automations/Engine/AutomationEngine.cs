using System.Diagnostics;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// Runs one automation run: reads the kind's source in chunks, skips known keys, prepares, decides and acts on
/// each item, and stores items, decisions, escalations and effects in one transaction per chunk through batched
/// inserts. The source is acknowledged only after the chunk is stored, so a crash never loses an item, and a
/// restart skips what is already stored, so none is processed twice. A kind's run is built by constructor injection, in
/// a service scope of its own; runs of kinds in one concurrency group take turns, by a lease in the database
/// (<see cref="RunLeases"/>) taken before the run is started and ended after it is disposed.
/// </summary>
public sealed class AutomationEngine(
    IDbContextFactory<PortalDbContext> dbFactory,
    PortalDatabase database,
    AutomationKindCatalog catalog,
    GuardrailMonitor guardrails,
    RunStops stops,
    Infrastructure.Files.PortalFolders folders,
    SecretSettings secrets,
    RunLeases leases,
    TimeProvider time,
    IServiceProvider services,
    ILogger<AutomationEngine> logger)
{
    /// <summary>Items stored per transaction at most; fewer when items are slow (see <see cref="ChunkTime"/>).</summary>
    public const int ChunkSize = 2000;

    /// <summary>The first chunk, before the engine knows how long an item takes.</summary>
    public const int FirstChunkSize = 100;

    /// <summary>Chunks are sized to take about this long, so slow kinds still store (and show) progress often.</summary>
    public static readonly TimeSpan ChunkTime = TimeSpan.FromSeconds(1);
    public const int MaxActionAttempts = 3;
    public const int MaxRetriesAcrossRuns = 20;

    public async Task<RunStatus> ExecuteAsync(Guid runId, CancellationToken cancellationToken)
    {
        // The portal's stop; once the run holds a turn, cancellationToken also ends when the turn is lost.
        var shutdown = cancellationToken;
        AutomationRun run;
        Automation automation;
        RunStops.StopSignal stop;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            run = await db.Set<AutomationRun>().FirstAsync(r => r.Id == runId, cancellationToken);

            // Listening before the state is read: a pause after this read reaches the run through the signal.
            stop = stops.Register(run.AutomationId);
            automation = await db.Set<Automation>().AsNoTracking().FirstAsync(a => a.Id == run.AutomationId, cancellationToken);
            if (automation.IsPaused)
            {
                // Paused decides nothing, whatever asked for the run: its input waits where it is for the resume.
                run.StartedAt = run.EndedAt = Now;
                if (run.Trigger == RunTrigger.Schedule)
                {
                    run.Status = RunStatus.Cancelled;
                    run.SkipReason = $"Skipped: the automation is {AutomationStateWords.Of(automation.State)}.";
                }
                else
                {
                    run.Status = RunStatus.Stopped;
                    run.StopReason = Truncate(automation.PauseDescription, 500);
                }

                await db.SaveChangesAsync(cancellationToken);
                stop.Dispose();
                return run.Status;
            }

            if (run.Trigger == RunTrigger.Schedule && !Automation.IsRunnable(automation.State))
            {
                run.Status = RunStatus.Cancelled;
                run.SkipReason = $"Skipped: the automation is {AutomationStateWords.Of(automation.State)}.";
                run.StartedAt = run.EndedAt = Now;
                await db.SaveChangesAsync(cancellationToken);
                stop.Dispose();
                return run.Status;
            }

            run.Status = RunStatus.Running;
            run.StartedAt = Now;
            run.Mode = ModeFor(automation);
            run.SettingsVersion = automation.SettingsVersion;
            await db.SaveChangesAsync(cancellationToken);
        }

        var log = new RunLog(runId, time);
        var lane = run.Mode.Lane();
        var counters = new RunCounters();
        string? error = null;
        var cancelled = false;
        RunLeases.HeldLease? turn = null;
        var stoppedWaiting = false;
        var watch = Stopwatch.StartNew();
        ItemStep? step = null;
        using var registered = stop;
        log.Info($"{run.Trigger} run in {run.Mode} mode (settings version {run.SettingsVersion}){(lane == Lane.Shadow ? ": decisions are recorded, nothing is acted on" : "")}.");

        try
        {
            var kind = catalog.Get(automation.Kind);
            var settings = secrets.Reveal(KindSettings.Read(kind, automation.Settings));

            // Folders are judged again now, by their real paths: a link put in place since they were saved is caught.
            var problems = kind.Validate(settings, new KindValidationContext(folders.AllowedRoots, folders.DataFolder)).ToList();
            if (problems.Count > 0)
            {
                throw new InvalidOperationException("Its settings cannot be used as they are now: " + string.Join(" ", problems.Select(p => $"{p.Field}: {p.Message}")));
            }

            var schema = await SchemaAsync(cancellationToken);
            var records = new EngineRecords(database, schema, automation.Id, time);
            await using var store = await EngineStore.OpenAsync(database, schema, cancellationToken);

            // The group's turn is taken before the run starts and ends after it is disposed (declared before it, so
            // disposed after it). Should it be lost (this process stalled past its expiry), the run is cancelled.
            if (kind.ConcurrencyGroup is { } group)
            {
                turn = await leases.WaitTurnAsync(group, runId, log.Info, ct => StopsWaitingAsync(stop, store, automation.Id, ct), cancellationToken);
                stoppedWaiting = turn is null;
                if (stoppedWaiting)
                {
                    throw new OperationCanceledException("The automation was paused while its run waited for its turn.");
                }
            }

            await using var heldTurn = turn;
            using var running = turn is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, turn.Lost);
            cancellationToken = running?.Token ?? shutdown;
            await using var scope = services.CreateAsyncScope();
            await using var kindRun = kind.Start(new KindRunContext(automation.Id, runId, run.Mode, settings, database.DataFolder, log.Add, time) { History = records },
                new KindRunFactory(scope.ServiceProvider));
            // The guardrails' window starts with the outcomes since the latest resume and follows every item of the run.
            var window = new OutcomeWindow(automation.Guardrails);
            window.AddRange(await store.OutcomesSinceAsync(automation.Id, lane, automation.GuardrailsSince, MaxRetriesAcrossRuns, window.Capacity, cancellationToken));
            var guarded = Automation.IsRunnable(automation.State);
            step = new ItemStep(automation.Id, runId, lane, run.Mode, settings, kindRun, store, log, counters, time, stop)
            {
                Ledger = records,
                Window = guarded ? window : null,
                Orphans = lane == Lane.Live ? await store.OrphanEffectsAsync(automation.Id, cancellationToken) : new(StringComparer.Ordinal),
                OnBreach = guarded ? breach => guardrails.PauseForAsync(automation.Id, breach, CancellationToken.None) : null,
            };

            if (lane == Lane.Live)
            {
                await step.RetryPendingActionsAsync(cancellationToken);
            }

            var size = FirstChunkSize;
            if (!step.Stopped)
            {
                await foreach (var chunk in Chunk(kindRun.ReadAsync(cancellationToken), () => size, cancellationToken))
                {
                    var started = Stopwatch.GetTimestamp();
                    await step.ProcessChunkAsync(chunk, cancellationToken);
                    var perItem = Stopwatch.GetElapsedTime(started) / chunk.Count;
                    size = perItem <= TimeSpan.Zero ? ChunkSize : (int)Math.Clamp(ChunkTime / perItem, 10, ChunkSize);
                    if (step.Stopped)
                    {
                        break;
                    }

                    // Paused on another node: only the database knows. The next chunk then stops at its first item;
                    // when there is none, the run simply ended with its input.
                    if (!stop.IsRequested && await store.PausedByAsync(automation.Id, cancellationToken) is { } pausedBy)
                    {
                        stop.Request(pausedBy);
                    }
                }
            }

            await step.FinishAsync(cancellationToken);
            if (step.Stopped)
            {
                log.Warning($"Stopped after the item it was on: the automation was {stop.Reason}. The rest of its input waits for the resume.");
            }
            else if (stop.IsRequested)
            {
                log.Info($"The automation was {stop.Reason} after the run's last item; nothing was left.");
            }

            // The run's own effects (such as its export file) cover what it did, stopped or not.
            // Earlier runs that stopped before theirs (a crash, a failure) are completed now, from the ledger, the same way.
            IReadOnlyList<Guid> runs = lane == Lane.Live ? await records.RunsToCompleteAsync(runId, cancellationToken) : [runId];
            var completion = new RunCompletionContext(automation.Id, runId, runs, records.EffectsOfAsync);
            await kindRun.CompleteAsync(completion, cancellationToken);
            await records.CompleteRunsAsync(runId, runs, completion.Effects, cancellationToken);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            cancelled = true;
            log.Warning("Stopped because the portal is shutting down; the next run continues where this one stopped.");
        }
        catch (OperationCanceledException) when (turn?.IsLost == true)
        {
            cancelled = true;
            log.Error($"Stopped: {turn.LostReason} Going on could let its checks miss what the other run stores; the next run continues where this one stopped.");
        }
        catch (OperationCanceledException) when (stoppedWaiting)
        {
            log.Warning($"Stopped before reading anything, while it waited for its turn: the automation was {stop.Reason}. Its input waits for the resume.");
        }
        catch (Exception e)
        {
            error = e.Message;
            log.Error($"The run failed: {e.Message}");
            logger.LogError(e, "Run {RunId} of automation {AutomationId} failed.", runId, automation.Id);
        }

        if (step is not null && (cancelled || error is not null))
        {
            // Files of the last stored chunk may still be moving: let that finish and record where they went.
            try
            {
                await step.FinishAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Run {RunId}: could not record where the last items' originals went.", runId);
            }
        }

        var status = cancelled ? RunStatus.Cancelled
            : error is not null ? RunStatus.Failed
            : step?.Stopped == true || stoppedWaiting ? RunStatus.Stopped
            : StatusOf(counters);
        log.Info($"Finished in {watch.Elapsed.TotalSeconds:0.0} s: {counters.Read} read, {counters.Done} done, {counters.Escalated} escalated, {counters.Failed} failed, {counters.Quarantined} quarantined, {counters.Skipped} seen before.");

        if (status != RunStatus.Stopped && step?.Window is { } outcomes)
        {
            await guardrails.CheckAsync(automation, lane, runId, status, outcomes.Latest(), CancellationToken.None);
        }

        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            var final = await db.Set<AutomationRun>().FirstAsync(r => r.Id == runId, CancellationToken.None);
            final.Status = status;
            final.EndedAt = Now;
            final.Error = Truncate(error, 4000);
            final.StopReason = status == RunStatus.Stopped ? Truncate(stop.Reason, 500) : null;
            counters.CopyTo(final);
            db.Set<RunLogLine>().AddRange(log.Lines);
            await db.SaveChangesAsync(CancellationToken.None);
        }

        return status;
    }

    /// <summary>
    /// How a run that went to its end did. Quarantined input is the automation doing its job: only faults (an action
    /// that failed) make a run partly succeeded, or failed when nothing else was done.
    /// </summary>
    public static RunStatus StatusOf(RunCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return counters.Failed == 0 ? RunStatus.Succeeded
            : counters.Done + counters.Escalated + counters.Quarantined + counters.Skipped > 0 ? RunStatus.PartiallySucceeded
            : RunStatus.Failed;
    }

    /// <summary>
    /// Whether a run waiting for its turn must give up: its automation was paused, on this node (the signal) or on
    /// another (the database).
    /// </summary>
    private static async Task<bool> StopsWaitingAsync(RunStops.StopSignal stop, EngineStore store, Guid automationId, CancellationToken cancellationToken)
    {
        if (!stop.IsRequested && await store.PausedByAsync(automationId, cancellationToken) is { } pausedBy)
        {
            stop.Request(pausedBy);
        }

        return stop.IsRequested;
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The names and lengths the fast write path uses, from the EF model (built once per process).</summary>
    private async Task<EngineSchema> SchemaAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return EngineSchema.From(db.Model);
    }

    private static RunMode ModeFor(Automation automation)
    {
        if (automation.IsDemo)
        {
            return RunMode.Demo;
        }

        return automation.State switch
        {
            AutomationState.Shadow => RunMode.Shadow,
            AutomationState.Pilot => RunMode.Pilot,
            AutomationState.Production => RunMode.Production,
            _ => RunMode.Test,
        };
    }

    private static async IAsyncEnumerable<List<SourceItem>> Chunk(IAsyncEnumerable<SourceItem> source, Func<int> size, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = new List<SourceItem>();
        await foreach (var item in source.WithCancellation(cancellationToken))
        {
            chunk.Add(item);
            if (chunk.Count >= size())
            {
                yield return chunk;
                chunk = [];
            }
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}

/// <summary>The run's counts, kept in memory and written after every chunk.</summary>
public sealed class RunCounters
{
    public int Read { get; set; }

    public int Done { get; set; }

    public int Escalated { get; set; }

    public int Failed { get; set; }

    /// <summary>Items already stored by an earlier run (or twice in this one): seen before, left as they are.</summary>
    public int Skipped { get; set; }

    public int Quarantined { get; set; }

    /// <summary>Actions of earlier runs' items tried again; each is also counted as done or failed.</summary>
    public int Retried { get; set; }

    public void CopyTo(AutomationRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.ItemsRead = Read;
        run.ItemsDone = Done;
        run.ItemsEscalated = Escalated;
        run.ItemsFailed = Failed;
        run.ItemsSkipped = Skipped;
        run.ItemsQuarantined = Quarantined;
        run.ItemsRetried = Retried;
    }
}

/// <summary>The run's log lines, written with the run's final record.</summary>
public sealed class RunLog(Guid runId, TimeProvider time)
{
    private const int MaxLines = 500;
    private readonly List<RunLogLine> _lines = [];
    private readonly Lock _gate = new();
    private int _dropped;

    public IReadOnlyList<RunLogLine> Lines
    {
        get
        {
            lock (_gate)
            {
                var lines = _lines.ToList();
                if (_dropped > 0)
                {
                    lines.Add(new RunLogLine { RunId = runId, At = time.GetUtcNow().UtcDateTime, Level = LogLevelName.Warning, Message = $"{_dropped} more lines were left out." });
                }

                return lines;
            }
        }
    }

    public void Add(LogLevelName level, string message)
    {
        lock (_gate)
        {
            if (_lines.Count >= MaxLines)
            {
                _dropped++;
                return;
            }

            _lines.Add(new RunLogLine { RunId = runId, At = time.GetUtcNow().UtcDateTime, Level = level, Message = message.Length > 4000 ? message[..4000] : message });
        }
    }

    public void Info(string message) => Add(LogLevelName.Info, message);

    public void Warning(string message) => Add(LogLevelName.Warning, message);

    public void Error(string message) => Add(LogLevelName.Error, message);
}

