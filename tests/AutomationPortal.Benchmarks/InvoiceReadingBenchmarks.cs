using System.Xml;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Infrastructure.Hosting;
using BenchmarkDotNet.Attributes;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// Documents read and verified per second, per format: the 48 UBL and 15 CII shared samples (../shared, when
/// present) and 100 of the project's own invoices per format; the baseline is a bare XmlReader pass over the same
/// UBL samples. Times are per document. The 3.3 MB UBL sample with an embedded PDF shows what one large document
/// allocates.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class InvoiceReadingBenchmarks
{
    private byte[][] _ubl = [];
    private byte[][] _cii = [];
    private byte[][] _csv = [];
    private byte[][] _json = [];
    private byte[][] _generatedUbl = [];
    private byte[] _large = [];

    [GlobalSetup]
    public void Setup()
    {
        var root = PortalHost.FindContentRoot()!;
        var samples = Path.GetFullPath(Path.Combine(root, "..", "shared", "samples", "invoices"));
        if (!Directory.Exists(samples))
        {
            throw new InvalidOperationException($"The shared samples are expected at {samples}.");
        }

        _ubl = Directory.GetFiles(Path.Combine(samples, "ubl")).Where(f => new FileInfo(f).Length < 1_000_000).Select(File.ReadAllBytes).ToArray();
        _cii = Directory.GetFiles(Path.Combine(samples, "cii")).Select(File.ReadAllBytes).ToArray();
        _large = File.ReadAllBytes(Directory.GetFiles(Path.Combine(samples, "ubl")).Single(f => new FileInfo(f).Length > 1_000_000));
        var generated = Enumerable.Range(1, 100).Select(i => InvoiceSamples.Create(i)).ToList();
        _csv = generated.Select(i => InvoiceWriter.Write(i, InvoiceFormat.Csv)).ToArray();
        _json = generated.Select(i => InvoiceWriter.Write(i, InvoiceFormat.Json)).ToArray();
        _generatedUbl = generated.Select(i => InvoiceWriter.Write(i, InvoiceFormat.Ubl)).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 47, Description = "XmlReader pass alone, UBL samples")]
    public int XmlReaderPass()
    {
        var nodes = 0;
        foreach (var document in _ubl)
        {
            using var reader = XmlReader.Create(new MemoryStream(document), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
                nodes++;
            }
        }

        return nodes;
    }

    [Benchmark(OperationsPerInvoke = 47, Description = "Read + verify, UBL samples")]
    public int UblSamples() => ReadAll(_ubl);

    [Benchmark(OperationsPerInvoke = 15, Description = "Read + verify, CII samples")]
    public int CiiSamples() => ReadAll(_cii);

    [Benchmark(OperationsPerInvoke = 100, Description = "Read + verify, generated UBL")]
    public int GeneratedUbl() => ReadAll(_generatedUbl);

    [Benchmark(OperationsPerInvoke = 100, Description = "Read + verify, generated CSV")]
    public int GeneratedCsv() => ReadAll(_csv);

    [Benchmark(OperationsPerInvoke = 100, Description = "Read + verify, generated JSON")]
    public int GeneratedJson() => ReadAll(_json);

    [Benchmark(Description = "Read + verify, 3.3 MB UBL with embedded PDF")]
    public int LargeUbl() => ReadAll([_large]);

    private static int ReadAll(byte[][] documents)
    {
        var findings = 0;
        foreach (var document in documents)
        {
            findings += InvoiceVerifier.Verify(InvoiceReader.Read(new MemoryStream(document))).Count;
        }

        return findings;
    }
}
