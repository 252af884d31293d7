using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Features.SampleInbox;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>
/// The queue filters, sorts and searches on the escalation's copy of its item's summary and a trigram index over it,
/// both kept by the database: whoever writes an escalation or corrects an item, the queue answers as LIKE on the item would.
/// </summary>
public sealed class EscalationQueueIndexTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly Actor Agent = new(ActorKind.User, Guid.NewGuid(), "agent.index") { Roles = [Role.Agent] };

    [Fact]
    public async Task AnEscalationWrittenThroughEfCarriesItsItemsSummaryAndFollowsACorrection()
    {
        var (automation, items) = await SeedAsync(("IDX-1001", "Müller Bürobedarf GmbH", "DE111", 1_234.50m), ("IDX-1002", "Acme Freight Ltd", "GB222", 99.99m));

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var copy = await db.Set<Escalation>().AsNoTracking().SingleAsync(e => e.WorkItemId == items[0]);
            Assert.Equal("IDX-1001", copy.Reference);
            Assert.Equal("Müller Bürobedarf GmbH", copy.Party);
            Assert.Equal("DE111", copy.PartyId);
            Assert.Equal(1_234.50m, copy.Amount);

            // As correct-and-approve changes an item's summary.
            await db.Set<WorkItem>().Where(w => w.Id == items[0])
                .ExecuteUpdateAsync(u => u.SetProperty(w => w.SummaryReference, "IDX-2001").SetProperty(w => w.SummaryAmount, 1_500m));
            copy = await db.Set<Escalation>().AsNoTracking().SingleAsync(e => e.WorkItemId == items[0]);
            Assert.Equal("IDX-2001", copy.Reference);
            Assert.Equal("Müller Bürobedarf GmbH", copy.Party);
            Assert.Equal(1_500m, copy.Amount);
        }

        Assert.Equal(["IDX-2001"], await SearchAsync(automation, "idx-2001"));
        Assert.Empty(await SearchAsync(automation, "IDX-1001"));
    }

    [Fact]
    public async Task TheSearchMatchesWhatLikeMatchesForLongAndShortTermsAndWildcardsAreLiteral()
    {
        var (automation, _) = await SeedAsync(
            ("SRCH-1", "Müller Bürobedarf GmbH", "DE1", 10m), ("SRCH-2", "ACME Freight Ltd", "GB2", 20m), ("SRCH_3", "Acme 100% Paper", "NL3", 30m));

        Assert.Equal(["SRCH-2", "SRCH_3"], await SearchAsync(automation, "acme"));
        Assert.Equal(["SRCH-1"], await SearchAsync(automation, "müller"));
        // LIKE folds the case of ASCII letters only; the trigram index folds all, and the queue keeps what LIKE keeps.
        Assert.Empty(await SearchAsync(automation, "MÜLLER"));
        Assert.Equal(["SRCH_3"], await SearchAsync(automation, "0% P"));
        Assert.Equal(["SRCH_3"], await SearchAsync(automation, "H_3"));
        // Shorter than a trigram: the plain LIKE.
        Assert.Equal(["SRCH-1", "SRCH-2", "SRCH_3"], await SearchAsync(automation, "sr"));
        Assert.Equal(["SRCH_3"], await SearchAsync(automation, "_"));
    }

    [Fact]
    public async Task SortsAndAmountRangesUseTheCopyAsNumbers()
    {
        var (automation, _) = await SeedAsync(("SORT-1", "Beta", "B", 9m), ("SORT-2", "alpha", "A", 10.5m), ("SORT-3", "Gamma", "G", 100m), ("SORT-4", null, null, null));
        await using var scope = Scope();
        var queue = scope.ServiceProvider.GetRequiredService<EscalationQueries>();

        var byAmount = await queue.ListAsync(new EscalationFilter(AutomationId: automation), new EscalationSort(EscalationSortField.Amount, Descending: true), 1, 50);
        Assert.Equal(["SORT-3", "SORT-2", "SORT-1", "SORT-4"], byAmount.Items.Select(i => i.Reference));
        var byParty = await queue.ListAsync(new EscalationFilter(AutomationId: automation), new EscalationSort(EscalationSortField.Party), 1, 50);
        Assert.Equal(["SORT-4", "SORT-1", "SORT-3", "SORT-2"], byParty.Items.Select(i => i.Reference));
        var range = await queue.ListAsync(new EscalationFilter(AutomationId: automation, MinAmount: 10m, MaxAmount: 100m), new EscalationSort(), 1, 50);
        Assert.Equal(2, range.Total);
        Assert.Equal(["SORT-3", "SORT-2"], range.Items.Select(i => i.Reference));
        Assert.Equal(10.5m, range.Items.Single(i => i.Reference == "SORT-2").Amount);
    }

    private async Task<List<string?>> SearchAsync(Guid automation, string search)
    {
        await using var scope = Scope();
        var page = await scope.ServiceProvider.GetRequiredService<EscalationQueries>().ListAsync(
            new EscalationFilter(AutomationId: automation, Search: search), new EscalationSort(EscalationSortField.Reference), 1, 50);
        Assert.Equal(page.Total, page.Items.Count);
        return page.Items.Select(i => i.Reference).ToList();
    }

    private AsyncServiceScope Scope()
    {
        var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(Agent);
        return scope;
    }

    /// <summary>An automation of its own with one escalated item per summary, each escalation written through EF without the copy.</summary>
    private async Task<(Guid Automation, List<Guid> Items)> SeedAsync(params (string Reference, string? Party, string? PartyId, decimal? Amount)[] summaries)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("test");
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var automation = new Automation
        {
            Kind = SampleInboxKind.KindKey,
            Name = "index " + Guid.NewGuid().ToString("N"),
            Schedule = "0 0 3 1 1 ? 2099",
            State = AutomationState.Draft,
            Settings = """{"inboxPath":"index/inbox","outboxPath":"index/outbox"}""",
        };
        db.Add(automation);
        var now = DateTime.UtcNow;
        var items = summaries.Select((s, i) => new WorkItem
        {
            AutomationId = automation.Id,
            SourceKey = Guid.NewGuid().ToString("N"),
            Status = WorkItemStatus.Escalated,
            ReasonCodes = "over-threshold",
            ReceivedAt = now.AddMinutes(-i),
            SummaryReference = s.Reference,
            SummaryParty = s.Party,
            SummaryPartyId = s.PartyId,
            SummaryAmount = s.Amount,
            SummaryCurrency = "EUR",
        }).ToList();
        db.AddRange(items);
        db.AddRange(items.Select(w => new Escalation { WorkItemId = w.Id, AutomationId = automation.Id, Reasons = w.ReasonCodes, CreatedAt = w.ReceivedAt }));
        await db.SaveChangesAsync();
        return (automation.Id, items.Select(w => w.Id).ToList());
    }
}
