using System.Diagnostics;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>What the engine does with each item of a run: de-duplicate, prepare, decide, act, record.</summary>
internal sealed class ItemStep(
    Guid automationId,
    Guid runId,
    Lane lane,
    RunMode mode,
    object settings,
    IKindRun kindRun,
    EngineStore store,
    RunLog log,
    RunCounters counters,
    TimeProvider time,
    RunStops.StopSignal stop)
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(800)];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly string _keyPrefix = $"{automationId:N}:";

    /// <summary>
    /// The automation's latest outcomes since its resume, fed as each item is decided; null when no guardrails apply
    /// (an Admin's test of a Draft).
    /// </summary>
    public OutcomeWindow? Window { get; init; }

    /// <summary>The automation's effects ledger, for act steps that must ask it or write to it at once.</summary>
    public IEffectsLedger? Ledger { get; init; }

    /// <summary>Called when the outcomes cross a limit: it pauses the automation; the run then stops after this item.</summary>
    public Func<GuardrailBreach, Task>? OnBreach { get; init; }

    private async Task RememberAsync(WorkItemStatus status)
    {
        if (Window is null)
        {
            return;
        }

        Window.Add(status);
        if (!stop.IsRequested && OnBreach is not null && Window.Breach() is { } breach)
        {
            stop.Request($"paused itself: {breach.Message}");
            await OnBreach(breach);
        }
    }

    /// <summary>Effects of cut-off runs whose items were never stored, by effect key (usually none).</summary>
    public SortedList<string, Guid> Orphans { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The id an item acted on before a crash was given: its effects' key is the item's key, alone or with ":suffix".</summary>
    private Guid? EarlierId(string itemKey)
    {
        if (Orphans.Count == 0)
        {
            return null;
        }

        var keys = Orphans.Keys;
        int low = 0, high = keys.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (string.CompareOrdinal(keys[middle], itemKey) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        for (var i = low; i < keys.Count && keys[i].StartsWith(itemKey, StringComparison.Ordinal); i++)
        {
            if (keys[i].Length == itemKey.Length || keys[i][itemKey.Length] == ':')
            {
                return Orphans.Values[i];
            }
        }

        return null;
    }

    /// <summary>Set once the run was asked to stop; the items after the one it was on stay in the source.</summary>
    public bool Stopped { get; private set; }

    public async Task ProcessChunkAsync(IReadOnlyList<SourceItem> chunk, CancellationToken cancellationToken)
    {
        var known = await store.ExistingKeysAsync(automationId, lane, chunk.Select(i => i.Key).Distinct().ToList(), cancellationToken);


        var batch = new EngineBatch();
        var acknowledgements = new List<(SourceItem Item, SourceOutcome Outcome, string? Reason, Guid? WorkItemId)>(chunk.Count);
        var decisionContext = new DecisionContext(automationId, mode, Now, settings);

        foreach (var item in chunk)
        {
            if (stop.IsRequested)
            {
                // Neither decided nor acknowledged: the rest of the input stays where it is for after the resume.
                Stopped = true;
                break;
            }

            if (known.Contains(item.Key) || !_seen.Add(item.Key))
            {
                counters.Skipped++;
                acknowledgements.Add((item, SourceOutcome.Duplicate, null, null));
                continue;
            }

            counters.Read++;
            var started = Stopwatch.GetTimestamp();
            var row = new WorkItemRow(EarlierId(_keyPrefix + item.Key) ?? Guid.CreateVersion7(), item.Key, item.OriginalRef, Now);
            if (item.Refusal is { } refusal)
            {
                Quarantine(batch, row, "not-a-file", refusal, started);
                acknowledgements.Add((item, SourceOutcome.Quarantined, refusal, row.Id));
                await RememberAsync(row.Status);
                continue;
            }

            PreparedItem prepared;
            try
            {
                prepared = kindRun.Prepare(item, row.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var code = e is ItemRejectedException rejected ? rejected.ReasonCode : "unreadable";
                Quarantine(batch, row, code, e.Message, started);
                acknowledgements.Add((item, SourceOutcome.Quarantined, e.Message, row.Id));
                await RememberAsync(row.Status);
                continue;
            }

            row.Payload = prepared.Payload;
            row.Summary = prepared.Summary;
            ItemDecision decision;
            try
            {
                decision = kindRun.Decide(prepared, decisionContext);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Quarantine(batch, row, "decide-failed", $"The decision could not be made: {e.Message}", started);
                acknowledgements.Add((item, SourceOutcome.Quarantined, e.Message, row.Id));
                await RememberAsync(row.Status);
                continue;
            }

            row.Decision = decision;
            row.DecidedAt = Now;
            if (decision.Escalate)
            {
                row.Status = WorkItemStatus.Escalated;
                counters.Escalated++;
            }
            else if (decision.Act && lane == Lane.Live)
            {
                var outcome = await ActAsync(row.Id, item.Key, prepared, decision, cancellationToken);
                row.Status = outcome.Error is null ? WorkItemStatus.Done : WorkItemStatus.ActionFailed;
                row.Error = outcome.Error;
                row.ActionAttempts = outcome.Attempts;
                foreach (var effect in outcome.Effects)
                {
                    batch.Effects.Add((row.Id, effect));
                }

                if (outcome.Error is null)
                {
                    counters.Done++;
                }
                else
                {
                    counters.Failed++;
                }
            }
            else
            {
                row.Status = WorkItemStatus.Done;
                counters.Done++;
            }

            row.CompletedAt = row.Status is WorkItemStatus.Done ? Now : null;
            row.ProcessingMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            batch.Items.Add(row);
            acknowledgements.Add((item, SourceOutcome.Processed, null, row.Id));
            await RememberAsync(row.Status);
        }

        // The previous chunk's files were being moved meanwhile; where they are now is stored with this chunk.
        var movedBefore = await _acknowledging;
        await store.WriteAsync(automationId, runId, lane, batch, counters, Now, movedBefore, cancellationToken);

        // In shadow the automation only watches: people still work the inputs by hand, so the source keeps them
        // (but for items handed to the portal itself). Otherwise the source is told what became of each item, now that the items are stored, while the next
        // chunk is read and prepared.
        if (lane != Lane.Live)
        {
            acknowledgements.RemoveAll(a => !a.Item.HandedIn);
        }

        _acknowledging = acknowledgements.Count > 0 ? Task.Run(() => AcknowledgeAsync(acknowledgements, cancellationToken), cancellationToken) : NothingMoved;
    }

    /// <summary>Waits for the last acknowledgements and stores where the sources keep those items now.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        var moved = await _acknowledging;
        _acknowledging = NothingMoved;
        await store.UpdateOriginalRefsAsync(moved, cancellationToken);
    }

    private static readonly Task<List<(Guid WorkItemId, string Reference)>> NothingMoved = Task.FromResult(new List<(Guid WorkItemId, string Reference)>());

    private Task<List<(Guid WorkItemId, string Reference)>> _acknowledging = NothingMoved;

    private async Task<List<(Guid WorkItemId, string Reference)>> AcknowledgeAsync(
        List<(SourceItem Item, SourceOutcome Outcome, string? Reason, Guid? WorkItemId)> acknowledgements, CancellationToken cancellationToken)
    {
        var moved = new List<(Guid WorkItemId, string Reference)>();
        foreach (var (item, outcome, reason, workItemId) in acknowledgements)
        {
            try
            {
                if (await kindRun.AcknowledgeAsync(item, outcome, reason, cancellationToken) is { } reference && workItemId is { } id)
                {
                    moved.Add((id, reference));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The item is stored; a later run sees it again, skips it as known and acknowledges it then.
                log.Warning($"Could not acknowledge {item.OriginalRef ?? item.Key} ({outcome}): {e.Message}");
            }
        }

        return moved;
    }

    /// <summary>
    /// Items whose action failed in an earlier run (or was cut off by a crash), or that a person approved, get their
    /// action; items a person asked to undo get the kind's compensation. Both are idempotent by the item's key.
    /// </summary>
    public async Task RetryPendingActionsAsync(CancellationToken cancellationToken)
    {
        var pending = await store.PendingActionsAsync(automationId, MaxRetries, cancellationToken);
        if (pending.Count == 0)
        {
            return;
        }

        var undo = pending.Count(p => p.Compensate);
        log.Info(undo == 0
            ? $"Acting on {pending.Count} item(s) approved by a person or failed in earlier runs."
            : $"Acting on {pending.Count - undo} item(s) approved by a person or failed in earlier runs, and undoing {undo} item(s) at a person's request.");
        foreach (var item in pending)
        {
            if (stop.IsRequested)
            {
                Stopped = true;
                return;
            }

            var prepared = kindRun.Restore(item.Payload);
            var decision = new ItemDecision(item.Decision, item.ReasonCodes, Escalate: false, Act: true);
            var outcome = item.Compensate
                ? await AttemptAsync(item.Id, item.SourceKey, action => kindRun.CompensateAsync(action, prepared, cancellationToken), cancellationToken)
                : await ActAsync(item.Id, item.SourceKey, prepared, decision, cancellationToken);
            counters.Retried++;
            await store.CompleteRetryAsync(automationId, runId, item.Id, outcome, Now, cancellationToken, compensation: item.Compensate);
            await RememberAsync(outcome.Error is null ? WorkItemStatus.Done : WorkItemStatus.ActionFailed);
            if (outcome.Error is null)
            {
                counters.Done++;
            }
            else
            {
                counters.Failed++;
                log.Warning($"{item.SourceKey}: {(item.Compensate ? "undoing it" : "the action")} failed again: {outcome.Error}");
            }
        }
    }

    private const int MaxRetries = AutomationEngine.MaxRetriesAcrossRuns;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private void Quarantine(EngineBatch batch, WorkItemRow row, string code, string message, long started)
    {
        row.Status = WorkItemStatus.Quarantined;
        row.Decision = new ItemDecision("quarantine", [code], Escalate: false, Act: false, Note: message);
        row.Error = message;
        row.DecidedAt = Now;
        row.ProcessingMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        batch.Items.Add(row);
        counters.Quarantined++;
        log.Warning($"{row.OriginalRef ?? row.SourceKey} quarantined ({code}): {message}");
    }

    private Task<ActionOutcome> ActAsync(Guid workItemId, string sourceKey, PreparedItem item, ItemDecision decision, CancellationToken cancellationToken) =>
        AttemptAsync(workItemId, sourceKey, action => kindRun.ActAsync(action, item, decision, cancellationToken), cancellationToken);

    /// <summary>An act (or compensation) step with its retries, under the item's stable key.</summary>
    private async Task<ActionOutcome> AttemptAsync(Guid workItemId, string sourceKey, Func<ActionContext, Task> step, CancellationToken cancellationToken)
    {
        // Stable across runs and crashes: the same input always gets the same key.
        var key = _keyPrefix + sourceKey;
        for (var attempt = 1; ; attempt++)
        {
            var action = new ActionContext(automationId, runId, workItemId, key, Ledger);
            try
            {
                await step(action);
                return new ActionOutcome(attempt, null, action.Effects);
            }
            catch (Exception e) when (IsTransient(e) && attempt < AutomationEngine.MaxActionAttempts)
            {
                log.Warning($"{sourceKey}: attempt {attempt} failed ({e.Message}); retrying.");
                await Task.Delay(Backoff[Math.Min(attempt - 1, Backoff.Length - 1)], cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new ActionOutcome(attempt, e.Message, []);
            }
        }
    }

    private static bool IsTransient(Exception e) =>
        e is TransientActionException or IOException or HttpRequestException or TimeoutException;
}

internal sealed record ActionOutcome(int Attempts, string? Error, IReadOnlyList<EffectRecord> Effects);

internal sealed class WorkItemRow(Guid id, string sourceKey, string? originalRef, DateTime receivedAt)
{
    public Guid Id { get; } = id;

    public string SourceKey { get; } = sourceKey;

    public string? OriginalRef { get; } = originalRef;

    public DateTime ReceivedAt { get; } = receivedAt;

    public WorkItemStatus Status { get; set; }

    public ItemDecision? Decision { get; set; }

    public string? Payload { get; set; }

    public ItemSummary? Summary { get; set; }

    public string? Error { get; set; }

    public int ActionAttempts { get; set; }

    public DateTime? DecidedAt { get; set; }

    public DateTime? CompletedAt { get; set; }

    public double ProcessingMs { get; set; }
}

internal sealed class EngineBatch
{
    public List<WorkItemRow> Items { get; } = [];

    public List<(Guid WorkItemId, EffectRecord Effect)> Effects { get; } = [];
}
