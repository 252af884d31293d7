using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>
/// Invoice intake's demo: an automation reading a demo inbox seeded with invoices the portal generates (clean ones, a
/// resent copy, a renumbered copy, totals that do not add up, a credit note, amounts above the threshold and a file
/// that is not an invoice), read once at start.
/// </summary>
internal sealed class InvoiceIntakeDemo : IKindDemo
{
    public const string DemoName = "Demo: invoice intake";

    public int Order => 20;

    public async Task SeedAsync(AutomationDemo demo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(demo);
        var settings = System.Text.Json.JsonDocument.Parse("""{"inboxPath":"demo/invoices/inbox","outboxPath":"demo/invoices/outbox"}""").RootElement;
        if (await demo.CreateOnceAsync(new AutomationRequest(InvoiceIntakeKind.KindKey, DemoName, settings, "0 */15 * * * ?", "Etc/UTC", AutomationState.Production,
                ImplementationCost: 4800m, MonthlyRunningCost: 40m), cancellationToken) is not { } id)
        {
            return;
        }

        var folder = Path.Combine(demo.DataFolder, "demo", "invoices", "inbox");
        Directory.CreateDirectory(folder);
        var settled = demo.Now.AddMinutes(-5);
        foreach (var (name, content) in DemoInvoices())
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllBytesAsync(path, content, cancellationToken);
            File.SetLastWriteTimeUtc(path, settled);
        }

        // Read the demo inbox once now, so the invoice pages have something to show from the first minute.
        await demo.RunNowAsync(id, cancellationToken);
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
}
