using System.Text.Json;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.UnitTests.InvoiceIntake;

/// <summary>
/// The decide step reads its arguments only: an invoice stored under some settings, decided again later under others,
/// gets the answer a run with those other settings would have given, and under its own settings the answer it got.
/// </summary>
public sealed class InvoiceDecisionReplayTests
{
    private static readonly InvoiceIntakeSettings Lenient = new() { ReviewThreshold = 2000m, UnusualFactor = 3m, UnusualHistory = 10, FlagNewSuppliers = true };

    private static readonly InvoiceIntakeSettings Strict = new() { ReviewThreshold = 900m, UnusualFactor = 1.4m, UnusualHistory = 4, FlagNewSuppliers = false, ReviewThresholds = new() { ["USD"] = 100m } };

    [Fact]
    public void AStoredInvoiceDecidedAgainGetsTheAnswerARunWithThoseSettingsGave()
    {
        var stream = Invoices();
        var underLenient = Read(stream, Lenient);
        var underStrict = Read(stream, Strict);

        var replayedStrict = underLenient.Select(d => InvoiceIntakeKind.Decide(Stored(d), Strict)).ToList();
        var replayedLenient = underStrict.Select(d => InvoiceIntakeKind.Decide(Stored(d), Lenient)).ToList();
        var strictly = underStrict.Select(d => InvoiceIntakeKind.Decide(d, Strict)).ToList();
        var leniently = underLenient.Select(d => InvoiceIntakeKind.Decide(d, Lenient)).ToList();

        Assert.Equal(strictly.Select(Text), replayedStrict.Select(Text));
        Assert.Equal(leniently.Select(Text), replayedLenient.Select(Text));
        Assert.Equal(leniently.Select(Text), underLenient.Select(d => Text(InvoiceIntakeKind.Decide(Stored(d), Lenient))));

        // The two settings really decide differently, on every rule the settings weigh.
        var changed = leniently.Zip(strictly).Where(p => Text(p.First) != Text(p.Second)).ToList();
        Assert.True(changed.Count >= 10, $"Only {changed.Count} invoices were decided differently.");
        Assert.Contains(leniently, d => d.ReasonCodes.Contains("new-supplier"));
        Assert.DoesNotContain(strictly, d => d.ReasonCodes.Contains("new-supplier"));
        Assert.True(strictly.Count(d => d.ReasonCodes.Contains("unusual-amount")) > leniently.Count(d => d.ReasonCodes.Contains("unusual-amount")));
        Assert.Contains(leniently, d => d.ReasonCodes.Contains("duplicate"));
        Assert.Equal(leniently.Count(d => d.ReasonCodes.Contains("duplicate")), strictly.Count(d => d.ReasonCodes.Contains("duplicate")));
    }

    [Fact]
    public void TheChecksShownWithAnInvoiceAreTheRulesTheDecisionApplied()
    {
        foreach (var document in Read(Invoices(), Strict))
        {
            var decision = InvoiceIntakeKind.Decide(document, Strict);
            foreach (var code in new[] { "unusual-amount", "duplicate", "possible-duplicate" })
            {
                Assert.Equal(decision.ReasonCodes.Contains(code), document.Checks.Any(c => c.Code == code));
            }
        }
    }

    [Fact]
    public void AnInvoiceStoredBeforeItKeptItsHistoryIsDecidedByItsStoredChecks()
    {
        var invoice = InvoiceSamples.Create(3);
        var old = Document(invoice, [new InvoiceCheck("unusual-amount", "kept", []), new InvoiceCheck("new-supplier", "first", [])], history: null);

        Assert.Equal(["unusual-amount", "new-supplier"], InvoiceIntakeKind.Decide(old, new InvoiceIntakeSettings { ReviewThreshold = 1_000_000m }).ReasonCodes);
        Assert.Equal(["unusual-amount"], InvoiceIntakeKind.Decide(old, new InvoiceIntakeSettings { FlagNewSuppliers = false, ReviewThreshold = 1_000_000m }).ReasonCodes);
    }

