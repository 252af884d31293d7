using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// The latest item outcomes since an automation's latest resume: seeded from the stored ones when a run starts, then
/// fed every outcome of the run as it happens, so a breached limit stops the run at the item that breached it. Each
/// limit's count over its window is kept as a running difference of two cumulative counts: constant work per item,
/// whatever the window.
/// </summary>
public sealed class OutcomeWindow
{
    private readonly Guardrails _limits;
    private readonly WorkItemStatus[] _latest;
    private readonly int[] _failed;
    private readonly int[] _quarantined;
    private long _added;

    public OutcomeWindow(Guardrails limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
        Capacity = GuardrailMonitor.WindowOf(limits);
        _latest = new WorkItemStatus[Capacity];
        _failed = new int[Capacity + 1];
        _quarantined = new int[Capacity + 1];
    }

    /// <summary>How many outcomes are kept: the larger of the two item windows.</summary>
    public int Capacity { get; }

    public int Count => (int)Math.Min(_added, Capacity);

    /// <summary>Adds outcomes in the order they happened (oldest first).</summary>
    public void AddRange(IEnumerable<WorkItemStatus> oldestFirst)
    {
        ArgumentNullException.ThrowIfNull(oldestFirst);
        foreach (var status in oldestFirst)
        {
            Add(status);
        }
    }

    public void Add(WorkItemStatus status)
    {
        var previous = (int)(_added % (Capacity + 1));
        _added++;
        var current = (int)(_added % (Capacity + 1));
        _failed[current] = _failed[previous] + (status is WorkItemStatus.ActionFailed ? 1 : 0);
        _quarantined[current] = _quarantined[previous] + (status is WorkItemStatus.Quarantined ? 1 : 0);
        _latest[(int)((_added - 1) % Capacity)] = status;
    }

    /// <summary>The item limit this window breaches now, or null.</summary>
    public GuardrailBreach? Breach() =>
        GuardrailMonitor.ItemBreach(_limits, Matching(_failed, _limits.FailureRateWindow), Matching(_quarantined, _limits.QuarantineRateWindow));

    /// <summary>The kept outcomes, newest first.</summary>
    public IReadOnlyList<WorkItemStatus> Latest()
    {
        var latest = new List<WorkItemStatus>(Count);
        for (var i = 0; i < Count; i++)
        {
            latest.Add(_latest[(int)((_added - 1 - i) % Capacity)]);
        }

        return latest;
    }

    /// <summary>How many of the latest <paramref name="window"/> outcomes match, when that many have happened.</summary>
    private (int Matching, int Count)? Matching(int[] cumulative, int window)
    {
        if (window <= 0 || window > Capacity || _added < window)
        {
            return null;
        }

        var now = (int)(_added % (Capacity + 1));
        var before = (int)((_added - window) % (Capacity + 1));
        return (cumulative[now] - cumulative[before], window);
    }
}
