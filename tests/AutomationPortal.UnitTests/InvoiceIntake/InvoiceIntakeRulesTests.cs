using System.Text;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.UnitTests.InvoiceIntake;

public sealed class InvoiceIntakeRulesTests
{
    private static readonly DateTime Received = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+49 30 1234", "'+49 30 1234")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("Plain GmbH", "Plain GmbH")]
    [InlineData("Müller, Söhne", "\"Müller, Söhne\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("", "")]
    public void TextCellsCannotRunAsFormulas(string value, string expected) => Assert.Equal(expected, SpreadsheetCsv.Text(value));

    [Fact]
    public void NumbersStayNumbersAndCreditNotesAreNegative()
    {
        Assert.Equal("-12.50", SpreadsheetCsv.Number(-12.5m));
        var credit = InvoiceSamples.Create(3, InvoiceDocumentType.CreditNote);
        Assert.Equal(-credit.Totals.Payable, InvoiceDocument.CountedAmount(credit));
        Assert.Equal(InvoiceSamples.Create(3).Totals.Payable, InvoiceDocument.CountedAmount(InvoiceSamples.Create(3)));
    }

    [Fact]
    public void TheSameDocumentHasTheSameFingerprintInEveryFormat()
    {
        var invoice = InvoiceSamples.Create(12);
        var keys = Enum.GetValues<InvoiceFormat>()
            .Select(format => InvoiceHistory.ContentKey(InvoiceReader.Read(new MemoryStream(InvoiceWriter.Write(invoice, format)))))
            .Distinct().ToList();

        Assert.Single(keys);
        Assert.Equal(keys[0], InvoiceHistory.ContentKey(invoice with { Number = "OTHER-1" }));
        Assert.NotEqual(keys[0], InvoiceHistory.ContentKey(invoice with { IssueDate = invoice.IssueDate!.Value.AddDays(1) }));
    }

    [Fact]
    public void ASupplierNumberSeenBeforeIsADuplicateButNotAcrossDocumentTypes()
    {
        var history = new InvoiceHistory();
        var first = Evidence("A-1", 100m);
        history.Add("vat:DE1", "content-1", first);

        var again = history.Check("vat:DE1", "content-2", Evidence(" a-1 ", 250m), 3m, 10);
        var duplicate = Assert.Single(again, c => c.Code == "duplicate");
        Assert.Same(first, Assert.Single(duplicate.Evidence));

        Assert.DoesNotContain(history.Check("vat:DE1", "content-3", Evidence("A-1", 100m, type: "CreditNote"), 3m, 10), c => c.Code == "duplicate");
        Assert.DoesNotContain(history.Check("vat:FR2", "content-4", Evidence("A-1", 100m), 3m, 10), c => c.Code == "duplicate");
    }

    [Fact]
    public void TheSameAmountWithinSevenDaysUnderAnotherNumberIsAPossibleDuplicate()
    {
        var history = new InvoiceHistory();
        var first = Evidence("A-1", 1234.56m, issued: new DateOnly(2026, 3, 10));
        history.Add("vat:DE1", "c1", first);

        var near = history.Check("vat:DE1", "c2", Evidence("A-2", 1234.56m, issued: new DateOnly(2026, 3, 17)), 3m, 10);
        Assert.Same(first, Assert.Single(near, c => c.Code == "possible-duplicate").Evidence[0]);
        Assert.DoesNotContain(history.Check("vat:DE1", "c3", Evidence("A-3", 1234.56m, issued: new DateOnly(2026, 3, 18)), 3m, 10), c => c.Code == "possible-duplicate");
        Assert.DoesNotContain(history.Check("vat:DE1", "c4", Evidence("A-4", 1234.56m, currency: "USD", issued: new DateOnly(2026, 3, 11)), 3m, 10), c => c.Code == "possible-duplicate");

        var sameContent = history.Check("vat:DE1", "c1", Evidence("A-9", 99m, issued: new DateOnly(2026, 9, 1)), 3m, 10);
        Assert.Contains("identical", Assert.Single(sameContent, c => c.Code == "possible-duplicate").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAmountAboveTheFactorTimesTheMedianOfTheLatestHistoryIsUnusual()
    {
        var history = new InvoiceHistory();
        Assert.Contains(history.Check("vat:DE1", "x", Evidence("N-0", 10m), 3m, 5), c => c.Code == "new-supplier");
        foreach (var (number, amount) in new[] { ("N-1", 5000m), ("N-2", 100m), ("N-3", 120m), ("N-4", 80m), ("N-5", 110m), ("N-6", 90m) })
        {
            history.Add("vat:DE1", number, Evidence(number, amount, issued: new DateOnly(2026, 1, 1).AddDays(number[^1] * 20)));
        }

        // The last 5: 100, 120, 80, 110, 90: median 100; the old 5,000 is out of the window.
        var unusual = Assert.Single(history.Check("vat:DE1", "y", Evidence("N-7", 301m), 3m, 5), c => c.Code == "unusual-amount");
        Assert.Equal(5, unusual.Evidence.Count);
        Assert.Contains("3.0×", unusual.Message, StringComparison.Ordinal);
        Assert.Empty(history.Check("vat:DE1", "z", Evidence("N-8", 300m), 3m, 5));
        Assert.DoesNotContain(history.Check("vat:DE1", "w", Evidence("N-9", 301m, currency: "USD"), 3m, 5), c => c.Code == "unusual-amount");
    }

    [Fact]
    public void TheDecisionWeighsChecksFindingsThresholdsAndTheNewSupplierFlag()
    {
        var invoice = InvoiceSamples.Create(5);
        var payable = invoice.Totals.Payable!.Value;
        var clean = Document(invoice, []);
        var settings = new InvoiceIntakeSettings { ReviewThreshold = payable + 1 };
        Assert.Equal(ItemDecision.Approve(), InvoiceIntakeKind.Decide(clean, settings));

        Assert.Equal(["over-threshold"], InvoiceIntakeKind.Decide(clean, new InvoiceIntakeSettings { ReviewThreshold = payable - 1 }).ReasonCodes);
        Assert.Empty(InvoiceIntakeKind.Decide(clean, new InvoiceIntakeSettings { ReviewThreshold = 0, ReviewThresholds = new() { ["EUR"] = payable } }).ReasonCodes);

        var credit = Document(invoice with { DocumentType = InvoiceDocumentType.CreditNote }, []);
        Assert.True(InvoiceIntakeKind.Decide(credit, new InvoiceIntakeSettings { ReviewThreshold = 0 }).Act);

        var newSupplier = Document(invoice, [new InvoiceCheck("new-supplier", "first", [])]);
        Assert.True(InvoiceIntakeKind.Decide(newSupplier, settings).Escalate);
        Assert.True(InvoiceIntakeKind.Decide(newSupplier, new InvoiceIntakeSettings { ReviewThreshold = payable + 1, FlagNewSuppliers = false }).Act);

        var broken = invoice with { Totals = invoice.Totals with { Payable = payable + 1 } };
        var decision = InvoiceIntakeKind.Decide(Document(broken, []), new InvoiceIntakeSettings { ReviewThreshold = payable + 10 });
        Assert.Equal(["arithmetic:BR-CO-16"], decision.ReasonCodes);
        Assert.True(decision.Escalate);
    }

    [Fact]
    public void AnOverThresholdReasonStatesTheThresholdItWasComparedWith()
    {
        var invoice = InvoiceSamples.Create(5);
        var settings = new InvoiceIntakeSettings { ReviewThreshold = 5000m, ReviewThresholds = new() { ["USD"] = 6000m } };

        // Kept with the invoice when it was read: the figure of its run, whatever the settings say now.
        Assert.Equal("Above the review threshold of 4,500.00 EUR", InvoiceReasons.Describe("over-threshold", Document(invoice, []) with { ReviewThreshold = 4500m }, settings));
        // Read before invoices kept it: the automation's settings for the invoice's currency.
        Assert.Equal("Above the review threshold of 5,000.00 EUR", InvoiceReasons.Describe("over-threshold", Document(invoice, []), settings));
        Assert.Equal("Above the review threshold of 6,000.00 USD", InvoiceReasons.Describe("over-threshold", Document(invoice with { Currency = "USD" }, []), settings));
        // Many invoices at once (the run summary): the settings' figures.
        Assert.Equal("Above the review threshold of 5,000.00 in the invoice's currency (6,000.00 USD)", InvoiceReasons.Describe("over-threshold", settings));
    }

    [Fact]
    public void AnUnusualAmountReasonStatesTheMedianAndTheFactor()
    {
        var history = new InvoiceHistory();
        foreach (var (number, amount) in new[] { ("N-1", 100m), ("N-2", 120m), ("N-3", 80m) })
        {
            history.Add("vat:DE1", number, Evidence(number, amount));
        }

        var check = Assert.Single(history.Check("vat:DE1", "y", Evidence("N-4", 400m), 3m, 10), c => c.Code == "unusual-amount");
        var invoice = InvoiceSamples.Create(5) with { Totals = InvoiceSamples.Create(5).Totals with { Payable = 400m } };
        var document = Document(invoice, [check]);

        Assert.Equal("Unusual amount: 4.0× the supplier's median of 100.00 EUR over their last 3 invoices; the limit is 3×", InvoiceReasons.Describe("unusual-amount", document, settings: null));
        // Checked before the figures were kept: the median from the evidence, the factor from the settings.
        var older = Document(invoice, [check with { Compared = null, Limit = null }]);
        Assert.Contains("median of 100.00 EUR", InvoiceReasons.Describe("unusual-amount", older, new InvoiceIntakeSettings { UnusualFactor = 2.5m }), StringComparison.Ordinal);
        Assert.Contains("the limit is 2.5×", InvoiceReasons.Describe("unusual-amount", older, new InvoiceIntakeSettings { UnusualFactor = 2.5m }), StringComparison.Ordinal);
        Assert.Equal("Unusual amount: more than 3× the median of the supplier's last 10 invoices", InvoiceReasons.Describe("unusual-amount", new InvoiceIntakeSettings()));
    }

    [Fact]
    public void ADuplicateSaysWhetherTheOriginalWasPosted()
    {
        var original = Evidence("A-1", 100m);
        var document = Document(InvoiceSamples.Create(5), [new InvoiceCheck("duplicate", "sent before", [original])]);

        string With(WorkItemStatus status, string decision, Lane lane = Lane.Live) => InvoiceReasons.Describe("duplicate", document, null,
            new Dictionary<Guid, WorkItemState> { [original.WorkItemId] = new(original.WorkItemId, status, decision, lane) });

        Assert.Equal("Duplicate: the supplier already sent invoice A-1; the original was posted", With(WorkItemStatus.Done, "approve"));
        Assert.Equal("Duplicate: the supplier already sent invoice A-1; the original waits for a person and is not posted", With(WorkItemStatus.Escalated, "escalate"));
        Assert.Equal("Duplicate: the supplier already sent invoice A-1; the original is approved and awaiting posting", With(WorkItemStatus.AwaitingAction, "approve"));
        Assert.Equal("Duplicate: the supplier already sent invoice A-1; the original was decided in shadow and not posted", With(WorkItemStatus.Done, "approve", Lane.Shadow));
        Assert.Equal("Duplicate: the supplier already sent invoice A-1", InvoiceReasons.Describe("duplicate", document, null));
    }

    [Fact]
    public void EveryRuleIsListedWithItsOutcome()
    {
        var invoice = InvoiceSamples.Create(7);
        var broken = invoice with { Totals = invoice.Totals with { Payable = invoice.Totals.Payable + 1 } };
        var rules = InvoiceVerifier.Explain(broken, InvoiceVerifier.Verify(broken));

        Assert.Equal(InvoiceVerifier.Rules.Count, rules.Count);
        Assert.Equal(RuleOutcome.Failed, rules.Single(r => r.Code == "arithmetic:BR-CO-16").Outcome);
        Assert.Equal(RuleOutcome.NotApplicable, rules.Single(r => r.Code == "arithmetic:BR-CO-12").Outcome);
        Assert.Equal(RuleOutcome.Passed, rules.Single(r => r.Code == "arithmetic:BR-CO-10").Outcome);
    }

    [Fact]
    public async Task TheInboxLeavesFilesStillBeingWrittenAndReadsEveryOtherTopLevelFile()
    {
        var root = Path.Combine(Path.GetTempPath(), "inbox-" + Guid.NewGuid().ToString("N"));
        var inbox = Path.Combine(root, "inbox");
        Directory.CreateDirectory(Path.Combine(inbox, "sub"));
        try
        {
            await File.WriteAllTextAsync(Path.Combine(inbox, "settled"), "a");
            File.SetLastWriteTimeUtc(Path.Combine(inbox, "settled"), DateTime.UtcNow.AddMinutes(-1));
            await File.WriteAllTextAsync(Path.Combine(inbox, "fresh.xml"), "b");
            await File.WriteAllTextAsync(Path.Combine(inbox, "sub", "nested.xml"), "c");
            File.SetLastWriteTimeUtc(Path.Combine(inbox, "sub", "nested.xml"), DateTime.UtcNow.AddMinutes(-1));
            await File.WriteAllBytesAsync(Path.Combine(inbox, "big.bin"), new byte[300]);
            File.SetLastWriteTimeUtc(Path.Combine(inbox, "big.bin"), DateTime.UtcNow.AddMinutes(-2));
            var folder = new InboxFolder(inbox, InboxFolder.Beside(inbox, "archive"), InboxFolder.Beside(inbox, "quarantine"));
            var waiting = new List<string>();

            var files = new List<InboxFile>();
            foreach (var file in folder.ReadSettled(TimeSpan.FromSeconds(2), 100, waiting.Add))
            {
                files.Add(file);
            }

            // Oldest first: the file that arrived first is read first, whatever the names.
            Assert.Equal(["big.bin", "settled"], files.Select(f => Path.GetFileName(f.Path)));
            Assert.True(files[0].TooLarge);
            Assert.True(files[0].Content.IsEmpty);
            Assert.Equal(InboxFolder.KeyOf(new byte[300]), files[0].Key);
            Assert.Equal(InboxFolder.KeyOf("a"u8), files[1].Key);
            Assert.Contains(waiting, w => w.Contains("fresh.xml", StringComparison.Ordinal));

            await File.WriteAllTextAsync(Path.Combine(root, "quarantine-existing"), "");
            var first = await folder.MoveAsync(files[1].Path, SourceOutcome.Quarantined, "Line 1, column 1: not an invoice.", CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(inbox, "settled"), "again");
            var second = await folder.MoveAsync(Path.Combine(inbox, "settled"), SourceOutcome.Quarantined, "again", CancellationToken.None);
            Assert.Equal(Path.Combine(root, "quarantine", "settled"), first);
            Assert.Equal(Path.Combine(root, "quarantine", "settled (1)"), second);
            Assert.Equal("Line 1, column 1: not an invoice." + Environment.NewLine, await File.ReadAllTextAsync(first + ".error.txt"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static InvoiceEvidence Evidence(string number, decimal amount, string type = "Invoice", string currency = "EUR", DateOnly? issued = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), number, "Supplier", type, issued ?? new DateOnly(2026, 5, 1), amount, currency, Received);

    private static InvoiceDocument Document(Invoice invoice, IReadOnlyList<InvoiceCheck> checks) =>
        new("f.xml", 100, invoice, invoice.Supplier.Identity, InvoiceDocument.CountedAmount(invoice), InvoiceHistory.ContentKey(invoice), InvoiceVerifier.Verify(invoice), checks);
}
