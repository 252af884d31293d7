using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Handling;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.InvoiceIntake;

/// <summary>
/// People's decisions on escalated invoices through the kind contract: approve, reject, correct-and-approve and undo,
/// each acted on by the engine exactly once (a webhook on 127.0.0.1 counts the posts, the outbox the export lines).
/// </summary>
public sealed class InvoiceHandlingTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    private static readonly Actor Agent = new(ActorKind.User, Guid.NewGuid(), "agent.one") { Roles = [Role.Agent] };
    private static readonly Actor OtherAgent = new(ActorKind.User, Guid.NewGuid(), "agent.two") { Roles = [Role.Agent] };
    private static readonly Actor Manager = new(ActorKind.User, Guid.NewGuid(), "manager.one") { Roles = [Role.Manager] };

    [Fact]
    public async Task AnApprovalIsActedOnOnceARejectionNeverACorrectionAfterItsCheckAndAnUndoByAReversal()
    {
        var api = AutomationApi.For(portal);
        var port = ChildPortal.FreePort();
        await using var receiver = new WebhookReceiver(port);
        var inbox = Path.Combine(portal.DataFolder, "handle", "inbox");
        for (var i = 0; i < 4; i++)
        {
            InvoiceFiles.Write(inbox, $"e{i}.xml", InvoiceSamples.Create(121 + (3 * i)) with { Number = $"HANDLE-{i}" }, InvoiceFormat.Ubl);
        }

        // Every invoice is over the threshold of 1: all four wait for a person.
        var id = (await InvoiceFiles.CreateAsync(api, "handle", new { inboxPath = "handle/inbox", outboxPath = "handle/outbox", webhookUrl = receiver.Url, flagNewSuppliers = false, reviewThreshold = 1 })).GetProperty("id").GetGuid();
        var outbox = Path.Combine(portal.DataFolder, "handle", "outbox");
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = (await InvoiceFiles.ItemsAsync(api, id)).ToDictionary(i => i.GetProperty("invoiceNumber").GetString()!, i => i.GetProperty("id").GetGuid());
        Assert.Equal(4, items.Count);
        Assert.Equal(0, receiver.Received);

        var actions = await Handling(Agent).ActionsAsync(items["HANDLE-0"]);
        Assert.Contains("webhook", actions.Approve, StringComparison.Ordinal);
        Assert.True(actions.CanEdit);
        Assert.True(actions.CanCompensate);

        // Two people claim the same invoice at once: exactly one wins and alone may approve it; the other is told who has it.
        var claims = await Task.WhenAll(TryClaim(Agent, items["HANDLE-0"]), TryClaim(OtherAgent, items["HANDLE-0"]));
        var winner = Assert.Single(claims, c => c.Winner is not null).Winner!;
        var loser = winner == Agent ? OtherAgent : Agent;
        Assert.Equal(winner.Name, Assert.IsType<ConflictException>(Assert.Single(claims, c => c.Error is not null).Error).Holder);
        var refused = await Assert.ThrowsAsync<ConflictException>(() => Handling(loser).ApproveAsync(items["HANDLE-0"], new HandlingNote(null, 2)));
        Assert.Equal(winner.Name, refused.Holder);
        var won = await Handling(winner).ApproveAsync(items["HANDLE-0"], new HandlingNote("Checked with the supplier.", 4));
        Assert.Equal(WorkItemStatus.AwaitingAction, won.Status);
        await api.WaitForRunAsync(won.RunId!.Value);

        Assert.Equal(WorkItemStatus.Done, await StatusAsync(items["HANDLE-0"]));
        Assert.Equal(1, receiver.Received);
        Assert.Single(InvoiceFiles.ExportLines(outbox), l => l.Contains("HANDLE-0", StringComparison.Ordinal));
        await using (var db = await DbAsync())
        {
            var decision = await db.Set<DecisionRecord>().SingleAsync(d => d.WorkItemId == items["HANDLE-0"] && d.DecidedBy == DecidedBy.Person);
            Assert.Equal(Decisions.Approve, decision.Decision);
            Assert.Contains(decision.PersonName, new[] { "agent.one", "agent.two" });
            Assert.Equal(EscalationStatus.Resolved, (await db.Set<Escalation>().SingleAsync(e => e.WorkItemId == items["HANDLE-0"])).Status);
        }

        // Approving again, or rejecting what was approved: refused, nothing more is posted.
        await Assert.ThrowsAsync<ConflictException>(() => Handling(Agent).ApproveAsync(items["HANDLE-0"], new HandlingNote()));
        await Assert.ThrowsAsync<ConflictException>(() => Handling(Agent).RejectAsync(items["HANDLE-0"], new HandlingNote()));

        // A rejection names its reason from the kind's list ("other" needs a note); it closes the item, nothing is
        // posted or exported, and no run is needed.
        await ClaimAsync(Agent, items["HANDLE-1"]);
        await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Agent).RejectAsync(items["HANDLE-1"], new HandlingNote("Not ours.", 1)));
        await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Agent).RejectAsync(items["HANDLE-1"], new HandlingNote(null, 1, "other")));
        var rejected = await Handling(Agent).RejectAsync(items["HANDLE-1"], new HandlingNote("Not ours.", 1, "not-ordered"));
        Assert.Null(rejected.RunId);
        Assert.Equal(WorkItemStatus.Done, await StatusAsync(items["HANDLE-1"]));

        await ClaimAsync(Agent, items["HANDLE-2"]);

        // A correction is checked by the kind first: a wrong date, a number another invoice has, a field it does not offer.
        var wrong = await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Agent).EditAndApproveAsync(items["HANDLE-2"],
            new Dictionary<string, string?> { ["issueDate"] = "31.02.2026", ["invoiceNumber"] = "handle-1", ["payableAmount"] = "1" }, new HandlingNote()));
        Assert.Contains("values.issueDate", wrong.Errors.Keys);
        Assert.Contains("values.payableAmount", wrong.Errors.Keys);
        var misleading = await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Agent).EditAndApproveAsync(items["HANDLE-2"],
            new Dictionary<string, string?> { ["supplierName"] = "Acme\u202Egnp.exe", ["invoiceNumber"] = "A\u200B1" }, new HandlingNote()));
        Assert.Contains("values.supplierName", misleading.Errors.Keys);
        Assert.Contains("values.invoiceNumber", misleading.Errors.Keys);
        var repeated = await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Agent).EditAndApproveAsync(items["HANDLE-2"],
            new Dictionary<string, string?> { ["invoiceNumber"] = "handle-1" }, new HandlingNote()));
        Assert.Contains("already known", Assert.Single(repeated.Errors["values.invoiceNumber"]), StringComparison.Ordinal);
        Assert.Equal(WorkItemStatus.Escalated, await StatusAsync(items["HANDLE-2"]));

        var dueBefore = AutomationPortal.Web.Features.InvoiceIntake.InvoicePresentation.Instance
            .EditableValues((await InvoiceFiles.DetailAsync(api, items["HANDLE-2"])).GetProperty("payload").GetString()).GetValueOrDefault("dueDate") ?? "—";
        var corrected = await Handling(Agent).EditAndApproveAsync(items["HANDLE-2"], new Dictionary<string, string?> { ["invoiceNumber"] = "HANDLE-2-C", ["dueDate"] = "2026-12-31" }, new HandlingNote("Number as printed.", 3));
        var correctedRun = await api.WaitForRunAsync(corrected.RunId!.Value);
        var detail = await InvoiceFiles.DetailAsync(api, items["HANDLE-2"]);
        Assert.Equal("HANDLE-2-C", detail.GetProperty("item").GetProperty("invoiceNumber").GetString());
        Assert.Contains(detail.GetProperty("decisions").EnumerateArray(), d => d.GetProperty("note").GetString() == $"Corrected dueDate ({dueBefore} → 2026-12-31), invoiceNumber (HANDLE-2 → HANDLE-2-C). Number as printed.");
        var exported = InvoiceFiles.ExportLines(outbox);
        Assert.True(exported.Count(l => l.Contains("HANDLE-2-C", StringComparison.Ordinal) && l.Contains("2026-12-31", StringComparison.Ordinal)) == 1, string.Join("\n", exported) + correctedRun.ToString() + detail.ToString());
        Assert.Equal(2, receiver.Received);

        // Overriding the first with a rejection undoes it: a reversal post under its own key and a reversal line, once
        // each, however often it is asked. An override names its reason.
        await Assert.ThrowsAsync<ForbiddenException>(() => Handling(new Actor(ActorKind.User, Guid.NewGuid(), "no.role")).OverrideAsync(items["HANDLE-0"], "reject", new HandlingNote("x", 0, "duplicate")));
        await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Manager).OverrideAsync(items["HANDLE-0"], "reject", new HandlingNote("Paid twice by mistake.", 5)));
        var undo = await Handling(Manager).OverrideAsync(items["HANDLE-0"], "reject", new HandlingNote("Paid twice by mistake.", 5, "duplicate"));
        await Assert.ThrowsAsync<ConflictException>(() => Handling(Manager).OverrideAsync(items["HANDLE-0"], "reject", new HandlingNote("again", 0, "duplicate")));
        await api.WaitForRunAsync(undo.RunId!.Value);
        Assert.Equal(WorkItemStatus.Compensated, await StatusAsync(items["HANDLE-0"]));
        Assert.Equal(3, receiver.Received);
        var reversal = Assert.Single(receiver.Booked, b => b.Key.EndsWith(":reversal", StringComparison.Ordinal)).Value;
        Assert.Equal("Reversal", reversal.GetProperty("documentType").GetString());
        Assert.True(reversal.GetProperty("payableAmount").GetDecimal() < 0);
        var lines = InvoiceFiles.ExportLines(outbox).Where(l => l.Contains("HANDLE-0,", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Single(lines, l => l.Contains("Reversal", StringComparison.Ordinal));
        await using (var db = await DbAsync())
        {
            var effects = await db.Set<Effect>().Where(e => e.WorkItemId == items["HANDLE-0"]).ToListAsync();
            Assert.All(effects.Where(e => !e.IdempotencyKey.Contains(":reversal", StringComparison.Ordinal)), e => Assert.Equal(EffectStatus.Compensated, e.Status));
            Assert.Equal(2, effects.Count(e => e.IdempotencyKey.Contains(":reversal", StringComparison.Ordinal) && e.Status == EffectStatus.Applied));
        }

        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal(3, receiver.Received);
        Assert.Equal(0, receiver.Repeats);
        await Assert.ThrowsAsync<ConflictException>(() => Handling(Manager).OverrideAsync(items["HANDLE-1"], "reject", new HandlingNote("x", 0, "duplicate")));
        await using (var db = await DbAsync())
        {
            var overridden = await db.Set<DecisionRecord>().SingleAsync(d => d.WorkItemId == items["HANDLE-0"] && d.Override);
            Assert.Equal(("duplicate", 5m, "manager.one"), (overridden.Reason, overridden.HumanMinutes, overridden.PersonName));
        }
    }

    [Fact]
    public async Task AnApprovalOfAPausedAutomationWaitsForTheResumeAndIsNotPostedBefore()
    {
        var api = AutomationApi.For(portal);
        var port = ChildPortal.FreePort();
        await using var receiver = new WebhookReceiver(port);
        var inbox = Path.Combine(portal.DataFolder, "handle-paused", "inbox");
        InvoiceFiles.Write(inbox, "p0.xml", InvoiceSamples.Create(141) with { Number = "PAUSED-0" }, InvoiceFormat.Ubl);
        var id = (await InvoiceFiles.CreateAsync(api, "handle-paused", new { inboxPath = "handle-paused/inbox", outboxPath = "handle-paused/outbox", webhookUrl = receiver.Url, flagNewSuppliers = false, reviewThreshold = 1 })).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var item = (await InvoiceFiles.ItemsAsync(api, id)).Single().GetProperty("id").GetGuid();

        await api.PostAsync($"/api/automations/{id}/pause");
        await ClaimAsync(Agent, item);
        var approved = await Handling(Agent).ApproveAsync(item, new HandlingNote(null, 1));
        Assert.Null(approved.RunId);
        Assert.Contains("resumed", approved.Message, StringComparison.Ordinal);
        Assert.Equal(WorkItemStatus.AwaitingAction, await StatusAsync(item));
        await Task.Delay(500);
        Assert.Equal(0, receiver.Received);

        await api.PostAsync($"/api/automations/{id}/resume");
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal(WorkItemStatus.Done, await StatusAsync(item));
        Assert.Equal(1, receiver.Received);
    }

    [Fact]
    public async Task ApprovalsInQuickSuccessionShareTheRunQueuedForThemButNotAStaleOne()
    {
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "handle-queue", "inbox");
        for (var i = 0; i < 3; i++)
        {
            InvoiceFiles.Write(inbox, $"q{i}.xml", InvoiceSamples.Create(161 + (3 * i)) with { Number = $"QUEUE-{i}" }, InvoiceFormat.Ubl);
        }

        var id = (await InvoiceFiles.CreateAsync(api, "handle-queue", new { inboxPath = "handle-queue/inbox", outboxPath = "handle-queue/outbox", flagNewSuppliers = false, reviewThreshold = 1 })).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = (await InvoiceFiles.ItemsAsync(api, id)).Select(i => i.GetProperty("id").GetGuid()).ToList();

        // A run queued a moment ago for people's decisions (one waiting behind a run that is going), and a stale one.
        var queued = new AutomationRun { AutomationId = id, Trigger = RunTrigger.Handling, QueuedAt = DateTime.UtcNow, RequestedBy = "agent.two" };
        var stale = new AutomationRun { AutomationId = id, Trigger = RunTrigger.Handling, QueuedAt = DateTime.UtcNow.AddMinutes(-10), RequestedBy = "agent.two" };
        await using (var db = await DbAsync())
        {
            db.AddRange(queued, stale);
            await db.SaveChangesAsync();
        }

        foreach (var item in items)
        {
            await ClaimAsync(Agent, item);
        }

        Assert.Equal(queued.Id, (await Handling(Agent).ApproveAsync(items[0], new HandlingNote())).RunId);
        Assert.Equal(queued.Id, (await Handling(Agent).ApproveAsync(items[1], new HandlingNote())).RunId);
        await using (var db = await DbAsync())
        {
            await db.Set<AutomationRun>().Where(r => r.Id == queued.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RunStatus.Cancelled));
        }

        // Once that run is gone, the next approval starts its own, which acts on all three, once each.
        var third = await Handling(Agent).ApproveAsync(items[2], new HandlingNote());
        Assert.NotEqual(queued.Id, third.RunId);
        Assert.NotEqual(stale.Id, third.RunId);
        await api.WaitForRunAsync(third.RunId!.Value);
        foreach (var item in items)
        {
            Assert.Equal(WorkItemStatus.Done, await StatusAsync(item));
        }

        Assert.Equal(3, InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, "handle-queue", "outbox")).Count);
    }

    [Fact]
    public async Task NotesAndMinutesAreBoundedAndOnlyPeopleWithARoleDecide()
    {
        var nobody = new Actor(ActorKind.User, Guid.NewGuid(), "no.role");
        await Assert.ThrowsAsync<ForbiddenException>(() => Handling(nobody).ApproveAsync(Guid.NewGuid(), new HandlingNote()));
        var bounds = await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Agent).ApproveAsync(Guid.NewGuid(), new HandlingNote(new string('x', 2001), -1)));
        Assert.Contains("note", bounds.Errors.Keys);
        Assert.Contains("minutes", bounds.Errors.Keys);
        await Assert.ThrowsAsync<NotFoundException>(() => Handling(Agent).ApproveAsync(Guid.NewGuid(), new HandlingNote()));

        // A flood of made-up fields is refused in one sentence, not answered field by field.
        var flood = Enumerable.Range(0, 10_000).ToDictionary(i => $"field{i}", _ => (string?)"x");
        var many = await Assert.ThrowsAsync<AutomationValidationException>(() => Handling(Agent).EditAndApproveAsync(Guid.NewGuid(), flood, new HandlingNote()));
        Assert.Single(Assert.Single(many.Errors).Value);
    }

    private ItemHandling Handling(Actor actor)
    {
        var scope = portal.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(actor);
        return scope.ServiceProvider.GetRequiredService<ItemHandling>();
    }

    private async Task ClaimAsync(Actor actor, Guid workItemId)
    {
        var scope = portal.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(actor);
        var escalation = await scope.ServiceProvider.GetRequiredService<EscalationQueries>().OfWorkItemAsync(workItemId);
        await scope.ServiceProvider.GetRequiredService<EscalationActions>().ClaimAsync(escalation!.Value);
    }

    private async Task<(Actor? Winner, Exception? Error)> TryClaim(Actor actor, Guid workItemId)
    {
        try
        {
            await ClaimAsync(actor, workItemId);
            return (actor, null);
        }
        catch (ConflictException e)
        {
            return (null, e);
        }
    }

    private async Task<PortalDbContext> DbAsync() =>
        await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    private async Task<WorkItemStatus> StatusAsync(Guid item)
    {
        await using var db = await DbAsync();
        return (await db.Set<WorkItem>().AsNoTracking().SingleAsync(w => w.Id == item)).Status;
    }

}
