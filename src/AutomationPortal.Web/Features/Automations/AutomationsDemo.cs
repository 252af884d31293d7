using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.SampleInbox;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>
/// Demo mode: an automation of the sample kind that reads a demo inbox every five minutes, with two weeks of
/// run history, so every automation page has something to show; and invoice intake reading a demo inbox seeded
/// with invoices the portal generates (clean ones, a resent copy, a renumbered copy, totals that do not add up,
/// a credit note, amounts above the threshold and a file that is not an invoice), read once at start. Demo runs
/// never count.
/// </summary>
internal sealed class AutomationsDemoTask(
    IOptions<DemoOptions> demo,
    PortalDbContext db,
    AutomationService automations,
    PortalDatabase database,
    AutomationScheduler scheduler,
    TimeProvider time) : IStartupTask
{
    public const string DemoName = "Demo: numbers inbox";
    public const string InvoiceDemoName = "Demo: invoice intake";

    public int Order => 120;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!demo.Value.Enabled)
        {
            return;
        }

        await SeedNumbersAsync(cancellationToken);
        await SeedInvoicesAsync(cancellationToken);
    }

    private async Task SeedInvoicesAsync(CancellationToken cancellationToken)
    {
        if (await db.Set<Automation>().AnyAsync(a => a.Name == InvoiceDemoName, cancellationToken))
        {
            return;
        }

        var settings = System.Text.Json.JsonDocument.Parse("""{"inboxPath":"demo/invoices/inbox","outboxPath":"demo/invoices/outbox"}""").RootElement;
        var created = await automations.CreateAsync(new AutomationRequest(InvoiceIntakeKind.KindKey, InvoiceDemoName, settings, "0 */15 * * * ?", "Etc/UTC", AutomationState.Production,
            ImplementationCost: 4800m, MonthlyRunningCost: 40m), demo: true, cancellationToken);
        var folder = Path.Combine(database.DataFolder, "demo", "invoices", "inbox");
        Directory.CreateDirectory(folder);
        var settled = time.GetUtcNow().UtcDateTime.AddMinutes(-5);
        foreach (var (name, content) in DemoInvoices())
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllBytesAsync(path, content, cancellationToken);
            File.SetLastWriteTimeUtc(path, settled);
        }

        // Read the demo inbox once now, so the invoice pages have something to show from the first minute.
        var run = new AutomationRun { AutomationId = created.Id, Trigger = RunTrigger.Manual, QueuedAt = time.GetUtcNow().UtcDateTime, RequestedBy = "demo" };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(created.Id, run.Id, cancellationToken);
    }

    /// <summary>The demo inbox: every format, and each thing invoice intake is there to catch.</summary>
    internal static IEnumerable<(string Name, byte[] Content)> DemoInvoices()
    {
        var formats = new[] { InvoiceFormat.Ubl, InvoiceFormat.Cii, InvoiceFormat.Csv, InvoiceFormat.Json };
        var extensions = new[] { "xml", "xml", "csv", "json" };
        for (var seed = 1; seed <= 12; seed++)
        {
            var invoice = InvoiceSamples.Create(seed);
            yield return ($"{invoice.Number}.{extensions[seed % 4]}", InvoiceWriter.Write(invoice, formats[seed % 4]));
        }

        var original = InvoiceSamples.Create(4);
        yield return ("resent-INV-2026-00004.xml", InvoiceWriter.Write(original, InvoiceFormat.Cii));
        yield return ("renumbered-copy.xml", InvoiceWriter.Write(original with { Number = "INV-2026-90004" }, InvoiceFormat.Ubl));
        var wrong = InvoiceSamples.Create(13);
        yield return ("totals-do-not-add-up.xml", InvoiceWriter.Write(wrong with { Totals = wrong.Totals with { Payable = wrong.Totals.Payable + 100m } }, InvoiceFormat.Ubl));
        yield return ("credit-note-CN-2026-00014.xml", InvoiceWriter.Write(InvoiceSamples.Create(14, InvoiceDocumentType.CreditNote) with { Number = "CN-2026-00014" }, InvoiceFormat.Ubl));
        yield return ("scan-0042.pdf", "%PDF-1.7 a scanned image, not an e-invoice"u8.ToArray());
    }

    private async Task SeedNumbersAsync(CancellationToken cancellationToken)
    {
        if (await db.Set<Automation>().AnyAsync(a => a.Name == DemoName, cancellationToken))
        {
            return;
        }

        var settings = System.Text.Json.JsonDocument.Parse("""{"inboxPath":"demo/numbers/inbox","outboxPath":"demo/numbers/outbox","escalateAbove":500,"settleSeconds":0}""").RootElement;
        // The history is illustrative: fires before now are not reported as missed.
        var created = await automations.CreateAsync(new AutomationRequest(SampleInboxKind.KindKey, DemoName, settings, "0 */5 * * * ?", "Etc/UTC", AutomationState.Production,
            ImplementationCost: 1200m, MonthlyRunningCost: 25m), demo: true, cancellationToken);
        SeedHistory(created.Id);
        await db.SaveChangesAsync(cancellationToken);
        SeedInbox();
    }

    private void SeedHistory(Guid automationId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var random = new Random(20261126);
        for (var day = 14; day >= 1; day--)
        {
            foreach (var hour in new[] { 9, 15 })
            {
                var due = now.Date.AddDays(-day).AddHours(hour);
                var read = random.Next(8, 40);
                var escalated = random.Next(0, 4);
                // Now and then an unreadable file (quarantined: no fault) and, rarely, an action that failed (a fault).
                var quarantined = random.Next(0, 6) == 0 ? random.Next(1, 3) : 0;
                var failed = random.Next(0, 30) == 0 ? 1 : 0;
                var started = due.AddMilliseconds(random.Next(20, 400));
                db.Add(new AutomationRun
                {
                    AutomationId = automationId,
                    Trigger = RunTrigger.Schedule,
                    Mode = RunMode.Demo,
                    SettingsVersion = 1,
                    ScheduledFor = due,
                    QueuedAt = due,
                    StartedAt = started,
                    EndedAt = started.AddSeconds(random.Next(2, 30)),
                    Status = failed > 0 ? RunStatus.PartiallySucceeded : RunStatus.Succeeded,
                    ItemsRead = read,
                    ItemsEscalated = escalated,
                    ItemsFailed = failed,
                    ItemsQuarantined = quarantined,
                    ItemsDone = read - escalated - failed - quarantined,
                });
            }
        }
    }

    private void SeedInbox()
    {
        var inbox = Path.Combine(database.DataFolder, "demo", "numbers", "inbox");
        Directory.CreateDirectory(inbox);
        var values = new[] { "12.50", "48", "230.10", "19.99", "740", "5", "-3", "88.40", "1200", "64", "not a number", "310" };
        for (var i = 0; i < values.Length; i++)
        {
            File.WriteAllText(Path.Combine(inbox, $"item-{i + 1:00}.txt"), values[i]);
        }
    }
}
