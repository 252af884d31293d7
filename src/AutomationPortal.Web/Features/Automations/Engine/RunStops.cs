using System.Collections.Concurrent;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// Tells a going run that its automation was paused, so it stops after the item it is on. A pause is stored
/// first (the database is the truth, and runs also read it between chunks); this is the fast path that lets a
/// run stop within one item rather than one chunk.
/// </summary>
public sealed class RunStops
{
    private readonly ConcurrentDictionary<Guid, StopSignal> _going = new();

    /// <summary>Registers a starting run of an automation; dispose the signal when the run ends.</summary>
    public StopSignal Register(Guid automationId)
    {
        var signal = new StopSignal(this, automationId);
        _going[automationId] = signal;
        return signal;
    }

    /// <summary>Asks the automation's going run, if any, to stop after its current item.</summary>
    public void RequestStop(Guid automationId, string reason)
    {
        if (_going.TryGetValue(automationId, out var signal))
        {
            signal.Request(reason);
        }
    }

    private void Unregister(StopSignal signal) => _going.TryRemove(new KeyValuePair<Guid, StopSignal>(signal.AutomationId, signal));

    public sealed class StopSignal(RunStops owner, Guid automationId) : IDisposable
    {
        private string? _reason;

        public Guid AutomationId { get; } = automationId;

        /// <summary>Why the run must stop, or null while it may go on.</summary>
        public string? Reason => Volatile.Read(ref _reason);

        public bool IsRequested => Reason is not null;

        public void Request(string reason) => Interlocked.CompareExchange(ref _reason, reason, null);

        public void Dispose() => owner.Unregister(this);
    }
}

/// <summary>
/// Tells whoever waits for a run (an upload that answers with each file's work item) that it has ended, at once,
/// instead of having them poll the database. On several nodes the run may end on another one: waiters still read the
/// database now and then, so the signal only makes the common case fast.
/// </summary>
public sealed class RunCompletions
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RunStatus>> _waiting = new();

    /// <summary>Completes when this node ends the run; call before the run is triggered, and <see cref="Forget"/> after waiting.</summary>
    public Task<RunStatus> WhenEnded(Guid runId) =>
        _waiting.GetOrAdd(runId, _ => new TaskCompletionSource<RunStatus>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Ended(Guid runId, RunStatus status)
    {
        if (_waiting.TryRemove(runId, out var waiting))
        {
            waiting.TrySetResult(status);
        }
    }

    /// <summary>Stops waiting (the run ended elsewhere, or the waiter gave up): nothing is kept for it.</summary>
    public void Forget(Guid runId) => _waiting.TryRemove(runId, out _);

    internal int Waiting => _waiting.Count;
}
