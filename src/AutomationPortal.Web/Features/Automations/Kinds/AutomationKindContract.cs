using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>
/// A built-in kind of automation: a plug-in of the engine. The kind reads items from a source, decides
/// each one with a pure function, and acts on the decision with side effects that are idempotent by key.
/// The engine does everything else: de-duplication, persistence, retries, quarantine, decisions,
/// escalations, the effects ledger and metrics.
/// </summary>
public interface IAutomationKind
{
    /// <summary>Catalogue key, kebab-case, stable forever (stored with each automation).</summary>
    string Key { get; }

    string DisplayName { get; }

    string Description { get; }

    /// <summary>A kind that shows how the engine works rather than doing business work; pickers list it last.</summary>
    bool IsSample => false;

    /// <summary>The settings class; bound from camelCase JSON, with every property's default documented.</summary>
    Type SettingsType { get; }

    /// <summary>Checks settings; each problem names its camelCase field.</summary>
    IEnumerable<SettingsError> Validate(object settings, KindValidationContext context);

    /// <summary>
    /// Starts a run: the returned object lives for the run and is disposed after it. Build it with
    /// <paramref name="runs"/>, so its constructor takes the services it needs (a webhook client, the clock) directly.
    /// </summary>
    IKindRun Start(KindRunContext context, IKindRunFactory runs);

    /// <summary>
    /// Runs of kinds that name the same group take turns, across automations and portal nodes (runs of one automation
    /// never overlap anyway). Null, the default: a run waits for no other automation's run.
    /// </summary>
    ConcurrencyGroup? ConcurrencyGroup => null;

    /// <summary>The folders the settings name, resolved; the portal creates them when the automation is saved.</summary>
    IReadOnlyList<KindFolder> Folders(object settings, string dataFolder) => [];

    /// <summary>
    /// Whether input handed to the automation waits to be read (for example files uploaded while it was paused);
    /// the portal then runs it as soon as it is resumed instead of at its next scheduled fire.
    /// </summary>
    bool HasHeldInput(object settings, string dataFolder) => false;

    /// <summary>
    /// A person resumed an automation of this kind: the resume is the acknowledgement, so what the kind keeps of earlier
    /// faults (such as an open circuit breaker) is forgotten and the next action is tried at once. A kind is a singleton
    /// built by dependency injection: the services it needs here come through its constructor.
    /// </summary>
    void Resumed(object settings)
    {
    }

    /// <summary>What people see of the kind's items: labels, reasons, statuses, the item view. Neutral by default.</summary>
    KindPresentation Presentation => KindPresentation.Neutral;

    /// <summary>
    /// What a person may do with an escalated item of an automation with these settings, and what each action will do,
    /// in the kind's words: approve and reject always; edit-and-approve when the kind names fields a person may
    /// correct; compensate when the kind can undo an item it acted on.
    /// </summary>
    HumanActions HumanActions(object settings) => Kinds.HumanActions.Plain;

    /// <summary>
    /// Why a person may reject an item or override its decision, as codes with labels; the list ends with
    /// <c>other</c>, which needs a note. <c>GET /api/automation-kinds</c> lists them.
    /// </summary>
    IReadOnlyList<RejectReason> RejectReasons => RejectReason.Defaults;

    /// <summary>
    /// A stored payload as the API answers it, with its long lists (an invoice's lines) cut to one page from
    /// <paramref name="from"/>, and where that page lies, so no answer grows with the document. Unchanged by default.
    /// </summary>
    string PagePayload(string payload, int from, int count) => payload;
}

/// <summary>
/// The actions a person may take on an escalated item, each with what it will do ("Adds an export line to the next
/// export and posts to the webhook"), for the preview beside the buttons. <see cref="Editable"/> lists the fields of
/// edit-and-approve (none: the kind offers no edit); <see cref="Compensate"/> says what undoing an item already acted
/// on means (null: the kind cannot undo it).
/// </summary>
public sealed record HumanActions(string Approve, string Reject, IReadOnlyList<EditableField> Editable, string? Compensate)
{
    /// <summary>Approve and reject only, in neutral words.</summary>
    public static HumanActions Plain { get; } = new(
        "Runs the automation's action for the item, as for an automated approval.",
        "Closes the item without action.",
        [],
        null);

    public bool CanEdit => Editable.Count > 0;

    public bool CanCompensate => Compensate is not null;
}

/// <summary>A reason a person gives for rejecting an item or overriding its decision: its code, its label, and whether a note must say more.</summary>
public sealed record RejectReason(string Code, string Label, bool NoteRequired = false)
{
    public const string Other = "other";

