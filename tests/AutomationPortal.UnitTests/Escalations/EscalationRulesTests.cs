using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Features.InvoiceIntake;

namespace AutomationPortal.UnitTests.Escalations;

public sealed class EscalationRulesTests
{
    [Theory]
    [InlineData(null, EscalationSortField.Age, false)]
    [InlineData("", EscalationSortField.Age, false)]
    [InlineData("createdAt", EscalationSortField.Age, false)]
    [InlineData("-createdAt", EscalationSortField.Age, true)]
    [InlineData("amount", EscalationSortField.Amount, false)]
    [InlineData("-amount", EscalationSortField.Amount, true)]
    [InlineData("Party", EscalationSortField.Party, false)]
    [InlineData("-assignee", EscalationSortField.Assignee, true)]
    public void SortsAreReadFromTheirNamesWithAMinusForDescending(string? text, EscalationSortField field, bool descending) =>
        Assert.Equal(new EscalationSort(field, descending), EscalationSort.Parse(text));

    [Theory]
    [InlineData("drop table")]
    [InlineData("amount;--")]
    [InlineData("7")]
    [InlineData("--amount")]
    public void AnythingElseIsNoSort(string text) => Assert.Null(EscalationSort.Parse(text));

    [Fact]
    public void EveryKindOffersOtherWithANoteAndInvoicesTheirOwnReasons()
    {
        Assert.Contains(RejectReason.Defaults, r => r is { Code: RejectReason.Other, NoteRequired: true });
        var invoices = new InvoiceIntakeKind(null!).RejectReasons.Select(r => r.Code).ToList();
        Assert.Equal(["not-ordered", "wrong-amount", "wrong-supplier", "duplicate", "wrong-vat", "other"], invoices);
        Assert.Single(new InvoiceIntakeKind(null!).RejectReasons, r => r.NoteRequired);
    }

    [Fact]
    public void TheTimelineTellsEverythingInOrderWithWhoAndTheUndoAfterTheOverride()
    {
        var t = new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);
        var item = new WorkItemView(Guid.NewGuid(), Guid.NewGuid(), "key", Lane.Live, WorkItemStatus.Compensated, Decisions.Approve, ["over-threshold"],
            "INV-1", "Acme", "vat:1", 100m, "EUR", "Invoice", "inbox/INV-1.xml", null, t, t, 1, Guid.NewGuid(), Guid.NewGuid());
        var decisions = new List<DecisionRecord>
        {
            new() { WorkItemId = item.Id, At = t.AddSeconds(1), DecidedBy = DecidedBy.Automation, Decision = Decisions.Escalate, ReasonCodes = "over-threshold" },
            new() { WorkItemId = item.Id, At = t.AddMinutes(20), DecidedBy = DecidedBy.Person, PersonName = "agent", Decision = Decisions.Approve, HumanMinutes = 6 },
            new() { WorkItemId = item.Id, At = t.AddHours(2), DecidedBy = DecidedBy.Person, PersonName = "manager", Decision = Decisions.Reject, Reason = "duplicate", Override = true, Note = "Paid twice." },
        };
        var effects = new List<Effect>
        {
            new() { AutomationId = item.AutomationId, RunId = Guid.NewGuid(), WorkItemId = item.Id, Type = "export-line", IdempotencyKey = "k", Target = "/out/a.csv", At = t.AddMinutes(21), Status = EffectStatus.Compensated },
            new() { AutomationId = item.AutomationId, RunId = Guid.NewGuid(), WorkItemId = item.Id, Type = "export-line", IdempotencyKey = "k:reversal", Target = "/out/b.csv", At = t.AddHours(2).AddMinutes(1) },
        };
        var events = new List<ItemEvent>
        {
            new() { WorkItemId = item.Id, At = t.AddMinutes(14), Type = ItemEventType.Claimed, ActorName = "agent" },
            new() { WorkItemId = item.Id, At = t.AddMinutes(15), Type = ItemEventType.Note, ActorName = "agent", Text = "Asked the buyer." },
        };
        var detail = new WorkItemDetail(item, "AP", "invoice-intake", null, decisions, effects, null);

        var timeline = ItemTimeline.Of(detail, events, InvoicePresentation.Instance);

        Assert.Equal(["read", "escalated", "claimed", "note", "resolved", "acted", "overridden", "compensated"], timeline.Select(e => e.Type));
        Assert.Equal("agent", timeline.Single(e => e.Type == "resolved").Who);
        Assert.Contains("6 min", timeline.Single(e => e.Type == "resolved").Text, StringComparison.Ordinal);
        Assert.Equal("Paid twice.", timeline.Single(e => e.Type == "overridden").Note);
        Assert.Contains("(undone since)", timeline.Single(e => e.Type == "acted").Text, StringComparison.Ordinal);
        Assert.Contains("b.csv", timeline.Single(e => e.Type == "compensated").Text, StringComparison.Ordinal);
        Assert.Contains("review threshold", timeline.Single(e => e.Type == "escalated").Text, StringComparison.Ordinal);
    }
}
