using System.Net;
using System.Net.Sockets;
using System.Text;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.UnitTests.InvoiceIntake;

/// <summary>Hostile or broken input fails fast with the reader's own error, saying what is wrong.</summary>
public sealed class HostileInputTests
{
    private const string Ubl = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";

    [Fact]
    public void AnExternalEntityIsRefusedAndNothingIsFetched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var secret = Path.GetTempFileName();
        File.WriteAllText(secret, "SECRET");
        var xml = $"""
            <?xml version="1.0"?>
            <!DOCTYPE Invoice [ <!ENTITY file SYSTEM "file://{secret}"> <!ENTITY web SYSTEM "http://127.0.0.1:{port}/x"> ]>
            <Invoice xmlns="{Ubl}"><ID xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">&file;&web;</ID></Invoice>
            """;

        var error = Assert.Throws<InvoiceReadException>(() => Read(xml));

        Assert.Equal("unreadable", error.Code);
        Assert.Contains("DTD", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(listener.Pending(), "No connection was made to the entity's URL.");
        File.Delete(secret);
    }

    [Fact]
    public void ABillionLaughsDocumentFailsFast()
    {
        var entities = new StringBuilder("<!ENTITY a0 \"lol\">");
        for (var i = 1; i < 10; i++)
        {
            entities.Append($"<!ENTITY a{i} \"{string.Concat(Enumerable.Repeat($"&a{i - 1};", 10))}\">");
        }

        var xml = $"<?xml version=\"1.0\"?><!DOCTYPE Invoice [{entities}]><Invoice xmlns=\"{Ubl}\">&a9;</Invoice>";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<InvoiceReadException>(() => Read(xml));

        Assert.Equal("unreadable", error.Code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("", "empty", "empty")]
    [InlineData("   \r\n  ", "empty", "empty")]
    [InlineData("%PDF-1.7 binary", "unknown-format", "not an e-invoice")]
    [InlineData("<html><body>hello</body></html>", "unknown-format", "<html>")]
    public void EmptyOrForeignContentSaysWhatItIs(string content, string code, string message)
    {
        var error = Assert.Throws<InvoiceReadException>(() => Read(content));

        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("%PDF-1.7 binary", "The file is a PDF document, not an e-invoice.")]
    [InlineData("PK\u0003\u0004 zipped", "The file is a ZIP archive or an Office document, not an e-invoice.")]
    [InlineData("Dear accounts team, please pay.", "The file is text that is neither XML nor JSON, nor CSV with the portal's header row, not an e-invoice.")]
    [InlineData("<html><body>hello</body></html>", "The XML root <html> in namespace '' is not an e-invoice.")]
    public void AFileThatIsNoInvoiceSaysWhatItIsAndWhichFormatsAreRead(string content, string what)
    {
        var error = Assert.Throws<InvoiceReadException>(() => Read(content));

        Assert.StartsWith(what, error.Message, StringComparison.Ordinal);
        Assert.All(["UBL 2.1 Invoice or CreditNote", "UN/CEFACT CII D16B", "its own CSV", "JSON"], f => Assert.Contains(f, error.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(".md", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedDocumentNamesTheLineAndColumn()
    {
        var xml = $"<Invoice xmlns=\"{Ubl}\">\n  <ID xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">1</ID>\n  <IssueDa";

        var error = Assert.Throws<InvoiceReadException>(() => Read(xml));

        Assert.Equal("unreadable", error.Code);
        Assert.Equal(3, error.Line);
        Assert.NotNull(error.Column);
    }

    [Fact]
    public void BinaryGarbageIsRefused()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[0] = (byte)'<';

        var error = Assert.Throws<InvoiceReadException>(() => InvoiceReader.Read(new MemoryStream(garbage)));

        Assert.Equal("unreadable", error.Code);
    }

    [Fact]
    public void AFileAboveTheLimitIsRefusedBeforeItIsRead()
    {
        var big = new MemoryStream(new byte[2048]);

        var error = Assert.Throws<InvoiceReadException>(() => InvoiceReader.Read(big, new InvoiceReaderOptions { MaxBytes = 1024 }));

        Assert.Equal("too-large", error.Code);
    }

    [Fact]
    public void AStreamThatGrowsPastTheLimitIsStopped()
    {
        var xml = $"<Invoice xmlns=\"{Ubl}\"><Note>{new string('x', 5000)}</Note></Invoice>";
        using var unseekable = new UnseekableStream(Encoding.UTF8.GetBytes(xml));

        var error = Assert.Throws<InvoiceReadException>(() => InvoiceReader.Read(unseekable, new InvoiceReaderOptions { MaxBytes = 1024 }));

        Assert.Equal("too-large", error.Code);
    }

    [Fact]
    public void AnAmountThatIsNotANumberIsRefusedWithTheValue()
    {
        var xml = $"""<Invoice xmlns="{Ubl}" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">12,50</cbc:PayableAmount></cac:LegalMonetaryTotal></Invoice>""";

        var error = Assert.Throws<InvoiceReadException>(() => Read(xml));

        Assert.Contains("'12,50' is not an amount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void XmlNestedFarDeeperThanAnyInvoiceIsRefusedAtTheLimit()
    {
        var depth = 100_000;
        var xml = new StringBuilder($"<Invoice xmlns=\"{Ubl}\">");
        xml.Insert(xml.Length, "<a>", depth).Insert(xml.Length, "</a>", depth).Append("</Invoice>");

        var error = Assert.Throws<InvoiceReadException>(() => Read(xml.ToString()));

        Assert.Equal("too-deep", error.Code);
        Assert.Contains($"more than {InvoiceReaderOptions.MaxXmlDepth} deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void XmlNestedToTheLimitIsStillRead()
    {
        var xml = $"<Invoice xmlns=\"{Ubl}\"><cbc:ID xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">N-1</cbc:ID>"
            + string.Concat(Enumerable.Repeat("<x>", InvoiceReaderOptions.MaxXmlDepth - 1)) + string.Concat(Enumerable.Repeat("</x>", InvoiceReaderOptions.MaxXmlDepth - 1)) + "</Invoice>";

        Assert.Equal("N-1", Read(xml).Number);
    }

    [Theory]
    [InlineData(InvoiceFormat.Csv)]
    [InlineData(InvoiceFormat.Ubl)]
    [InlineData(InvoiceFormat.Cii)]
    [InlineData(InvoiceFormat.Json)]
    public void AnInvoiceWithMoreLinesThanTheLimitIsRefusedInEveryFormat(InvoiceFormat format)
    {
        var sample = InvoiceSamples.Create(1);
        var lines = Enumerable.Range(1, 101).Select(i => sample.Lines[0] with { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        var content = InvoiceWriter.Write(sample with { Lines = lines }, format);

        var error = Assert.Throws<InvoiceReadException>(() => InvoiceReader.Read(new MemoryStream(content), new InvoiceReaderOptions { MaxLines = 100 }));
        var read = InvoiceReader.Read(new MemoryStream(content), new InvoiceReaderOptions { MaxLines = 101 });

        Assert.Equal("too-many-lines", error.Code);
        Assert.Contains("more than 100 lines", error.Message, StringComparison.Ordinal);
        Assert.Equal(101, read.Lines.Count);
    }

    [Fact]
    public void ACsvCellLeftOpenOverManyLinesIsRefusedInLinearTime()
    {
        var csv = new StringBuilder("number,payable,lineNetAmount\nN-1,1.00,\"open");
        csv.Insert(csv.Length, "\nmore text", 200_000);

        var error = Assert.Throws<InvoiceReadException>(() => Read(csv.ToString()));

        Assert.Contains("not closed", error.Message, StringComparison.Ordinal);
    }

    private static Invoice Read(string content) => InvoiceReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(content)));

    private sealed class UnseekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
