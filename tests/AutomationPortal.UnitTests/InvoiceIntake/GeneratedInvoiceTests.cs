using System.Text;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.UnitTests.InvoiceIntake;

/// <summary>The project's own invoices in all four formats: they read back as written and verify clean.</summary>
public sealed class GeneratedInvoiceTests
{
    public static TheoryData<InvoiceFormat, int, InvoiceDocumentType> Cases()
    {
        var data = new TheoryData<InvoiceFormat, int, InvoiceDocumentType>();
        foreach (var format in Enum.GetValues<InvoiceFormat>())
        {
            foreach (var seed in new[] { 1, 2, 7 })
            {
                data.Add(format, seed, InvoiceDocumentType.Invoice);
            }

            data.Add(format, 4, InvoiceDocumentType.CreditNote);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AGeneratedInvoiceReadsBackAsWrittenAndVerifiesClean(InvoiceFormat format, int seed, InvoiceDocumentType type)
    {
        var original = InvoiceSamples.Create(seed, type);

        var read = InvoiceReader.Read(new MemoryStream(InvoiceWriter.Write(original, format)));

        Assert.Equal(format, read.Format);
        Assert.Equal(type, read.DocumentType);
        Assert.Equal(original.Number, read.Number);
        Assert.Equal(original.IssueDate, read.IssueDate);
        Assert.Equal(original.Currency, read.Currency);
        Assert.Equal(original.Supplier.Name, read.Supplier.Name);
        Assert.Equal(original.Supplier.Identity, read.Supplier.Identity);
        Assert.Equal(original.Lines.Count, read.Lines.Count);
        Assert.Equal(original.Totals.LineTotal, read.Totals.LineTotal);
        Assert.Equal(original.Totals.TaxExclusive, read.Totals.TaxExclusive);
        Assert.Equal(original.Totals.TaxTotal, read.Totals.TaxTotal);
        Assert.Equal(original.Totals.Payable, read.Totals.Payable);
        Assert.Equal(original.Totals.AllowanceTotal, read.Totals.AllowanceTotal);
        Assert.Equal(original.AllowancesCharges.Count, read.AllowancesCharges.Count);
        Assert.Equal(original.VatBreakdown.Count, read.VatBreakdown.Count);

        Assert.Empty(InvoiceVerifier.Verify(read));
    }

    [Fact]
    public void AWrongTotalIsFoundAndNamed()
    {
        var invoice = InvoiceSamples.Create(3);
        var wrong = invoice with { Totals = invoice.Totals with { Payable = invoice.Totals.Payable + 10m } };

        var findings = InvoiceVerifier.Verify(InvoiceReader.Read(new MemoryStream(InvoiceWriter.Write(wrong, InvoiceFormat.Ubl))));

        var finding = Assert.Single(findings);
        Assert.Equal("arithmetic:BR-CO-16", finding.Code);
        Assert.Contains("amount due", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSupplierIdentityPrefersTheVatId()
    {
        Assert.Equal("vat:DE129273398", new InvoiceParty("A", "de 129 273 398", "x", "y").Identity);
        Assert.Equal("endpoint:4000001000005", new InvoiceParty("A", null, "4000001000005", "y").Identity);
        Assert.Equal("legal:HRB1234", new InvoiceParty("A", null, null, "HRB 1234").Identity);
        Assert.Equal("name:ACME TRADING GMBH", new InvoiceParty("  Acme   Trading, GmbH. ", null, null, null).Identity);
    }

    [Fact]
    public void ACsvWithSemicolonsAndDecimalCommasReads()
    {
        var csv = """
            number;issueDate;currency;supplierName;lineId;quantity;price;lineNetAmount;vatCategory;vatRate;lineTotal;taxExclusive;taxTotal;taxInclusive;payable
            R-17;2026-03-01;EUR;"Müller; Söhne KG";1;2;12,50;25,00;S;19;25,00;25,00;4,75;29,75;29,75
            """;

        var invoice = InvoiceReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)));

        Assert.Equal(InvoiceFormat.Csv, invoice.Format);
        Assert.Equal("Müller; Söhne KG", invoice.Supplier.Name);
        Assert.Equal(12.50m, invoice.Lines[0].Price);
        Assert.Equal(29.75m, invoice.Totals.Payable);
        Assert.Empty(InvoiceVerifier.Verify(invoice));
    }

    [Fact]
    public void ABadCsvCellIsReportedByLineAndColumn()
    {
        var csv = "number,payable,price\nA-1,10.00,1.00\nA-1,10.00,ten\n";

        var error = Assert.Throws<InvoiceReadException>(() => InvoiceReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv))));

        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Column);
        Assert.Contains("'ten' in column price is not an amount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadJsonIsReportedByLineAndColumn()
    {
        var json = "{\n  \"number\": \"J-1\",\n  \"totals\": { \"payable\": \"lots\" }\n}";

        var error = Assert.Throws<InvoiceReadException>(() => InvoiceReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        Assert.Equal(3, error.Line);
        Assert.NotNull(error.Column);
        Assert.Contains("$.totals.payable", error.Message, StringComparison.Ordinal);
    }
}
