using System.Diagnostics;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.IntegrationTests.InvoiceIntake;

/// <summary>
/// Invoice intake in the built portal, killed with SIGKILL in the middle of a run and started again: every file is
/// processed once, every invoice is booked once by the accounting webhook and exported once.
/// </summary>
public sealed class InvoiceCrashTests
{
    private const int Invoices = 300;

    [Fact]
    public async Task AKilledIntakeRunIsRecoveredAndEveryInvoiceIsProcessedPostedAndExportedOnce()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-invoice-crash-" + Guid.NewGuid().ToString("N"));
        var inbox = Path.Combine(folder, "ap", "inbox");
        var formats = new[] { InvoiceFormat.Ubl, InvoiceFormat.Cii, InvoiceFormat.Csv, InvoiceFormat.Json };
        for (var i = 0; i < Invoices; i++)
        {
            InvoiceFiles.Write(inbox, $"invoice-{i:0000}", InvoiceSamples.Create(1000 + i), formats[i % formats.Length]);
        }

        // Each booking takes 15 ms, so the run is long enough to be cut off in its middle.
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort(), TimeSpan.FromMilliseconds(15));
        Process? portal = null;
        try
        {
            var port = ChildPortal.FreePort();
            portal = ChildPortal.Start(folder, port);
            using var client = ChildPortal.ClientFor(port);
            await ChildPortal.WaitHealthyAsync(client, portal);

            var (id, runId) = await ChildPortal.CreateAndRunAsync(client, new
            {
                kind = "invoice-intake",
                name = "ap",
                schedule = "0 0 3 1 1 ?",
                state = "Production",
                settings = new { inboxPath = "ap/inbox", outboxPath = "ap/outbox", webhookUrl = receiver.Url, flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 },
            });
            await ChildPortal.WaitUntilReadAsync(client, runId, 100);
            await Task.Delay(300);
            await ChildPortal.KillAsync(portal);
            Assert.InRange(await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM WorkItems"), 100, Invoices - 1);

            portal = ChildPortal.Start(folder, port);
            await ChildPortal.WaitHealthyAsync(client, portal);
            await ChildPortal.WaitUntilSettledAsync(client, id, Invoices, "Done", TimeSpan.FromSeconds(120));
        }
        finally
        {
            await ChildPortal.KillAsync(portal);
        }

        try
        {
            Assert.Equal(Invoices, await ChildPortal.CountAsync(folder, "SELECT COUNT(DISTINCT SourceKey) FROM WorkItems"));
            Assert.Equal(Invoices, await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM WorkItems WHERE Status = 'Done'"));
            Assert.Equal(Invoices, await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM Effects WHERE Type = 'webhook-post'"));
            Assert.Equal(Invoices, await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM Effects WHERE Type = 'export-line' AND Status = 'Applied'"));
            Assert.Empty(Directory.GetFiles(inbox));
            Assert.Equal(Invoices, Directory.GetFiles(Path.Combine(folder, "ap", "archive")).Length);

            // Booked once each. Each post goes into the ledger the moment it succeeds, so only a post cut off between
            // the receiver booking it and the portal hearing back can be sent again (same Idempotency-Key, dropped by
            // the receiver as a repeat): at most the one in flight.
            Assert.Equal(Invoices, receiver.Booked.Count);
            Assert.InRange(receiver.Repeats, 0, 1);
            // The killed run's file was written from the ledger by the recovery run; every file has its entry.
            var files = await ChildPortal.CountAsync(folder, "SELECT COUNT(*) FROM Effects WHERE Type = 'export-file'");
            Assert.True(files >= 2, $"{files} export files recorded; the killed run's and the recovery run's were expected.");
            Assert.Equal(files, Directory.GetFiles(Path.Combine(folder, "ap", "outbox"), "*.csv").Length);
            var lines = InvoiceFiles.ExportLines(Path.Combine(folder, "ap", "outbox"));
            Assert.Equal(Invoices, lines.Count);
            Assert.Equal(Invoices, lines.Select(l => l.Split(',')[0]).Distinct().Count());
        }
        finally
        {
            PortalAppFactory.DeleteFolder(folder);
        }
    }
}
