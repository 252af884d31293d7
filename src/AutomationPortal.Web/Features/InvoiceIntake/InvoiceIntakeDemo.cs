using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;
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

        // Read the demo inbox once now, so the invoice pages have something to show from the first minute; then the
        // demo's people work the queue.
        var run = await demo.RunNowAsync(id, cancellationToken);
        demo.After(run, (services, token) => PlayQueueAsync(services, id, token));
    }

    /// <summary>
    /// The demo's people at work, through the queue's own actions: the Agent resolves three invoices (with the minutes
    /// each took), defers one until tomorrow morning and holds two; the duplicate and an unusual amount wait unassigned;
    /// the Manager overrides an invoice the automation approved, so its reversal goes to the next export.
    /// </summary>
    internal static async Task PlayQueueAsync(IServiceProvider services, Guid automationId, CancellationToken cancellationToken)
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        if (await DemoPerson.FindAsync(services, Demo.DemoModule.AgentEmail, Role.Agent) is not { } agent)
        {
            return;
        }

        await using (var scope = DemoPerson.Scope(scopes, agent))
        {
            var queue = scope.ServiceProvider.GetRequiredService<EscalationQueries>();
            var actions = scope.ServiceProvider.GetRequiredService<EscalationActions>();
            var waiting = (await queue.ListAsync(new EscalationFilter(QueueView.Unassigned, automationId), new EscalationSort(), 1, 50, cancellationToken)).Items.ToList();
            // Left for whoever opens the demo: the duplicate, and one unusual or high amount.
            var left = new[] { waiting.FirstOrDefault(e => e.ReasonCodes.Contains("duplicate")), waiting.FirstOrDefault(e => e.ReasonCodes.Contains("unusual-amount") || e.ReasonCodes.Contains("over-threshold")) };
            var rest = waiting.Where(e => !left.Contains(e)).ToList();

            EscalationView? Take(Func<EscalationView, bool> which)
            {
                var found = rest.FirstOrDefault(which);
                if (found is not null)
                {
                    rest.Remove(found);
                }

                return found;
            }

            async Task ResolveAsync(EscalationView? escalation, ResolveRequest request)
            {
                if (escalation is not null)
                {
                    await actions.ClaimAsync(escalation.Id, cancellationToken);
                    await actions.ResolveAsync(escalation.Id, request, cancellationToken);
                }
            }

            await ResolveAsync(Take(e => e.ReasonCodes.Any(c => c.StartsWith("arithmetic:", StringComparison.Ordinal))),
                new ResolveRequest("Reject", "wrong-amount", "The totals do not add up; asked the supplier for a corrected invoice.", 7));
            await ResolveAsync(Take(e => e.ReasonCodes.Contains("possible-duplicate")),
                new ResolveRequest("Reject", "duplicate", "The same invoice as INV-2026-00004 under another number.", 4));
            await ResolveAsync(Take(_ => true), new ResolveRequest("Approve", null, "Checked against the purchase order: the amount was agreed.", 6));
            if (Take(_ => true) is { } deferred)
            {
                await actions.ClaimAsync(deferred.Id, cancellationToken);
                var zone = TimeZoneInfo.FindSystemTimeZoneById(scope.ServiceProvider.GetRequiredService<IOptions<OrganisationOptions>>().Value.TimeZone);
                var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
                var tomorrow = TimeZoneInfo.ConvertTime(now, zone).Date.AddDays(1).AddHours(9);
                await actions.DeferAsync(deferred.Id, new DateTimeOffset(tomorrow, zone.GetUtcOffset(tomorrow)), "Asked the supplier for the order number; back tomorrow morning.", cancellationToken);
            }

            foreach (var held in rest.Take(2))
            {
                await actions.ClaimAsync(held.Id, cancellationToken);
            }
        }

        if (await DemoPerson.FindAsync(services, Demo.DemoModule.ManagerEmail, Role.Manager) is not { } manager)
        {
            return;
        }

        await using (var scope = DemoPerson.Scope(scopes, manager))
        {
            // The latest invoice the automation posted on its own (not the original of the resent duplicate, which waits).
            var queries = scope.ServiceProvider.GetRequiredService<AutomationQueries>();
            var done = await queries.WorkItemsAsync(automationId, WorkItemStatus.Done, null, null, null, 1, 100, cancellationToken);
            Guid? approved = null;
            foreach (var candidate in done.Items.Where(i => i.Lane == Lane.Live && i.Decision == Decisions.Approve && i.Type == "Invoice").OrderByDescending(i => i.Reference, StringComparer.Ordinal))
            {
                if (await queries.WorkItemAsync(candidate.Id, cancellationToken) is { Effects.Count: > 0 } detail && detail.Decisions.All(d => d.DecidedBy != DecidedBy.Person))
                {
                    approved = candidate.Id;
                    break;
                }
            }

            if (approved is { } item)
            {
                await scope.ServiceProvider.GetRequiredService<EscalationActions>().OverrideAsync(item,
                    new OverrideRequest("Reject", "not-ordered", "Nobody here ordered this: reversed before payment.", 5), cancellationToken);
            }
        }
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