    [Fact]
    public void TheHistoryKeptWithAnInvoiceIsBoundedWhateverTheSupplierSent()
    {
        var history = new InvoiceHistory();
        var supplier = InvoiceSamples.Create(0).Supplier.Identity;
        for (var i = 0; i < 1000; i++)
        {
            history.Add(supplier, $"c{i}", Evidence(InvoiceSamples.Create(i * 3) with { Number = $"B-{i}" }));
        }

        var evidence = history.Evidence(supplier, "new", Evidence(InvoiceSamples.Create(3003) with { Number = "B-NEW" }));
        Assert.Equal(InvoiceHistory.EvidenceWindow, evidence.Facts.RecentAmounts.Count);
        Assert.Equal(InvoiceHistory.EvidenceWindow, evidence.Recent.Count);
        Assert.Equal("B-999", evidence.Recent[^1].InvoiceNumber);
    }

    /// <summary>
    /// Invoices from three suppliers and a newcomer, with resent numbers and a few large amounts, in a fixed order.
    /// </summary>
    private static List<Invoice> Invoices()
    {
        var invoices = new List<Invoice>();
        for (var i = 0; i < 90; i++)
        {
            var invoice = InvoiceSamples.Create(i, currency: i % 17 == 5 ? "USD" : "EUR");
            invoices.Add(i % 11 == 7 ? Scaled(invoice, 6m) : invoice);
            if (i % 13 == 4)
            {
                invoices.Add(invoice with { Lines = [.. invoice.Lines] });
            }

            if (i == 40)
            {
                invoices.Add(InvoiceSamples.Create(400) with { Supplier = new InvoiceParty("Newcomer Ltd", "GB999999973", null, null) });
            }
        }

        return invoices;
    }

    /// <summary>What the kind's prepare step stores for each invoice of the stream, under <paramref name="settings"/>.</summary>
    private static List<InvoiceDocument> Read(List<Invoice> invoices, InvoiceIntakeSettings settings)
    {
        var history = new InvoiceHistory();
        var documents = new List<InvoiceDocument>();
        foreach (var invoice in invoices)
        {
            var self = Evidence(invoice);
            var key = invoice.Supplier.Identity;
            var content = InvoiceHistory.ContentKey(invoice);
            var evidence = history.Evidence(key, content, self);
            history.Add(key, content, self);
            documents.Add(Document(invoice, InvoiceRules.Checks(self, key, evidence, settings), evidence.Facts) with { ReviewThreshold = InvoiceIntakeKind.ThresholdFor(settings, invoice.Currency) });
        }

        return documents;
    }

    /// <summary>The document as the engine stores it and a later decision reads it back: through its JSON payload.</summary>
    private static InvoiceDocument Stored(InvoiceDocument document) =>
        InvoiceIntakeKind.ReadPayload(JsonSerializer.Serialize(document, InvoiceIntakeJson.Default.InvoiceDocument))!;

    private static string Text(ItemDecision decision) => $"{decision.Decision}: {string.Join(' ', decision.ReasonCodes)}";

    private static Invoice Scaled(Invoice invoice, decimal scale) => invoice with
    {
        Totals = invoice.Totals with { Payable = invoice.Totals.Payable * scale, TaxExclusive = invoice.Totals.TaxExclusive * scale, TaxInclusive = invoice.Totals.TaxInclusive * scale, TaxTotal = invoice.Totals.TaxTotal * scale },
    };

    private static InvoiceEvidence Evidence(Invoice invoice) =>
        new(Guid.NewGuid(), Guid.Empty, invoice.Number, invoice.Supplier.Name, invoice.DocumentType.ToString(), invoice.IssueDate, InvoiceDocument.CountedAmount(invoice), invoice.Currency, new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc));

    private static InvoiceDocument Document(Invoice invoice, IReadOnlyList<InvoiceCheck> checks, InvoiceHistoryFacts? history) =>
        new("f.xml", 100, invoice, invoice.Supplier.Identity, InvoiceDocument.CountedAmount(invoice), InvoiceHistory.ContentKey(invoice), [], checks, History: history);
}
