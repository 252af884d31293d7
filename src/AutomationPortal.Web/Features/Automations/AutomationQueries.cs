using AutomationPortal.Web.Infrastructure.Files;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations;

public sealed record Paged<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

public sealed record RunDetail(RunSummary Run, Guid AutomationId, string AutomationName, int SettingsVersion, DateTime? ScheduledFor, string? RequestedBy, string? Error, double? LatenessMs, IReadOnlyList<RunLogLine> Log);

/// <summary>
/// A work item as the API and pages show it: the kind's summary fields sit at the top level under generic names
/// (reference, party, amount) for every kind, and under the names the kind gives them as well (<see cref="KindFields"/>).
/// </summary>
public sealed record WorkItemView(
    Guid Id,
    Guid AutomationId,
    string SourceKey,
    Lane Lane,
    WorkItemStatus Status,
    string? Decision,
    IReadOnlyList<string> ReasonCodes,
    string? Reference,
    string? Party,
    string? PartyId,
    decimal? Amount,
    string? Currency,
    string? Type,
    string? OriginalRef,
    string? Error,
    DateTime ReceivedAt,
    DateTime? CompletedAt,
    double ProcessingMs,
    Guid RunId,
    Guid LastRunId,
    DateOnly? DocumentDate = null)
{
    /// <summary>
    /// How people know the item: its reference (an invoice number) or, for an item read without one (a quarantined
    /// file), the name of its original file; the source key, a hash, only when neither is known.
    /// </summary>
    public string Title => Reference ?? FileName ?? SourceKey[..Math.Min(12, SourceKey.Length)];

    /// <summary>The name of the original file, when the item came from one.</summary>
    public string? FileName => OriginalRef is { } original && Path.GetFileName(original.TrimEnd('/', '\\')) is { Length: > 0 } name ? name : null;

    /// <summary>The kind's own names for the summary fields (for invoices invoiceNumber, supplierName…), in the API answer.</summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object?>? KindFields { get; init; }
}

/// <summary>A work item with everything recorded about it: the kind's payload, its decisions, escalation and effects.</summary>
public sealed record WorkItemDetail(
    WorkItemView Item,
    string AutomationName,
    string Kind,
    string? Payload,
    IReadOnlyList<DecisionRecord> Decisions,
    IReadOnlyList<Effect> Effects,
    Escalation? Escalation);

/// <summary>A run in business terms: what was approved (by currency), why items were escalated, and what was posted.</summary>
public sealed record RunBreakdown(
    IReadOnlyList<AmountByCurrency> Approved,
    IReadOnlyList<ReasonCount> Reasons,
    IReadOnlyList<EffectCount> Effects);

public sealed record AmountByCurrency(string Currency, int Count, decimal Amount);

public sealed record ReasonCount(string Code, int Count);

public sealed record EffectCount(string Type, int Count, IReadOnlyList<string> Targets);

/// <summary>What names a run for people: its automation and when it was asked for.</summary>
public sealed record RunName(Guid RunId, Guid AutomationId, string AutomationName, RunTrigger Trigger, DateTime QueuedAt);

/// <summary>Where a work item stands, for pages that show it as evidence for another.</summary>
public sealed record WorkItemState(Guid Id, WorkItemStatus Status, string? Decision, Lane Lane);

/// <summary>An automation's stored settings, for pages that explain decisions with their figures.</summary>
public sealed record AutomationSettings(Guid AutomationId, string Kind, string Settings, int SettingsVersion);

public sealed record AlertView(Guid Id, Guid AutomationId, string AutomationName, string Code, string Message, DateTime RaisedAt, DateTime? AcknowledgedAt, string? AcknowledgedBy);

/// <summary>Read-side of the engine: runs, their items and logs, work items, alerts. Paged on the server.</summary>
public sealed class AutomationQueries(PortalDbContext db, PortalFolders folders, AutomationKindCatalog catalog) : IItemLookup
{
    public const int MaxPageSize = 500;