    /// <summary>What every kind offers unless it names its own reasons.</summary>
    public static IReadOnlyList<RejectReason> Defaults { get; } =
    [
        new("wrong-data", "The automation read it wrongly"),
        new("not-needed", "Nothing should be done with it"),
        new(Other, "Another reason (say which in the note)", NoteRequired: true),
    ];
}

/// <summary>A field a person may correct before approving: its name (as the kind reads it), label, type and help.</summary>
public sealed record EditableField(string Name, string Label, EditableFieldType Type, string? Help = null, int MaxLength = 200);

public enum EditableFieldType
{
    Text,
    Date,
    Amount,
}

/// <summary>A corrected item, checked again: the item to store and act on, or the problems by field.</summary>
public sealed record EditedItem(PreparedItem? Item, IReadOnlyList<SettingsError> Errors)
{
    public static EditedItem Refused(params SettingsError[] errors) => new(null, errors);
}

/// <summary>A folder an automation reads or writes, for people: what it is for and where it is.</summary>
public sealed record KindFolder(string Name, string Path);

/// <summary>The work of one run of a kind.</summary>
public interface IKindRun : IAsyncDisposable
{
    /// <summary>The source: yields items with stable keys. Items already known are skipped by the engine.</summary>
    IAsyncEnumerable<SourceItem> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads an item into the kind's model. Throw <see cref="ItemRejectedException"/> for input that can never
    /// be processed: the engine quarantines it with the message and keeps the original. <paramref name="workItemId"/>
    /// is the id the item will be stored under, for kinds that remember items within a run.
    /// </summary>
    PreparedItem Prepare(SourceItem item, Guid workItemId);

    /// <summary>Brings back a prepared item from its stored payload, to retry its action in a later run.</summary>
    PreparedItem Restore(string payload);

    /// <summary>The pure decide step: no I/O, no clock, the same answer for the same item and context.</summary>
    ItemDecision Decide(PreparedItem item, DecisionContext context);

    /// <summary>
    /// Acts on a decision that calls for action. Must be idempotent by <see cref="ActionContext.IdempotencyKey"/>:
    /// the engine may call it again for the same item after a crash. Throw <see cref="TransientActionException"/>
    /// (or let an <see cref="IOException"/> or <see cref="HttpRequestException"/> through) for faults worth retrying.
    /// </summary>
    Task ActAsync(ActionContext context, PreparedItem item, ItemDecision decision, CancellationToken cancellationToken);

