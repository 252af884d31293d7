using System.Collections.Concurrent;

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
