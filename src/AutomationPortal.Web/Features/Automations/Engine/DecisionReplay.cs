using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Files;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>A stored item decided again: what the automation decided when the item came, and what it decides now.</summary>
public sealed record ReplayedDecision(Guid WorkItemId, string? Reference, string Decided, IReadOnlyList<string> DecidedReasons, string Now, IReadOnlyList<string> NowReasons)
{
    /// <summary>Whether the replay gave another answer: another decision, or other reasons.</summary>
    public bool Changed => Decided != Now || !DecidedReasons.Order(StringComparer.Ordinal).SequenceEqual(NowReasons.Order(StringComparer.Ordinal), StringComparer.Ordinal);
}

/// <summary>
/// Decides stored items of an automation again with the kind's decide step, from each item's stored payload (which
/// keeps the evidence the first decision had) and the settings given: the automation's own, or others to try. Nothing
/// is written and nothing is acted on; it answers "what would these settings have decided?". The decide step is pure,
/// so the same settings give the same answers as the first time.
/// </summary>
public sealed class DecisionReplay(IDbContextFactory<PortalDbContext> dbFactory, AutomationKindCatalog catalog, PortalFolders folders, IServiceProvider services)
{
    /// <summary>Items decided again at most per call: the latest ones.</summary>
    public const int MaxItems = 10_000;

    /// <summary>
    /// The latest <paramref name="count"/> decided items of the automation (live lane; quarantined ones have nothing
    /// to decide), decided again with <paramref name="settingsJson"/> (null: the automation's settings now).
    /// Settings that do not hold are refused with <see cref="AutomationValidationException"/>, naming each field.
    /// </summary>
    public async Task<IReadOnlyList<ReplayedDecision>> DecideAgainAsync(Guid automationId, string? settingsJson, int count, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var automation = await db.Set<Automation>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == automationId, cancellationToken)
            ?? throw new AutomationNotFoundException(automationId);
        var kind = catalog.Get(automation.Kind);
        var (settings, errors) = KindSettings.Bind(kind, settingsJson ?? automation.Settings, new KindValidationContext(folders.AllowedRoots, folders.DataFolder));
        if (settings is null || errors.Count > 0)
        {
            throw new AutomationValidationException(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        var items = await db.Set<WorkItem>().AsNoTracking()
            .Where(w => w.AutomationId == automationId && w.Lane == Lane.Live && w.Status != WorkItemStatus.Quarantined && w.Payload != null)
            .OrderByDescending(w => w.ReceivedAt).Take(Math.Clamp(count, 1, MaxItems))
            .Select(w => new { w.Id, w.SummaryReference, w.Payload, w.ReceivedAt, w.DecidedAt })
            .ToListAsync(cancellationToken);
        var ids = items.Select(i => i.Id).ToList();

        // An item a person corrected keeps the corrected payload: it is not the input the automation decided.
        var corrected = (await db.Set<DecisionRecord>().AsNoTracking()
            .Where(d => ids.Contains(d.WorkItemId) && d.Decision == Decisions.CorrectAndApprove).Select(d => d.WorkItemId).ToListAsync(cancellationToken)).ToHashSet();

        // The automation's own first decision of each item: what a person decided later is not what is replayed.
        var first = (await db.Set<DecisionRecord>().AsNoTracking()
                .Where(d => ids.Contains(d.WorkItemId) && d.DecidedBy != DecidedBy.Person)
                .Select(d => new { d.WorkItemId, d.At, d.Decision, d.ReasonCodes })
                .ToListAsync(cancellationToken))
            .GroupBy(d => d.WorkItemId)
            .ToDictionary(g => g.Key, g => g.OrderBy(d => d.At).First());

        var run = Guid.CreateVersion7();
        await using var kindRun = kind.Start(new KindRunContext(automationId, run, RunMode.Test, settings, folders.DataFolder, (_, _) => { }), new KindRunFactory(services));
        var replayed = new List<ReplayedDecision>(items.Count);
        foreach (var item in items.OrderBy(i => i.ReceivedAt))
        {
            if (corrected.Contains(item.Id) || !first.TryGetValue(item.Id, out var decided))
            {
                continue;
            }

            // The decision's own time, not today's: a decide step that reads the time reads the time it had.
            var context = new DecisionContext(automationId, RunMode.Test, decided.At, settings);
            var now = kindRun.Decide(kindRun.Restore(item.Payload!), context);
            replayed.Add(new ReplayedDecision(item.Id, item.SummaryReference, decided.Decision, Split(decided.ReasonCodes), now.Decision, now.ReasonCodes));
        }

        return replayed;
    }

    private static string[] Split(string codes) => codes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
