using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Handling;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Escalations;

/// <summary>
/// The escalation queue, read side: one queue across all automations, filtered, sorted and paged on the server, its
/// quick views with their counts, and one escalation with the whole context on one page. Names no kind: what an item
/// is and why it was escalated come from its kind's presentation.
/// </summary>
public sealed class EscalationQueries(
    PortalDbContext db,
    CurrentActor currentActor,
    AutomationQueries queries,
    AutomationKindCatalog catalog,
    EscalationReturns returns,
    TimeProvider time,
    IOptions<OrganisationOptions> organisation,
    IOptions<EscalationOptions> options)
{
    public const int MaxPageSize = 200;

    /// <summary>The longest search term or party filter taken; longer ones are cut, never an error.</summary>
    public const int MaxTermLength = 200;

    public async Task<Paged<EscalationView>> ListAsync(EscalationFilter filter, EscalationSort sort, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(sort);
        var actor = await RequireQueueAsync();
        await using var connection = await OneConnectionAsync(cancellationToken);
        await ReturnDueAsync(cancellationToken);
        page = Math.Max(page, 1);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var escalations = Filtered(Searched(filter.Search), filter, actor);
        // Every escalation has its work item and its automation (the engine stores them together), so the count needs
        // neither join; all the filters are on the escalation's own columns and indexes.
        var total = await escalations.CountAsync(cancellationToken);
        var rows = await Sorted(Rows(escalations), sort).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new Paged<EscalationView>(rows.Select(View).ToList(), total, page, pageSize);
    }

    /// <summary>The quick views' counts for the current person; each is exactly what its view lists.</summary>
    public async Task<QueueCounts> CountsAsync(CancellationToken cancellationToken = default)
    {
        var actor = await RequireQueueAsync();
        await using var connection = await OneConnectionAsync(cancellationToken);
        await ReturnDueAsync(cancellationToken);
        var me = actor.Id ?? Guid.Empty;
        var since = StartOfToday();
        var escalations = db.Set<Escalation>().AsNoTracking();
        // Grouped by the columns of the open queue's own index, so SQLite counts along it without sorting anything.
        var open = (await escalations.Where(e => e.Status != EscalationStatus.Resolved)
            .GroupBy(e => new { e.Status, e.AssigneeId })
            .Select(g => new { g.Key.Status, g.Key.AssigneeId, Count = g.Count() })
            .ToListAsync(cancellationToken))
            .Select(g => new { g.Status, Mine = g.AssigneeId == me, g.Count })
            .ToList();
        var resolvedToday = await escalations.CountAsync(e => e.Status == EscalationStatus.Resolved && e.ResolvedAt >= since, cancellationToken);
        return new QueueCounts(
            open.Sum(g => g.Count),
            open.Where(g => g.Mine && g.Status == EscalationStatus.Claimed).Sum(g => g.Count),
            open.Where(g => g.Status == EscalationStatus.Open).Sum(g => g.Count),
            open.Where(g => g.Status == EscalationStatus.Deferred).Sum(g => g.Count),
            resolvedToday);
    }

    /// <summary>One escalation by id, as the queue shows it; null when there is none.</summary>
    public async Task<EscalationView?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await RequireQueueAsync();
        return await Rows().Where(r => r.Id == id).FirstOrDefaultAsync(cancellationToken) is { } row ? View(row) : null;
    }

    /// <summary>
    /// An escalation to change, tracked, with the fields of its item and automation that its view needs, in one query:
    /// the view then shows the escalation as it is in memory, so an action answers after its save without reading again.
    /// Null when there is none.
    /// </summary>
    internal async Task<EscalationToChange?> ToChangeAsync(Guid id, CancellationToken cancellationToken)
    {
        var found = await (
            from e in db.Set<Escalation>()
            join w in db.Set<WorkItem>() on e.WorkItemId equals w.Id
            join a in db.Set<Automation>() on e.AutomationId equals a.Id
            where e.Id == id
            select new { Escalation = e, AutomationName = a.Name, a.Kind, w.SummaryCurrency, w.SummaryType, w.SummaryDate, w.Status })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var escalation = found.Escalation;
        return new EscalationToChange(escalation, () => View(new QueueRow
        {
            Id = escalation.Id,
            WorkItemId = escalation.WorkItemId,
            AutomationId = escalation.AutomationId,
            AutomationName = found.AutomationName,
            Kind = found.Kind,
            Status = escalation.Status,
            AssigneeId = escalation.AssigneeId,
            AssigneeName = escalation.AssigneeName,
            Reasons = escalation.Reasons,
            CreatedAt = escalation.CreatedAt,
            ClaimedAt = escalation.ClaimedAt,
            DeferredUntil = escalation.DeferredUntil,
            ResolvedAt = escalation.ResolvedAt,
            Reference = escalation.Reference,
            Party = escalation.Party,
            PartyId = escalation.PartyId,
            Amount = escalation.Amount,
            Currency = found.SummaryCurrency,
            Type = found.SummaryType,
            DocumentDate = found.SummaryDate,
            ItemStatus = found.Status,
            Version = escalation.Version,
        }));
    }

    /// <summary>The latest escalation of a work item, if it ever had one.</summary>
    public async Task<Guid?> OfWorkItemAsync(Guid workItemId, CancellationToken cancellationToken = default)
    {
        await RequireQueueAsync();
        return await db.Set<Escalation>().AsNoTracking().Where(e => e.WorkItemId == workItemId).OrderByDescending(e => e.CreatedAt)
            .Select(e => (Guid?)e.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>An escalation with everything a person needs to decide it; null when there is none.</summary>
    public async Task<EscalationDetail?> DetailAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await RequireQueueAsync();
        await ReturnDueAsync(cancellationToken);
        if (await Rows().Where(r => r.Id == id).FirstOrDefaultAsync(cancellationToken) is not { } row)
        {
            return null;
        }

        var escalation = View(row);
        var item = await queries.WorkItemAsync(row.WorkItemId, cancellationToken) ?? throw new NotFoundException("The escalation's work item is gone.");
        var kind = catalog.Find(row.Kind);
        var presentation = kind?.Presentation ?? KindPresentation.Neutral;
        var automation = await db.Set<Automation>().AsNoTracking().FirstAsync(a => a.Id == row.AutomationId, cancellationToken);
        var settings = kind is not null ? KindSettings.Read(kind, automation.Settings) : null;
        var explanation = await presentation.ExplainAsync(new ItemContext(item, settings, queries), cancellationToken);
        var reasons = item.Item.ReasonCodes.Distinct()
            .Select(code => new ReasonExplained(code, explanation.Reasons.GetValueOrDefault(code) ?? presentation.DescribeReason(code, settings), presentation.ReasonHelp(code)))
            .ToList();

        var runs = await queries.RunNamesAsync([item.Item.RunId], cancellationToken);
        var actions = kind is null || settings is null ? HumanActions.Plain : kind.HumanActions(settings);
        var whenPaused = automation.IsPaused
            ? $"{automation.Name} is paused: an approval is recorded now. {presentation.WaitsForResume}"
            : !automation.IsDemo && automation.State is not (AutomationState.Pilot or AutomationState.Production)
                ? $"{automation.Name} is in {automation.State}: an approval is recorded now and acted on once it is in Pilot or Production."
                : null;
        var preview = new ActionPreview(actions.Approve, actions.Reject, actions.Editable, actions.Compensate, kind?.RejectReasons ?? RejectReason.Defaults, whenPaused)
        {
            Values = actions.CanEdit ? presentation.EditableValues(item.Payload) : new Dictionary<string, string?>(),
        };
        var events = await db.Set<ItemEvent>().AsNoTracking().Where(e => e.WorkItemId == row.WorkItemId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var heldByMe = actor.Id is not null && row.AssigneeId == actor.Id && row.Status is EscalationStatus.Claimed or EscalationStatus.Deferred;
        return new EscalationDetail(
            escalation,
            item,
            reasons,
            await EarlierAsync(row, cancellationToken),
            runs.GetValueOrDefault(item.Item.RunId),
            queries.OriginalFile(item.Item.OriginalRef) is not null,
            events.Where(e => e.Type == ItemEventType.Note).Select(e => new TimelineEntry(e.At, "note", e.ActorName, e.Text ?? "")).ToList(),
            ItemTimeline.Of(item, events, presentation),
            preview,
            heldByMe,
            heldByMe ? MeasuredMinutes(row.ClaimedAt) : 0,
            options.Value.MaxMinutes);
    }

    /// <summary>Everything that happened to a work item, escalated or not, oldest first; empty when there is no such item.</summary>
    public async Task<IReadOnlyList<TimelineEntry>> TimelineAsync(WorkItemDetail item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        await RequireQueueAsync();
        var events = await db.Set<ItemEvent>().AsNoTracking().Where(e => e.WorkItemId == item.Item.Id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        return ItemTimeline.Of(item, events, catalog.Find(item.Kind)?.Presentation ?? KindPresentation.Neutral);
    }

    /// <summary>Each reason code the queue's items carry, once per kind (whose words describe it), in code order, for its filter.</summary>
    public async Task<IReadOnlyList<SeenReason>> ReasonCodesAsync(CancellationToken cancellationToken = default)
    {
        await RequireQueueAsync();
        // Items share a few combinations of reasons: the distinct combinations are few, however long the queue.
        var sets = await db.Set<Escalation>().AsNoTracking()
            .Join(db.Set<Automation>(), e => e.AutomationId, a => a.Id, (e, a) => new { a.Kind, e.Reasons })
            .Distinct()
            .Take(5000)
            .ToListAsync(cancellationToken);
        return sets
            .SelectMany(s => s.Reasons.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(code => new SeenReason(s.Kind, code)))
            .Distinct()
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The people an item may be given to: active Agents, Managers and Admins (<paramref name="only"/>: that one person,
    /// if they may). For Managers and Admins, who assign.
    /// </summary>
    public async Task<IReadOnlyList<AssignablePerson>> AssignableAsync(Guid? only = null, CancellationToken cancellationToken = default)
    {
        var actor = await RequireQueueAsync();
        if (!actor.Has(Role.Manager) && !actor.Has(Role.Admin))
        {
            throw new ForbiddenException("Only Managers and Admins assign items.");
        }

        string[] roles = [Roles.Agent, Roles.Manager, Roles.Admin];
        var links = await db.Set<Microsoft.AspNetCore.Identity.IdentityUserRole<Guid>>()
            .Join(db.Set<PortalRole>(), l => l.RoleId, r => r.Id, (l, r) => new { l.UserId, r.Name })
            .Where(x => roles.Contains(x.Name))
            .Join(db.Set<Users.PortalUser>().Where(u => u.DeactivatedAt == null && (only == null || u.Id == only)), x => x.UserId, u => u.Id, (x, u) => new { u.Id, u.Email, u.DisplayName, Role = x.Name })
            .Take(5000)
            .ToListAsync(cancellationToken);
        return links.GroupBy(l => l.Id)
            .Select(g => new AssignablePerson(g.Key, g.First().Email ?? "", g.First().DisplayName, g.Select(x => x.Role!).Order(StringComparer.Ordinal).ToList()))
            .OrderBy(p => p.DisplayName.Length == 0 ? p.Email : p.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Minutes from the claim to now, rounded up and capped by the setting.</summary>
    public int MeasuredMinutes(DateTime? claimedAt)
    {
        if (claimedAt is not { } claimed)
        {
            return 0;
        }

        var minutes = (int)Math.Ceiling(Math.Max(0, (Now - claimed).TotalMinutes));
        return Math.Clamp(minutes, 0, options.Value.MaxMinutes);
    }

    /// <summary>The latest items of the same party (by its id, else its name) across automations of the kind, and how each was decided.</summary>
    private async Task<IReadOnlyList<EarlierItem>> EarlierAsync(QueueRow row, CancellationToken cancellationToken)
    {
        if (row.PartyId is null && row.Party is null)
        {
            return [];
        }

        var items = db.Set<WorkItem>().AsNoTracking().Where(w => w.Id != row.WorkItemId && w.Lane == Lane.Live && w.Status != WorkItemStatus.Quarantined);
        items = row.PartyId is { } partyId ? items.Where(w => w.SummaryPartyId == partyId) : items.Where(w => w.SummaryPartyId == null && w.SummaryParty == row.Party);
        var earlier = await items
            .Join(db.Set<Automation>().Where(a => a.Kind == row.Kind), w => w.AutomationId, a => a.Id, (w, a) => new { Item = w, AutomationName = a.Name })
            .OrderByDescending(x => x.Item.ReceivedAt).ThenByDescending(x => x.Item.Id)
            .Take(10)
            .ToListAsync(cancellationToken);
        var ids = earlier.Select(e => e.Item.Id).ToList();
        var people = (await db.Set<DecisionRecord>().AsNoTracking().Where(d => ids.Contains(d.WorkItemId) && d.DecidedBy == DecidedBy.Person).ToListAsync(cancellationToken))
            .GroupBy(d => d.WorkItemId)
            .ToDictionary(g => g.Key, g => g.OrderBy(d => d.At).ToList());
        return earlier.Select(e =>
        {
            var decisions = people.GetValueOrDefault(e.Item.Id);
            var last = decisions?.LastOrDefault();
            return new EarlierItem(e.Item.Id, e.AutomationName, e.Item.SummaryReference, e.Item.SummaryAmount, e.Item.SummaryCurrency, e.Item.SummaryDate, e.Item.ReceivedAt,
                e.Item.Status, e.Item.Decision, last?.PersonName ?? "the automation", decisions?.Any(d => d.Override) == true, last?.Note);
        }).ToList();
    }

    /// <summary>
    /// The escalations a search can match: for a term of three characters or more, those the trigram index
    /// "EscalationSearch" finds (case-folded, so a superset of what LIKE matches; <see cref="Filtered"/> still applies
    /// the LIKE), else all of them. The one SQLite-only query of the queue (docs/decisions/016-escalation-queue-indexes.md).
    /// </summary>
    private IQueryable<Escalation> Searched(string? search)
    {
        var term = string.IsNullOrWhiteSpace(search) ? "" : Cut(search);
        if (term.EnumerateRunes().Count() < 3)
        {
            return db.Set<Escalation>().AsNoTracking();
        }

        var phrase = "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        return db.Set<Escalation>()
            .FromSql($"""SELECT * FROM "Escalations" WHERE rowid IN (SELECT rowid FROM "EscalationSearch" WHERE "EscalationSearch" MATCH {phrase})""")
            .AsNoTracking();
    }

    private IQueryable<QueueRow> Rows(IQueryable<Escalation>? escalations = null) =>
        from e in escalations ?? db.Set<Escalation>().AsNoTracking()
        join w in db.Set<WorkItem>() on e.WorkItemId equals w.Id
        join a in db.Set<Automation>() on e.AutomationId equals a.Id
        select new QueueRow
        {
            Id = e.Id,
            WorkItemId = e.WorkItemId,
            AutomationId = e.AutomationId,
            AutomationName = a.Name,
            Kind = a.Kind,
            Status = e.Status,
            AssigneeId = e.AssigneeId,
            AssigneeName = e.AssigneeName,
            Reasons = e.Reasons,
            CreatedAt = e.CreatedAt,
            ClaimedAt = e.ClaimedAt,
            DeferredUntil = e.DeferredUntil,
            ResolvedAt = e.ResolvedAt,
            // The escalation's copies of the item's summary, so the sorts run along the escalation's indexes.
            Reference = e.Reference,
            Party = e.Party,
            PartyId = e.PartyId,
            Amount = e.Amount,
            Currency = w.SummaryCurrency,
            Type = w.SummaryType,
            DocumentDate = w.SummaryDate,
            ItemStatus = w.Status,
            Version = e.Version,
        };

    private IQueryable<Escalation> Filtered(IQueryable<Escalation> query, EscalationFilter filter, Actor actor)
    {
        // A caller without an id holds nothing: "mine" must never match the unassigned.
        var me = actor.Id ?? Guid.Empty;
        switch (filter.View)
        {
            case QueueView.Mine:
                query = query.Where(r => r.AssigneeId == me && r.Status == EscalationStatus.Claimed);
                break;
            case QueueView.Unassigned:
                query = query.Where(r => r.Status == EscalationStatus.Open);
                break;
            case QueueView.Deferred:
                query = query.Where(r => r.Status == EscalationStatus.Deferred);
                break;
            case QueueView.ResolvedToday:
                var since = StartOfToday();
                query = query.Where(r => r.Status == EscalationStatus.Resolved && r.ResolvedAt >= since);
                break;
            default:
                if (filter.Status is null)
                {
                    query = query.Where(r => r.Status != EscalationStatus.Resolved);
                }

                break;
        }

        if (filter.Status is { } status)
        {
            query = query.Where(r => r.Status == status);
        }

        if (filter.AutomationId is { } automationId)
        {
            query = query.Where(r => r.AutomationId == automationId);
        }

        switch (filter.Assignee?.Trim())
        {
            case null or "":
                break;
            case "me":
                query = query.Where(r => r.AssigneeId == me);
                break;
            case "none":
                query = query.Where(r => r.AssigneeId == null);
                break;
            case var text when Guid.TryParse(text, out var assignee):
                query = query.Where(r => r.AssigneeId == assignee);
                break;
            default:
                throw new PortalValidationException(new Dictionary<string, string[]> { ["assignee"] = ["Give a user id, 'me' or 'none'."] });
        }

        if (!string.IsNullOrWhiteSpace(filter.Reason))
        {
            var code = Cut(filter.Reason);
            query = query.Where(r => r.Reasons == code || r.Reasons.StartsWith(code + " ") || r.Reasons.EndsWith(" " + code) || r.Reasons.Contains(" " + code + " "));
        }

        // Amounts compare as numbers (SQLite keeps decimals as text).
        if (filter.MinAmount is { } min)
        {
            var floor = (double)min;
            query = query.Where(r => r.Amount != null && (double)r.Amount >= floor);
        }

        if (filter.MaxAmount is { } max)
        {
            var ceiling = (double)max;
            query = query.Where(r => r.Amount != null && (double)r.Amount <= ceiling);
        }

        if (!string.IsNullOrWhiteSpace(filter.Party))
        {
            var party = Cut(filter.Party);
            var pattern = SqlLike.Containing(party);
            query = query.Where(r => r.PartyId == party || EF.Functions.Like(r.Party, pattern, "\\"));
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var pattern = SqlLike.Containing(Cut(filter.Search));
            query = query.Where(r => EF.Functions.Like(r.Reference, pattern, "\\") || EF.Functions.Like(r.Party, pattern, "\\"));
        }

        if (filter.MinAgeHours is { } minAge)
        {
            var before = Now.AddHours(-Math.Clamp(minAge, 0, 100_000));
            query = query.Where(r => r.CreatedAt <= before);
        }

        if (filter.MaxAgeHours is { } maxAge)
        {
            var after = Now.AddHours(-Math.Clamp(maxAge, 0, 100_000));
            query = query.Where(r => r.CreatedAt >= after);
        }

        return query;
    }

    private static IQueryable<QueueRow> Sorted(IQueryable<QueueRow> query, EscalationSort sort) => (sort.Field, sort.Descending) switch
    {
        (EscalationSortField.Amount, false) => query.OrderBy(r => (double?)r.Amount).ThenBy(r => r.Id),
        (EscalationSortField.Amount, true) => query.OrderByDescending(r => (double?)r.Amount).ThenBy(r => r.Id),
        (EscalationSortField.Reference, false) => query.OrderBy(r => r.Reference).ThenBy(r => r.Id),
        (EscalationSortField.Reference, true) => query.OrderByDescending(r => r.Reference).ThenBy(r => r.Id),
        (EscalationSortField.Party, false) => query.OrderBy(r => r.Party).ThenBy(r => r.Id),
        (EscalationSortField.Party, true) => query.OrderByDescending(r => r.Party).ThenBy(r => r.Id),
        (EscalationSortField.Automation, false) => query.OrderBy(r => r.AutomationName).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        (EscalationSortField.Automation, true) => query.OrderByDescending(r => r.AutomationName).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        (EscalationSortField.Assignee, false) => query.OrderBy(r => r.AssigneeName).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        (EscalationSortField.Assignee, true) => query.OrderByDescending(r => r.AssigneeName).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        (EscalationSortField.Status, false) => query.OrderBy(r => r.Status).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        (EscalationSortField.Status, true) => query.OrderByDescending(r => r.Status).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        // Age: the oldest first unless asked otherwise, as a queue is worked.
        (_, false) => query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id),
        (_, true) => query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id),
    };

    private EscalationView View(QueueRow r)
    {
        var presentation = catalog.Find(r.Kind)?.Presentation ?? KindPresentation.Neutral;
        var view = new EscalationView(r.Id, r.WorkItemId, r.AutomationId, r.AutomationName, r.Kind, r.Status,
            r.AssigneeId is { } assignee ? new PersonRef(assignee, r.AssigneeName ?? "unknown") : null,
            r.Reasons.Length == 0 ? [] : r.Reasons.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            r.CreatedAt, r.ClaimedAt, r.DeferredUntil, r.ResolvedAt, r.Reference, r.Party, r.PartyId, r.Amount, r.Currency, r.Type, r.DocumentDate, r.ItemStatus, r.Version);
        var fields = presentation.ApiFields(new WorkItemView(r.WorkItemId, r.AutomationId, "", Lane.Live, r.ItemStatus, null, view.ReasonCodes, r.Reference, r.Party, r.PartyId,
            r.Amount, r.Currency, r.Type, null, null, r.CreatedAt, null, 0, Guid.Empty, Guid.Empty, r.DocumentDate));
        return fields.Count == 0 ? view : view with { KindFields = new Dictionary<string, object?>(fields) };
    }

    /// <summary>Midnight today in the organisation's time zone, in UTC.</summary>
    public DateTime StartOfToday()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(organisation.Value.TimeZone);
        var local = TimeZoneInfo.ConvertTimeFromUtc(Now, zone).Date;
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
    }

    /// <summary>
    /// Puts deferred items whose time has come back first (see <see cref="EscalationReturns"/>), asking on this
    /// query's own connection whether there are any: nearly always there are none, and the question costs an index
    /// lookup instead of a connection and a unit of work of its own.
    /// </summary>
    private async Task ReturnDueAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        if (await db.Set<Escalation>().AnyAsync(e => e.Status == EscalationStatus.Deferred && e.DeferredUntil <= now, cancellationToken))
        {
            await returns.ReturnDueAsync(cancellationToken);
        }
    }

    /// <summary>Keeps the context's connection open until disposed, so the queries of one answer share it (the pool and its pragmas once).</summary>
    private async Task<IAsyncDisposable> OneConnectionAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return new ConnectionHeld(db);
    }

    private sealed class ConnectionHeld(PortalDbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
    }

    private async Task<Actor> RequireQueueAsync() =>
        (await currentActor.GetAsync()).RequireItemHandler("Only Agents, Managers and Admins see the escalation queue.");

    private static string Cut(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length > MaxTermLength ? trimmed[..MaxTermLength] : trimmed;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>One row of the queue: the escalation, its item's summary and its automation, flat for sorts and views.</summary>
    private sealed class QueueRow
    {
        public Guid Id { get; init; }
        public Guid WorkItemId { get; init; }
        public Guid AutomationId { get; init; }
        public string AutomationName { get; init; } = "";
        public string Kind { get; init; } = "";
        public EscalationStatus Status { get; init; }
        public Guid? AssigneeId { get; init; }
        public string? AssigneeName { get; init; }
        public string Reasons { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime? ClaimedAt { get; init; }
        public DateTime? DeferredUntil { get; init; }
        public DateTime? ResolvedAt { get; init; }
        public string? Reference { get; init; }
        public string? Party { get; init; }
        public string? PartyId { get; init; }
        public decimal? Amount { get; init; }
        public string? Currency { get; init; }
        public string? Type { get; init; }
        public DateOnly? DocumentDate { get; init; }
        public WorkItemStatus ItemStatus { get; init; }
        public long Version { get; init; }
    }
}

/// <summary>An escalation loaded to be changed (tracked), and its view as it stands in memory at the moment it is asked for.</summary>
internal sealed record EscalationToChange(Escalation Escalation, Func<EscalationView> View);
