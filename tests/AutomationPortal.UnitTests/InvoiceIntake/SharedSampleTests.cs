using System.Globalization;
using System.Xml.Linq;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.UnitTests.InvoiceIntake;

/// <summary>
/// Every shared sample parses into the model with the totals the document states (read here independently with
/// LINQ to XML) and, being valid, verifies clean.
/// </summary>
public sealed class SharedSampleTests
{
    public static TheoryData<string> Ubl => SharedSamples.Names("ubl");

    public static TheoryData<string> Cii => SharedSamples.Names("cii");

    [Theory]
    [MemberData(nameof(Ubl))]
    public void EveryUblSampleReadsWithItsStatedTotals(string name)
    {
        var path = SharedSamples.PathOf("ubl", name);
        var document = XDocument.Load(path);
        var root = document.Root!;
        XNamespace cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
        XNamespace cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";

        var invoice = Read(path);

        Assert.Equal(InvoiceFormat.Ubl, invoice.Format);
        Assert.Equal(root.Name.LocalName == "CreditNote" || (string?)root.Element(cbc + "InvoiceTypeCode") == "381" ? InvoiceDocumentType.CreditNote : InvoiceDocumentType.Invoice, invoice.DocumentType);
        Assert.Equal((string?)root.Element(cbc + "ID"), invoice.Number);
        Assert.Equal((string?)root.Element(cbc + "DocumentCurrencyCode"), invoice.Currency);
        var supplier = root.Element(cac + "AccountingSupplierParty")!.Element(cac + "Party")!;
        Assert.Equal(
            (string?)supplier.Element(cac + "PartyLegalEntity")?.Element(cbc + "RegistrationName") ?? (string?)supplier.Element(cac + "PartyName")?.Element(cbc + "Name"),
            invoice.Supplier.Name);
        var totals = root.Element(cac + "LegalMonetaryTotal")!;
        Assert.Equal(Dec(totals, cbc + "LineExtensionAmount"), invoice.Totals.LineTotal);
        Assert.Equal(Dec(totals, cbc + "TaxExclusiveAmount"), invoice.Totals.TaxExclusive);
        Assert.Equal(Dec(totals, cbc + "TaxInclusiveAmount"), invoice.Totals.TaxInclusive);
        Assert.Equal(Dec(totals, cbc + "AllowanceTotalAmount"), invoice.Totals.AllowanceTotal);
        Assert.Equal(Dec(totals, cbc + "ChargeTotalAmount"), invoice.Totals.ChargeTotal);
        Assert.Equal(Dec(totals, cbc + "PrepaidAmount"), invoice.Totals.Prepaid);
        Assert.Equal(Dec(totals, cbc + "PayableRoundingAmount"), invoice.Totals.Rounding);
        Assert.Equal(Dec(totals, cbc + "PayableAmount"), invoice.Totals.Payable);
        var lineName = root.Name.LocalName == "CreditNote" ? "CreditNoteLine" : "InvoiceLine";
        Assert.Equal(root.Elements(cac + lineName).Count(), invoice.Lines.Count);
        var documentTax = root.Elements(cac + "TaxTotal").Select(t => t.Element(cbc + "TaxAmount")!).FirstOrDefault(a => (string?)a.Attribute("currencyID") == invoice.Currency);
        Assert.Equal(documentTax is null ? null : decimal.Parse(documentTax.Value, CultureInfo.InvariantCulture), invoice.Totals.TaxTotal);
        Assert.Empty(InvoiceVerifier.Verify(invoice));
    }

    [Theory]
    [MemberData(nameof(Cii))]
    public void EveryCiiSampleReadsWithItsStatedTotals(string name)
    {
        var path = SharedSamples.PathOf("cii", name);
        var document = XDocument.Load(path);
        XNamespace ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
        var root = document.Root!;
        string? One(string local) => root.Descendants(ram + local).FirstOrDefault()?.Value;

        var invoice = Read(path);

        Assert.Equal(InvoiceFormat.Cii, invoice.Format);
        Assert.Equal(root.Descendants().First(e => e.Name.LocalName == "ExchangedDocument").Elements().First(e => e.Name.LocalName == "ID").Value, invoice.Number);
        Assert.Equal(One("InvoiceCurrencyCode"), invoice.Currency);
        Assert.Equal(root.Descendants(ram + "SellerTradeParty").First().Element(ram + "Name")?.Value, invoice.Supplier.Name);
        var summation = root.Descendants(ram + "SpecifiedTradeSettlementHeaderMonetarySummation").First();
        Assert.Equal(Dec(summation, ram + "LineTotalAmount"), invoice.Totals.LineTotal);
        Assert.Equal(Dec(summation, ram + "TaxBasisTotalAmount"), invoice.Totals.TaxExclusive);
        Assert.Equal(Dec(summation, ram + "GrandTotalAmount"), invoice.Totals.TaxInclusive);
        Assert.Equal(Dec(summation, ram + "DuePayableAmount"), invoice.Totals.Payable);
        Assert.Equal(Dec(summation, ram + "AllowanceTotalAmount"), invoice.Totals.AllowanceTotal);
        Assert.Equal(Dec(summation, ram + "ChargeTotalAmount"), invoice.Totals.ChargeTotal);
        Assert.Equal(root.Descendants(ram + "IncludedSupplyChainTradeLineItem").Count(), invoice.Lines.Count);
        Assert.Empty(InvoiceVerifier.Verify(invoice));
    }

    [Fact]
    public void TheLargeSampleWithAnEmbeddedPdfListsItsAttachmentWithoutHoldingIt()
    {
        var path = SharedSamples.PathOf("ubl", "FT_G2G_TD01_con_Allegato,_Bonifico_e_Split_Payment.xml");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var invoice = Read(path);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var attachment = Assert.Single(invoice.Attachments, a => a.SizeBytes > 1_000_000);
        Assert.Equal("application/pdf", attachment.MimeType);
        Assert.True(allocated < 8_000_000, $"Reading the 3.3 MB file allocated {allocated:N0} bytes; the attachment must not be loaded whole.");
    }

    private static Invoice Read(string path)
    {
        using var stream = File.OpenRead(path);
        return InvoiceReader.Read(stream);
    }

    private static decimal? Dec(XElement parent, XName name) =>
        parent.Element(name) is { } e ? decimal.Parse(e.Value, NumberStyles.Number, CultureInfo.InvariantCulture) : null;
}
