using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using AutomationPortal.Web.Features.Automations.Kinds;

namespace AutomationPortal.IntegrationTests.Automations;

public sealed class TurnTakingSettings
{
    public int Items { get; set; } = 2;
}

/// <summary>
/// What the turn-taking kinds' runs did, in order, and a gate per automation that holds its run's reading until the test
/// opens it. Registered as a service: the runs get it through their constructors.
/// </summary>
public sealed class TurnBook
{
    private readonly ConcurrentQueue<(string What, Guid AutomationId)> _events = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _reading = new();

    public IReadOnlyList<(string What, Guid AutomationId)> Events => [.. _events];

    /// <summary>The next run of the automation waits, once it reads, until <see cref="Open"/>.</summary>
    public void Hold(Guid automationId) => _gates[automationId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open(Guid automationId)
    {
        if (_gates.TryGetValue(automationId, out var gate))
        {
            gate.TrySetResult();
        }
    }

    /// <summary>Completes when a run of the automation has started reading its source.</summary>
    public Task Reading(Guid automationId) => ReadingSource(automationId).Task;

    public int IndexOf(string what, Guid automationId) => Events.ToList().IndexOf((what, automationId));

    internal async Task ReadAsync(Guid automationId, CancellationToken cancellationToken)
    {
        _events.Enqueue(("read", automationId));
        ReadingSource(automationId).TrySetResult();
        if (_gates.TryGetValue(automationId, out var gate))
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
    }

    internal void Disposed(Guid automationId) => _events.Enqueue(("disposed", automationId));

    private TaskCompletionSource ReadingSource(Guid automationId) =>
        _reading.GetOrAdd(automationId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>
/// Kinds that only take turns: each run tells the <see cref="TurnBook"/> when it reads and when it is disposed, and
/// yields a few numbers that are approved. Their runs are built by constructor injection (the book and the clock).
/// </summary>
public abstract class TurnTakingKind : IAutomationKind
{
    public const string SharedGroup = "turn-test";

    public abstract string Key { get; }

    public string DisplayName => Key;

    public string Description => "Takes turns, for the engine's tests.";

    public Type SettingsType => typeof(TurnTakingSettings);

    public abstract ConcurrencyGroup? ConcurrencyGroup { get; }

    public IEnumerable<SettingsError> Validate(object settings, KindValidationContext context) => [];

    public IKindRun Start(KindRunContext context, IKindRunFactory runs) => runs.Create<Run>(context, (TurnTakingSettings)context.Settings);

    private sealed class Run(KindRunContext context, TurnTakingSettings settings, TurnBook book, TimeProvider time) : IKindRun
    {
        private readonly DateTime _started = time.GetUtcNow().UtcDateTime;

        public async IAsyncEnumerable<SourceItem> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await book.ReadAsync(context.AutomationId, cancellationToken);
            for (var i = 0; i < settings.Items; i++)
            {
                yield return new SourceItem($"{context.RunId:N}-{i}", null, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        public PreparedItem Prepare(SourceItem item, Guid workItemId) => new(item.Key, item.Key, new ItemSummary(Reference: item.Key, Date: DateOnly.FromDateTime(_started)));

        public PreparedItem Restore(string payload) => new(payload, payload, new ItemSummary(Reference: payload));

        public ItemDecision Decide(PreparedItem item, DecisionContext context) => ItemDecision.Approve();

        public Task ActAsync(ActionContext context, PreparedItem item, ItemDecision decision, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CompleteAsync(RunCompletionContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string?> AcknowledgeAsync(SourceItem item, SourceOutcome outcome, string? reason, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public ValueTask DisposeAsync()
        {
            book.Disposed(context.AutomationId);
            return ValueTask.CompletedTask;
        }
    }
}

public sealed class FirstGroupedKind : TurnTakingKind
{
    public const string KindKey = "turns-first";

    public const string Waiting = "Waiting for another turn-test run to finish.";

    public override string Key => KindKey;

    public override ConcurrencyGroup? ConcurrencyGroup { get; } = new(SharedGroup, Waiting);
}

public sealed class SecondGroupedKind : TurnTakingKind
{
    public const string KindKey = "turns-second";

    public override string Key => KindKey;

    public override ConcurrencyGroup? ConcurrencyGroup { get; } = new(SharedGroup, FirstGroupedKind.Waiting);
}

public sealed class OtherGroupKind : TurnTakingKind
{
    public const string KindKey = "turns-other";

    public override string Key => KindKey;

    public override ConcurrencyGroup? ConcurrencyGroup { get; } = new("turn-test-other", "Waiting for another turn-test-other run to finish.");
}

public sealed class UngroupedKind : TurnTakingKind
{
    public const string KindKey = "turns-none";

    public override string Key => KindKey;

    public override ConcurrencyGroup? ConcurrencyGroup => null;
}
