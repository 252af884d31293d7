using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>The engine's records as a kind sees them: the history of a counterparty, matches by fingerprint or subject, and the ledger.</summary>
public sealed class EngineRecordsTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    [Fact]
    public async Task AKindAsksTheHistoryForACounterpartysLatestItemsAndForMatchesAndTheLedgerForAnEffect()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "records", new { inboxPath = "records/inbox", outboxPath = "records/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();
        var inbox = Path.Combine(portal.DataFolder, "records", "inbox");
        var first = InvoiceSamples.Create(7001) with { Number = "REC-1" };
        InvoiceFiles.Write(inbox, "a.xml", first, InvoiceFormat.Ubl);
        InvoiceFiles.Write(inbox, "b.xml", InvoiceSamples.Create(7004) with { Number = "REC-2", Supplier = first.Supplier }, InvoiceFormat.Ubl);
        InvoiceFiles.Write(inbox, "c.xml", InvoiceSamples.Create(7007) with { Number = "REC-3", Supplier = first.Supplier, Currency = "USD" }, InvoiceFormat.Ubl);
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = await InvoiceFiles.ItemsAsync(api, id);
        var party = items[0].GetProperty("partyId").GetString()!;
        var firstId = (await InvoiceFiles.DetailAsync(api, items.Single(i => i.GetProperty("reference").GetString() == "REC-1").GetProperty("id").GetGuid())).GetProperty("item").GetProperty("id").GetGuid();

        EngineRecords records;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            records = new EngineRecords(scope.ServiceProvider.GetRequiredService<PortalDatabase>(), EngineSchema.From(db.Model), id, TimeProvider.System);
            var fingerprint = await db.Set<AutomationPortal.Web.Features.Automations.Model.WorkItem>().Where(w => w.Id == firstId).Select(w => w.ContentKey).SingleAsync();

            var latest = await records.LatestOfPartyAsync(InvoiceIntakeKind.KindKey, party, "EUR", 10, includeShadow: false, CancellationToken.None);
            var bySubject = await records.MatchingAsync(InvoiceIntakeKind.KindKey, null, party, "REC-2", includeShadow: false, CancellationToken.None);
            var byFingerprint = await records.MatchingAsync(InvoiceIntakeKind.KindKey, fingerprint, null, null, includeShadow: false, CancellationToken.None);
            var ofKind = await records.OfKindAsync(InvoiceIntakeKind.KindKey, includeShadow: false, CancellationToken.None).ToListAsync();

            // The supplier's EUR invoices, newest first; the USD one is another currency.
            Assert.Equal(["REC-2", "REC-1"], latest.Where(i => i.AutomationId == id).Select(i => i.Summary.Reference));
            Assert.Equal("REC-2", Assert.Single(bySubject).Summary.Reference);
            Assert.Equal("REC-1", Assert.Single(byFingerprint).Summary.Reference);
            Assert.Equal(3, ofKind.Count(i => i.AutomationId == id));
        }

        var key = $"{id:N}:a-key-of-this-test";
        Assert.False(await records.IsAppliedAsync(key, CancellationToken.None));
        await records.RecordNowAsync(Guid.NewGuid(), null, new EffectRecord("test-effect", key, "nowhere", null), CancellationToken.None);
        Assert.True(await records.IsAppliedAsync(key, CancellationToken.None));
    }
}
