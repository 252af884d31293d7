using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.InvoiceIntake;

/// <summary>Invoices decided by a real run, then decided again from their stored payloads with the same and with other settings.</summary>
public sealed class InvoiceReplayTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    [Fact]
    public async Task StoredInvoicesDecidedAgainGiveTheSameAnswersUnderTheSameSettingsAndOthersUnderOthers()
    {
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "replay", "inbox");
        var supplier = new InvoiceParty("Replay Test Supplies Ltd", "GB000000091", null, null);
        for (var i = 0; i < 5; i++)
        {
            InvoiceFiles.Write(inbox, $"r{i}.xml", InvoiceSamples.Create(81 + i) with { Supplier = supplier, Number = $"REPLAY-{i}" }, InvoiceFormat.Ubl);
        }

        var settings = new { inboxPath = "replay/inbox", outboxPath = "replay/outbox", reviewThreshold = 1_000_000 };
        var id = (await InvoiceFiles.CreateAsync(api, "replay", settings)).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        InvoiceFiles.Write(inbox, "again.xml", InvoiceSamples.Create(81) with { Supplier = supplier, Number = "REPLAY-0" }, InvoiceFormat.Cii);
        await api.WaitForRunAsync(await api.RunNowAsync(id));

        using var scope = portal.Services.CreateScope();
        var replay = scope.ServiceProvider.GetRequiredService<DecisionReplay>();
        var same = await replay.DecideAgainAsync(id, null, 100, CancellationToken.None);
        Assert.Equal(6, same.Count);
        Assert.All(same, d => Assert.False(d.Changed, $"{d.Reference}: {d.Decided} {string.Join(' ', d.DecidedReasons)} became {d.Now} {string.Join(' ', d.NowReasons)}"));
        Assert.Contains(same, d => d.DecidedReasons.SequenceEqual(["new-supplier"]));
        Assert.Contains(same, d => d.DecidedReasons.Contains("duplicate"));

        // Without the new-supplier flag and with a low threshold, the supplier's first invoice goes through and every one is over it.
        var other = await replay.DecideAgainAsync(id, """{"inboxPath":"replay/inbox","outboxPath":"replay/outbox","reviewThreshold":1,"flagNewSuppliers":false}""", 100, CancellationToken.None);
        Assert.All(other, d => Assert.Contains("over-threshold", d.NowReasons));
        Assert.DoesNotContain(other, d => d.NowReasons.Contains("new-supplier"));
        Assert.Equal(same.Count(d => d.DecidedReasons.Contains("duplicate")), other.Count(d => d.NowReasons.Contains("duplicate")));

        // An item a person corrected is acted on as corrected: it is not the input the automation decided, so it is left out.
        var escalated = same.First(d => d.DecidedReasons.SequenceEqual(["new-supplier"]));
        var scope2 = portal.Services.CreateScope();
        scope2.ServiceProvider.GetRequiredService<Web.Infrastructure.Security.CurrentActor>().Use(new Web.Infrastructure.Security.Actor(Web.Infrastructure.Security.ActorKind.User, Guid.NewGuid(), "agent") { Roles = [Web.Infrastructure.Security.Role.Agent] });
        var queue = scope2.ServiceProvider.GetRequiredService<Web.Features.Escalations.EscalationQueries>();
        await scope2.ServiceProvider.GetRequiredService<Web.Features.Escalations.EscalationActions>().ClaimAsync((await queue.OfWorkItemAsync(escalated.WorkItemId))!.Value);
        await scope2.ServiceProvider.GetRequiredService<Web.Features.Automations.Handling.ItemHandling>()
            .EditAndApproveAsync(escalated.WorkItemId, new Dictionary<string, string?> { ["dueDate"] = "2026-12-31" }, new Web.Features.Automations.Handling.HandlingNote());
        var afterCorrection = await replay.DecideAgainAsync(id, null, 100, CancellationToken.None);
        Assert.Equal(same.Count - 1, afterCorrection.Count);
        Assert.DoesNotContain(afterCorrection, d => d.WorkItemId == escalated.WorkItemId);
        scope2.Dispose();

        var refused = await Assert.ThrowsAsync<AutomationValidationException>(() =>
            replay.DecideAgainAsync(id, """{"inboxPath":"replay/inbox","outboxPath":"replay/outbox","unusualHistory":100000}""", 100, CancellationToken.None));
        Assert.Contains("settings.unusualHistory", refused.Errors.Keys);
    }
}