    public async Task<RunDetail?> RunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var run = await db.Set<AutomationRun>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var name = await db.Set<Automation>().Where(a => a.Id == run.AutomationId).Select(a => a.Name).FirstAsync(cancellationToken);
        var log = await db.Set<RunLogLine>().AsNoTracking().Where(l => l.RunId == runId).OrderBy(l => l.At).ThenBy(l => l.Id).ToListAsync(cancellationToken);
        return new RunDetail(ListAutomations.Summarise(run), run.AutomationId, name, run.SettingsVersion, run.ScheduledFor, run.RequestedBy, run.Error, run.LatenessMs, log);
    }

    /// <summary>The automation and time of each run, for pages that refer to runs by id (runs not found are left out).</summary>
    public async Task<IReadOnlyDictionary<Guid, RunName>> RunNamesAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count == 0)
        {
            return new Dictionary<Guid, RunName>();
        }

        return await db.Set<AutomationRun>().AsNoTracking().Where(r => runIds.Contains(r.Id))
            .Join(db.Set<Automation>(), r => r.AutomationId, a => a.Id, (r, a) => new RunName(r.Id, a.Id, a.Name, r.Trigger, r.QueuedAt))
            .ToDictionaryAsync(r => r.RunId, cancellationToken);
    }

    public async Task<Paged<RunSummary>> RunsAsync(Guid automationId, int page, int pageSize, bool includeSkipped = true, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Normalise(page, pageSize);
        if (!await db.Set<Automation>().AnyAsync(a => a.Id == automationId, cancellationToken))
        {
            throw new AutomationNotFoundException(automationId);
        }

        var query = db.Set<AutomationRun>().AsNoTracking().Where(r => r.AutomationId == automationId);
        if (!includeSkipped)
        {
            query = query.Where(r => r.SkipReason == null);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(r => r.QueuedAt).ThenByDescending(r => r.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new Paged<RunSummary>(rows.Select(ListAutomations.Summarise).ToList(), total, page, pageSize);
    }

    public async Task<Paged<WorkItemView>> WorkItemsAsync(Guid? automationId, WorkItemStatus? status, string? reason, Guid? runId, string? search, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Normalise(page, pageSize);
        var query = db.Set<WorkItem>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            // By reference (an invoice number), party (a supplier) or party id; the term is taken literally.
            var pattern = SqlLike.Containing(search.Trim());
            query = query.Where(w => EF.Functions.Like(w.SummaryReference, pattern, "\\") || EF.Functions.Like(w.SummaryParty, pattern, "\\") || EF.Functions.Like(w.SummaryPartyId, pattern, "\\"));
        }

        if (automationId is { } a)
        {
            query = query.Where(w => w.AutomationId == a);
        }

        if (status is { } s)
        {
            query = query.Where(w => w.Status == s);
        }

        if (runId is { } r)
        {
            query = query.Where(w => w.RunId == r || w.LastRunId == r);
        }

        if (!string.IsNullOrWhiteSpace(reason))
        {
            var code = reason.Trim();
            query = query.Where(w => w.ReasonCodes == code || w.ReasonCodes.StartsWith(code + " ") || w.ReasonCodes.EndsWith(" " + code) || w.ReasonCodes.Contains(" " + code + " "));
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(w => w.ReceivedAt).ThenByDescending(w => w.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var automations = rows.Select(w => w.AutomationId).Distinct().ToList();
        var kinds = await db.Set<Automation>().AsNoTracking().Where(x => automations.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Kind, cancellationToken);
        return new Paged<WorkItemView>(rows.Select(w => WithKindFields(View(w), kinds.GetValueOrDefault(w.AutomationId))).ToList(), total, page, pageSize);
    }

    public async Task<RunBreakdown> RunBreakdownAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var items = await db.Set<WorkItem>().AsNoTracking()
            .Where(w => w.RunId == runId || w.LastRunId == runId)
            .Select(w => new { w.Status, w.Decision, w.ReasonCodes, w.SummaryAmount, w.SummaryCurrency })
            .ToListAsync(cancellationToken);
        var approved = items.Where(w => w.Status == WorkItemStatus.Done && w.Decision == Decisions.Approve && w.SummaryAmount is not null)
            .GroupBy(w => w.SummaryCurrency ?? "")
            .Select(g => new AmountByCurrency(g.Key, g.Count(), g.Sum(w => w.SummaryAmount!.Value)))
            .OrderByDescending(a => a.Count).ToList();
        var reasons = items.SelectMany(w => w.ReasonCodes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(r => r).Select(g => new ReasonCount(g.Key, g.Count())).OrderByDescending(r => r.Count).ThenBy(r => r.Code, StringComparer.Ordinal).ToList();
        var effects = (await db.Set<Effect>().AsNoTracking().Where(e => e.RunId == runId).Select(e => new { e.Type, e.Target }).ToListAsync(cancellationToken))
            .GroupBy(e => e.Type)
            .Select(g => new EffectCount(g.Key, g.Count(), g.Select(e => e.Target).Distinct().Take(5).ToList()))
            .ToList();
        return new RunBreakdown(approved, reasons, effects);
    }

    public async Task<WorkItemDetail?> WorkItemAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var item = await db.Set<WorkItem>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var automation = await db.Set<Automation>().AsNoTracking().Where(a => a.Id == item.AutomationId).Select(a => new { a.Name, a.Kind }).FirstAsync(cancellationToken);
        var decisions = await db.Set<DecisionRecord>().AsNoTracking().Where(d => d.WorkItemId == id).OrderBy(d => d.At).ThenBy(d => d.Id).ToListAsync(cancellationToken);

        // An item's effects carry its key: the automation's id, the item's source key, and a suffix per effect.
        var keyPrefix = $"{item.AutomationId:N}:{item.SourceKey}";
        var effects = await db.Set<Effect>().AsNoTracking()
            .Where(e => e.AutomationId == item.AutomationId && (e.IdempotencyKey == keyPrefix || e.IdempotencyKey.StartsWith(keyPrefix + ":")))
            .OrderBy(e => e.At).ToListAsync(cancellationToken);
        var escalation = await db.Set<Escalation>().AsNoTracking().Where(e => e.WorkItemId == id).OrderByDescending(e => e.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        return new WorkItemDetail(WithKindFields(View(item), automation.Kind), automation.Name, automation.Kind, item.Payload, decisions, effects, escalation);
    }

    Task<IReadOnlyDictionary<Guid, WorkItemState>> IItemLookup.StatesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        WorkItemStatesAsync(ids, cancellationToken);

    /// <summary>Where each of these work items stands (items not found are left out).</summary>
    public async Task<IReadOnlyDictionary<Guid, WorkItemState>> WorkItemStatesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return new Dictionary<Guid, WorkItemState>();
        }

        return await db.Set<WorkItem>().AsNoTracking().Where(w => ids.Contains(w.Id))
            .Select(w => new WorkItemState(w.Id, w.Status, w.Decision, w.Lane))
            .ToDictionaryAsync(w => w.Id, cancellationToken);
    }

    public async Task<AutomationSettings?> SettingsAsync(Guid automationId, CancellationToken cancellationToken = default) =>
        await db.Set<Automation>().AsNoTracking().Where(a => a.Id == automationId)
            .Select(a => new AutomationSettings(a.Id, a.Kind, a.Settings, a.SettingsVersion))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>Where the original file of a work item is kept, when it is a file the portal holds.</summary>
    /// <summary>
    /// The original file of a work item, opened for reading: only a plain file (never a link) that lies, by its real
    /// path, under the allowed roots and is not one of the portal's own files. Null when there is none to serve.
    /// </summary>
    public async Task<(FileStream Content, string Name)?> OpenOriginalAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (OriginalFile(await db.Set<WorkItem>().Where(w => w.Id == id).Select(w => w.OriginalRef).FirstOrDefaultAsync(cancellationToken)) is not { } path)
        {
            return null;
        }

        try
        {
            // Opened without following a link: a file swapped for one after the check above is not served either.
            return (SafeFiles.OpenRead(path), Path.GetFileName(path));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>An original reference that is a file the portal may serve, or null.</summary>
    public string? OriginalFile(string? originalRef) => folders.ServableFile(originalRef);

    public async Task<IReadOnlyList<AlertView>> AlertsAsync(bool openOnly, CancellationToken cancellationToken = default)
    {
        var query = db.Set<Alert>().AsNoTracking();
        if (openOnly)
        {
            query = query.Where(a => a.AcknowledgedAt == null);
        }

        return await query.OrderByDescending(a => a.RaisedAt).Take(200)
            .Join(db.Set<Automation>(), a => a.AutomationId, x => x.Id, (a, x) => new AlertView(a.Id, a.AutomationId, x.Name, a.Code, a.Message, a.RaisedAt, a.AcknowledgedAt, a.AcknowledgedBy))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The kind's presentation of an automation's kind, neutral for a kind no longer installed.</summary>
    public KindPresentation PresentationOf(string? kind) => kind is not null && catalog.Find(kind) is { } found ? found.Presentation : KindPresentation.Neutral;

    private WorkItemView WithKindFields(WorkItemView view, string? kind) =>
        PresentationOf(kind).ApiFields(view) is { Count: > 0 } fields ? view with { KindFields = new Dictionary<string, object?>(fields) } : view;

    public static WorkItemView View(WorkItem w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return new WorkItemView(w.Id, w.AutomationId, w.SourceKey, w.Lane, w.Status, w.Decision, w.ReasonList, w.SummaryReference, w.SummaryParty, w.SummaryPartyId,
            w.SummaryAmount, w.SummaryCurrency, w.SummaryType, w.OriginalRef, w.Error, w.ReceivedAt, w.CompletedAt, w.ProcessingMs, w.RunId, w.LastRunId, w.SummaryDate);
    }

    /// <summary>The page asked for, from 1; one past every row the portal could hold is refused naming the field.</summary>
    private static (int Page, int PageSize) Normalise(int page, int pageSize)
    {
        var size = Math.Clamp(pageSize, 1, MaxPageSize);
        var number = Math.Max(page, 1);
        if ((long)(number - 1) * size > int.MaxValue)
        {
            throw AutomationValidationException.For("page", $"Page {page} is beyond any list; pages count from 1.");
        }

        return (number, size);
    }
}
