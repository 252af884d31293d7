using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using Bunit;

namespace AutomationPortal.ComponentTests.InvoiceIntake;

public sealed class InvoiceViewTests : PortalComponentTest
{
    [Fact]
    public void AnEscalatedInvoiceShowsItsReasonsEvidenceAndEveryRule()
    {
        var invoice = InvoiceSamples.Create(4);
        var broken = invoice with { Totals = invoice.Totals with { Payable = invoice.Totals.Payable + 5m } };
        var earlierId = Guid.NewGuid();
        var earlier = new InvoiceEvidence(earlierId, Guid.NewGuid(), invoice.Number, invoice.Supplier.Name, "Invoice", invoice.IssueDate, invoice.Totals.Payable, "EUR", new DateTime(2026, 11, 2, 9, 30, 0, DateTimeKind.Utc));
        var document = new InvoiceDocument("resent.xml", 4096, broken, broken.Supplier.Identity, broken.Totals.Payable, InvoiceHistory.ContentKey(broken),
            InvoiceVerifier.Verify(broken), [new InvoiceCheck("duplicate", "The same supplier already sent invoice X.", [earlier])]);

        var view = Render<InvoiceView>(p => p.Add(v => v.Document, document).Add(v => v.ReasonCodes, ["duplicate", "arithmetic:BR-CO-16"]));

        Assert.Contains($"Duplicate: the supplier already sent invoice {invoice.Number}", view.Find("[data-testid=reason-duplicate]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"work-items/{earlierId}", view.Find("[data-testid=evidence-link]").GetAttribute("href"));
        Assert.Contains("Totals do not add up (BR-CO-16)", view.Find("[data-testid='reason-arithmetic:BR-CO-16']").TextContent, StringComparison.Ordinal);
        Assert.Equal(InvoiceVerifier.Rules.Count, view.FindAll("[data-testid=verification] tbody tr").Count);
        Assert.Equal("Failed", view.Find("[data-testid='rule-arithmetic:BR-CO-16']").GetAttribute("data-outcome"));
        Assert.Equal(invoice.Lines.Count, view.FindAll("[data-testid=invoice-lines] tbody tr").Count);
        Assert.Equal(invoice.VatBreakdown.Count, view.FindAll("[data-testid=vat-breakdown] tbody tr").Count);
        Assert.Contains("EUR", view.Find("[data-testid=payable]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ACleanCreditNoteSaysAllChecksPassedAndCountsAsNegative()
    {
        var credit = InvoiceSamples.Create(8, InvoiceDocumentType.CreditNote);
        var document = new InvoiceDocument("cn.json", 900, credit, credit.Supplier.Identity, InvoiceDocument.CountedAmount(credit), InvoiceHistory.ContentKey(credit), [], []);

        var view = Render<InvoiceView>(p => p.Add(v => v.Document, document));

        Assert.Contains("No duplicate, nothing unusual", view.Find("[data-testid=invoice-checks]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("-", view.Find("[data-testid=payable]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("Credit note (counts as negative)", view.Markup, StringComparison.Ordinal);
        Assert.Empty(view.FindAll("[data-outcome=Failed]"));
    }

    [Fact]
    public void ALongInvoiceShowsItsLinesAPageAtATimeWithShowMore()
    {
        var sample = InvoiceSamples.Create(9);
        var invoice = sample with { Lines = Enumerable.Range(1, 450).Select(i => sample.Lines[0] with { Id = $"L{i}" }).ToList() };
        var document = new InvoiceDocument("long.csv", 90_000, invoice, invoice.Supplier.Identity, invoice.Totals.Payable, InvoiceHistory.ContentKey(invoice), [], []);

        var view = Render<InvoiceView>(p => p.Add(v => v.Document, document));

        Assert.Equal(InvoiceView.LinesPerPage, view.FindAll("[data-testid=invoice-lines] tbody tr").Count);
        Assert.Contains("Lines 1 to 200 of 450", view.Find("[data-testid=lines-shown]").TextContent, StringComparison.Ordinal);
        view.Find("[data-testid=show-more-lines]").Click();
        Assert.Equal(400, view.FindAll("[data-testid=invoice-lines] tbody tr").Count);
        Assert.Contains("Show 50 more", view.Find("[data-testid=show-more-lines]").TextContent, StringComparison.Ordinal);
        view.Find("[data-testid=show-more-lines]").Click();
        Assert.Equal(450, view.FindAll("[data-testid=invoice-lines] tbody tr").Count);
        Assert.Empty(view.FindAll("[data-testid=show-more-lines]"));
    }

    [Fact]
    public void AnEscalatedInvoiceStatesTheThresholdAndWhetherTheOriginalOfItsDuplicateWasPosted()
    {
        var invoice = InvoiceSamples.Create(4);
        var earlier = new InvoiceEvidence(Guid.NewGuid(), Guid.NewGuid(), invoice.Number, invoice.Supplier.Name, "Invoice", invoice.IssueDate, invoice.Totals.Payable, "EUR", new DateTime(2026, 11, 2, 9, 30, 0, DateTimeKind.Utc));
        // Read before invoices kept their threshold: the view takes it from the automation's settings.
        var document = new InvoiceDocument("resent.xml", 4096, invoice, invoice.Supplier.Identity, invoice.Totals.Payable, InvoiceHistory.ContentKey(invoice),
            [], [new InvoiceCheck("duplicate", "The same supplier already sent invoice X.", [earlier])]);
        var originals = new Dictionary<Guid, WorkItemState>
        {
            [earlier.WorkItemId] = new(earlier.WorkItemId, WorkItemStatus.Done, "approve", Lane.Live),
        };

        var view = Render<InvoiceView>(p => p.Add(v => v.Document, document).Add(v => v.ReasonCodes, ["duplicate", "over-threshold"])
            .Add(v => v.Settings, new InvoiceIntakeSettings { ReviewThreshold = 1000m }).Add(v => v.Originals, originals));

        Assert.Equal("Above the review threshold of 1,000.00 EUR", view.Find("[data-testid=reason-over-threshold] [data-testid=reason-text]").TextContent.Trim());
        Assert.EndsWith("; the original was posted", view.Find("[data-testid=reason-duplicate] [data-testid=reason-text]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("Posted", view.Find("[data-testid=evidence-status]").TextContent.Trim());
    }

    [Fact]
    public void OnAPhoneTheInvoiceTablesKeepTheirMainColumnsAndLetTheRestGiveWay()
    {
        var invoice = InvoiceSamples.Create(4);
        var earlier = new InvoiceEvidence(Guid.NewGuid(), Guid.NewGuid(), invoice.Number, invoice.Supplier.Name, "Invoice", invoice.IssueDate, invoice.Totals.Payable, "EUR", DateTime.UtcNow);
        var document = new InvoiceDocument("resent.xml", 4096, invoice, invoice.Supplier.Identity, invoice.Totals.Payable, InvoiceHistory.ContentKey(invoice),
            [], [new InvoiceCheck("duplicate", "The same supplier already sent invoice X.", [earlier])]);

        var view = Render<InvoiceView>(p => p.Add(v => v.Document, document).Add(v => v.ReasonCodes, ["duplicate"]));

        // MudBlazor's display classes: hidden below the small breakpoint (600 px), a table cell from it on.
        static List<string> OnPhones(AngleSharp.Dom.IElement table) =>
            table.QuerySelectorAll("thead th").Where(th => !th.ClassList.Contains("d-none")).Select(th => th.TextContent.Trim()).ToList();
        Assert.Equal(["Evidence", "Amount"], OnPhones(view.Find("[data-testid=evidence]")));
        Assert.Equal(["Quantity", "Net", "VAT"], OnPhones(view.Find("[data-testid=invoice-lines]")));
        Assert.All(view.FindAll("[data-testid=invoice-lines] th.d-none, [data-testid=evidence] th.d-none"), th => Assert.Contains("d-sm-table-cell", th.ClassList));
        Assert.All(view.FindAll("[data-testid=rules] tbody tr"), row => Assert.Contains("d-none", row.Children[^1].ClassList));
        Assert.DoesNotContain("overflow-x", view.Markup, StringComparison.Ordinal);
    }
}