    /// <summary>Per-run effects after all items, such as one export file for the whole run.</summary>
    Task CompleteAsync(RunCompletionContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a person's corrections (by field name, as <see cref="HumanActions.Editable"/> names them) to a stored
    /// item and checks it again, before it is approved and acted on: the corrected item, or the problems by field.
    /// <paramref name="workItemId"/> is the item's own id, so a check against the history can leave it out. Only kinds
    /// that name editable fields are asked.
    /// </summary>
    Task<EditedItem> EditAsync(Guid workItemId, PreparedItem item, IReadOnlyDictionary<string, string?> values, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This kind of automation names no fields a person may correct.");

    /// <summary>
    /// Undoes an item the kind acted on (for invoices: a reversal line in the next export and a reversal post), idempotent
    /// by <see cref="ActionContext.IdempotencyKey"/> as the act step is: the engine calls it from a run, retries it as it
    /// retries actions, and marks the item's earlier effects compensated once it returns. Only kinds that declare
    /// <see cref="HumanActions.Compensate"/> are asked.
    /// </summary>
    Task CompensateAsync(ActionContext context, PreparedItem item, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This kind of automation cannot undo what it did.");

    /// <summary>
    /// Tells the source what became of an item (for example: move the file to archive, or to quarantine with
    /// <paramref name="reason"/> beside it). Called only after the item's record is safely stored.
    /// </summary>
    Task<string?> AcknowledgeAsync(SourceItem item, SourceOutcome outcome, string? reason, CancellationToken cancellationToken);
}

/// <summary>An input as the source found it.</summary>
public sealed record SourceItem(string Key, string? OriginalRef, ReadOnlyMemory<byte> Content)
{
    /// <summary>Whatever the source needs to acknowledge the item later (a file path, a message id).</summary>
    public object? SourceState { get; init; }

    /// <summary>
    /// Handed to the portal (an upload) rather than found where people also work: acknowledged once stored in every
    /// mode, shadow included, so it is never read again. A watched folder's items stay put in shadow.
    /// </summary>
    public bool HandedIn { get; init; }

    /// <summary>
    /// Set by a source for an input it would not read (a symbolic link, a pipe): the engine quarantines it with this
    /// reason (code <c>not-a-file</c>) without asking the kind to prepare it.
    /// </summary>
    public string? Refusal { get; init; }
}

/// <summary>The kind's reading of an item: its payload to store and its summary fields.</summary>
public sealed record PreparedItem(object Model, string Payload, ItemSummary Summary);

public sealed record ItemSummary(
    string? Reference = null,
    string? Party = null,
    string? PartyId = null,
    decimal? Amount = null,
    string? Currency = null,
    string? Type = null,
    DateOnly? Date = null,
    string? ContentKey = null);

/// <summary>The decisions the engine knows; a kind may decide others (its own words), which the engine stores as they are.</summary>
public static class Decisions
{
    public const string Approve = "approve";

    public const string Reject = "reject";

    public const string Escalate = "escalate";

    /// <summary>A person's approval with corrections: the item was acted on as corrected, not as it was read.</summary>
    public const string CorrectAndApprove = "correct-and-approve";

    /// <summary>A person's request to undo an item acted on; the kind's compensation carries it out.</summary>
    public const string Compensate = "compensate";
}

/// <summary>A decision with machine-readable reason codes. <see cref="Act"/> asks for the act step.</summary>
public sealed record ItemDecision(string Decision, IReadOnlyList<string> ReasonCodes, bool Escalate, bool Act, string? Note = null)
{
    private static readonly ItemDecision PlainApproval = new(Decisions.Approve, [], Escalate: false, Act: true);

    public static ItemDecision Approve(params string[] reasons) => reasons.Length == 0 ? PlainApproval : new(Decisions.Approve, reasons, Escalate: false, Act: true);

    public static ItemDecision EscalateFor(params string[] reasons) => new(Decisions.Escalate, reasons, Escalate: true, Act: false);

    public static ItemDecision RejectFor(params string[] reasons) => new(Decisions.Reject, reasons, Escalate: false, Act: false);
}

public enum SourceOutcome
{
    Processed,
    Duplicate,
    Quarantined,
}

public sealed record SettingsError(string Field, string Message);

public sealed record KindValidationContext(IReadOnlyList<string> AllowedRoots, string DataFolder);

/// <summary>
/// What a run is told about itself: whose run it is, in which mode, with which settings, where the data folder is, where
/// its log goes. Services are no part of it: a run takes them through its constructor (<see cref="IKindRunFactory"/>).
/// </summary>
public sealed record KindRunContext(
    Guid AutomationId,
    Guid RunId,
    RunMode Mode,
    object Settings,
    string DataFolder,
    Action<LogLevelName, string> Log,
    TimeProvider? Time = null)
{
    /// <summary>The portal's clock (tests set it); kinds read the time from here, never from DateTime.UtcNow.</summary>
    public TimeProvider Clock => Time ?? TimeProvider.System;

    /// <summary>Earlier items of the kind, from the engine's records.</summary>
    public IItemHistory History { get; init; } = NoRecords.Instance;
}

/// <summary>
/// Builds a kind's runs by constructor injection: the run's constructor is given <c>arguments</c> (the run's
/// <see cref="KindRunContext"/>, its typed settings, whatever else the kind passes; each must be taken by a parameter)
/// and every other parameter from the portal's services, in a scope that lives as long as the run.
/// </summary>
public interface IKindRunFactory
{
    TRun Create<TRun>(params object[] arguments)
        where TRun : class, IKindRun;
}

/// <summary>The portal's <see cref="IKindRunFactory"/>: <see cref="ActivatorUtilities"/> over the given services.</summary>
public sealed class KindRunFactory(IServiceProvider services) : IKindRunFactory
{
    public TRun Create<TRun>(params object[] arguments)
        where TRun : class, IKindRun => ActivatorUtilities.CreateInstance<TRun>(services, arguments);
}

/// <summary>
/// A group of runs that take turns: one run at a time holds the group's lease in the database, from before it reads its
/// source until it is disposed, so checks that compare an item with earlier ones (duplicates across automations) see
/// everything the run before stored. Runs of other groups, and of kinds without one, never wait for it.
/// </summary>
/// <param name="Name">The group's stable name, kebab-case, up to 64 characters (for example the kind's key).</param>
/// <param name="WaitingMessage">Said once in the run log of a run that has to wait its turn, in the kind's words.</param>
public sealed record ConcurrencyGroup(string Name, string WaitingMessage);

/// <summary>For a run started outside the engine (a unit test): no history, and no ledger to ask.</summary>
internal sealed class NoRecords : IItemHistory
{
    public static NoRecords Instance { get; } = new();

    public async IAsyncEnumerable<HistoricItem> OfKindAsync(string kind, bool includeShadow, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    public Task<IReadOnlyList<HistoricItem>> LatestOfPartyAsync(string kind, string partyId, string? currency, int count, bool includeShadow, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HistoricItem>>([]);

    public Task<IReadOnlyList<HistoricItem>> MatchingAsync(string kind, string? contentKey, string? partyId, string? reference, bool includeShadow, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HistoricItem>>([]);
}

public sealed record DecisionContext(Guid AutomationId, RunMode Mode, DateTime Now, object Settings);

/// <summary>What the act step knows: its idempotency key, and the ledger to record what it did.</summary>
public sealed class ActionContext(Guid automationId, Guid runId, Guid workItemId, string idempotencyKey, IEffectsLedger? ledger = null)
{
    private readonly List<EffectRecord> _effects = [];

    public Guid AutomationId { get; } = automationId;

    public Guid RunId { get; } = runId;

    public Guid WorkItemId { get; } = workItemId;

    /// <summary>Stable per item and action: send it along (for example as an Idempotency-Key header).</summary>
    public string IdempotencyKey { get; } = idempotencyKey;

    public IReadOnlyList<EffectRecord> Effects => _effects;

    /// <summary>Records what the action did; the engine writes it to the effects ledger with the item.</summary>
    public void Record(string type, string target, string? detail = null, string? keySuffix = null) =>
        _effects.Add(new EffectRecord(type, Key(keySuffix), target, detail));

    /// <summary>Whether the effect with this key (the item's key, or it with <paramref name="keySuffix"/>) is in the ledger already.</summary>
    public Task<bool> IsAppliedAsync(string? keySuffix, CancellationToken cancellationToken) =>
        Ledger.IsAppliedAsync(Key(keySuffix), cancellationToken);

    /// <summary>
    /// Records an effect in the ledger at once, not with the item's chunk: for an action whose success must survive
    /// the process dying the next moment (a post another system has booked).
    /// </summary>
    public Task RecordNowAsync(string type, string target, string? detail, string? keySuffix, CancellationToken cancellationToken) =>
        Ledger.RecordNowAsync(RunId, WorkItemId, new EffectRecord(type, Key(keySuffix), target, detail), cancellationToken);

    private IEffectsLedger Ledger => ledger ?? throw new InvalidOperationException("This action was given no effects ledger.");

    private string Key(string? keySuffix) => keySuffix is null ? IdempotencyKey : $"{IdempotencyKey}:{keySuffix}";
}

public sealed record EffectRecord(string Type, string IdempotencyKey, string Target, string? Detail);

/// <summary>The effects ledger of one automation, as a kind's act step uses it: engine-owned, never SQL of the kind's.</summary>
public interface IEffectsLedger
{
    Task<bool> IsAppliedAsync(string idempotencyKey, CancellationToken cancellationToken);

    Task RecordNowAsync(Guid runId, Guid? workItemId, EffectRecord effect, CancellationToken cancellationToken);
}

/// <summary>An item decided before, as the history shows it: its summary (reference, party, amount…), whose and when.</summary>
public sealed record HistoricItem(Guid WorkItemId, Guid AutomationId, ItemSummary Summary, DateTime ReceivedAt);

/// <summary>
/// Earlier items of automations of a kind (quarantined ones never: nothing was read), for checks that compare an item
/// with what came before, such as duplicates and unusual amounts. Live runs see live items only; shadow runs both.
/// </summary>
public interface IItemHistory
{
    /// <summary>Every earlier item of the kind, oldest first, for a run that keeps its own index of them.</summary>
    IAsyncEnumerable<HistoricItem> OfKindAsync(string kind, bool includeShadow, CancellationToken cancellationToken);

    /// <summary>The latest <paramref name="count"/> items of one counterparty in one currency across automations of the kind, newest first.</summary>
    Task<IReadOnlyList<HistoricItem>> LatestOfPartyAsync(string kind, string partyId, string? currency, int count, bool includeShadow, CancellationToken cancellationToken);

    /// <summary>Items with this content fingerprint, or this reference (subject) from this party.</summary>
    Task<IReadOnlyList<HistoricItem>> MatchingAsync(string kind, string? contentKey, string? partyId, string? reference, bool includeShadow, CancellationToken cancellationToken);
}

/// <summary>Reads a run's effects from the ledger, of one type or all, in the order they were recorded.</summary>
public delegate Task<IReadOnlyList<EffectRecord>> RunEffectsReader(Guid runId, string? type, CancellationToken cancellationToken);

/// <summary>
/// The end of a run, for per-run effects: what the kind records here goes into the effects ledger once
/// <see cref="IKindRun.CompleteAsync"/> has returned. <see cref="Runs"/> names this run and the earlier runs that
/// stopped before their completion (a crash, a failure): the kind completes each the same way, reading their effects
/// from the ledger with <see cref="EffectsOfAsync"/>, so a per-run effect is rebuilt after a crash for any kind. The
/// engine marks each run complete once this returns. A kind without per-run effects reads nothing and pays nothing.
/// </summary>
public sealed class RunCompletionContext(Guid automationId, Guid runId, IReadOnlyList<Guid>? runs = null, RunEffectsReader? reader = null)
{
    private readonly List<EffectRecord> _effects = [];

    public Guid AutomationId { get; } = automationId;

    public Guid RunId { get; } = runId;

    /// <summary>This run first, then the earlier runs whose completion is missing, oldest first.</summary>
    public IReadOnlyList<Guid> Runs { get; } = runs ?? [runId];

    public IReadOnlyList<EffectRecord> Effects => _effects;

    /// <summary>A run's effects in the ledger (of <paramref name="type"/> only, when given), in the order they were recorded.</summary>
    public Task<IReadOnlyList<EffectRecord>> EffectsOfAsync(Guid run, string? type, CancellationToken cancellationToken) =>
        reader is null ? Task.FromResult<IReadOnlyList<EffectRecord>>([]) : reader(run, type, cancellationToken);

    public void Record(string type, string idempotencyKey, string target, string? detail = null) =>
        _effects.Add(new EffectRecord(type, idempotencyKey, target, detail));
}

/// <summary>Input that can never be processed as it is; the engine quarantines it with this message.</summary>
public sealed class ItemRejectedException(string message, string reasonCode = "unreadable") : Exception(message)
{
    public string ReasonCode { get; } = reasonCode;
}

/// <summary>A fault worth retrying: a system briefly down, a timeout.</summary>
public sealed class TransientActionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The built-in kinds, by key.</summary>
public sealed class AutomationKindCatalog(IEnumerable<IAutomationKind> kinds)
{
    private readonly Dictionary<string, IAutomationKind> _kinds = kinds.ToDictionary(k => k.Key, StringComparer.Ordinal);

    /// <summary>Every kind, those for business work first (by name), samples last.</summary>
    public IReadOnlyList<IAutomationKind> All { get; } = [.. kinds.OrderBy(k => k.IsSample).ThenBy(k => k.DisplayName, StringComparer.CurrentCulture)];

    public IAutomationKind? Find(string key) => _kinds.GetValueOrDefault(key);

    public IAutomationKind Get(string key) =>
        Find(key) ?? throw new InvalidOperationException($"No built-in automation kind '{key}'. Known kinds: {string.Join(", ", _kinds.Keys)}.");
}

/// <summary>
/// A kind that takes files handed to it: the upload dialog and <c>POST /api/automations/{id}/items</c> work for every
/// kind that implements this. The portal writes each file whole into <see cref="UploadsFolder"/> (or, while the
/// automation may not decide, into <see cref="UploadFolders.Held"/> inside it) and runs the automation at once; the
/// kind's source reads both, held files first. A handed-in file's source key is the SHA-256 of its bytes in lower-case
/// hex, so the same bytes twice are one item and the answer can name each file's work item.
/// </summary>
public interface IAcceptsUploads
{
    /// <summary>Where handed-in files are written for the kind's source to read.</summary>
    string UploadsFolder(object settings, string dataFolder);

    /// <summary>Larger files are refused before they are stored, naming the limit.</summary>
    long MaxFileBytes(object settings);

    /// <summary>The words of the upload button and dialog.</summary>
    UploadWords UploadWords { get; }
}

/// <summary>
/// The upload dialog in the kind's words: its button ("Upload invoices"), what files are taken ("UBL or CII XML, or the
/// portal's CSV or JSON"), what happens to each ("Each file is read, verified and checked for duplicates at once") and
/// what to drop ("invoice files").
/// </summary>
public sealed record UploadWords(string Button, string Accepts, string WhatHappens, string Files);

/// <summary>The folders every uploading kind shares by convention.</summary>
public static class UploadFolders
{
    /// <summary>Files handed in while the automation could not decide (paused, or a Draft), kept for the first run that may.</summary>
    public static string Held(string uploads) => Path.Combine(uploads, "held");
}
