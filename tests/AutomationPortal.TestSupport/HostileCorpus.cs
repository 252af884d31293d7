using System.Text;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.TestSupport;

/// <summary>
/// One hostile file and what the portal must make of it, whichever way it arrives (watched folder, upload page, API).
/// <see cref="ReasonCode"/> null means the file is a real invoice that must be decided as any other (its hostility is
/// in its name or its text cells); otherwise it is quarantined with that reason and an error containing
/// <see cref="Evidence"/>.
/// </summary>
public sealed record HostileInput(string Label, string FileName, byte[] Content, string? ReasonCode, string Evidence)
{
    public override string ToString() => Label;
}

/// <summary>
/// The hostile-input corpus: documents built to exhaust, trick or escape the reader, hostile file names, and text that
/// would run as a spreadsheet formula. Tests run it through every intake path and expect the same outcome from each.
/// </summary>
public static class HostileCorpus
{
    /// <summary>The automation the corpus is given to takes files up to this size (its maxFileBytes setting).</summary>
    public const long MaxFileBytes = 3 * 1024 * 1024;

    /// <summary>What <see cref="Oversize"/> must be refused with: the limit is named.</summary>
    public const string OversizeEvidence = "maxFileBytes";

    /// <summary>Text cells of <see cref="FormulaInvoice"/> that a spreadsheet would run.</summary>
    public static readonly string[] Formulas = ["=HYPERLINK(\"http://evil.example\",\"Pay here\")", "+SUM(1+1)", "@SUM(A1)", "-2+3", "\t=1+1", "\r=2+2"];

    private const string Ubl = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private const string Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    /// <summary>Every file of the corpus whose outcome does not depend on the path it came by.</summary>
    public static IReadOnlyList<HostileInput> Files(int seed) =>
    [
        new("XXE: an external entity reading /etc/passwd", "xxe.xml", Utf8(
            $"<?xml version=\"1.0\"?><!DOCTYPE Invoice [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Invoice xmlns=\"{Ubl}\"><cbc:ID xmlns:cbc=\"{Cbc}\">&xxe;</cbc:ID></Invoice>"),
            "unreadable", "DTD"),
        new("XXE: a parameter entity fetching a remote DTD", "xxe-remote.xml", Utf8(
            $"<?xml version=\"1.0\"?><!DOCTYPE Invoice [<!ENTITY % remote SYSTEM \"http://127.0.0.1:9/evil.dtd\"> %remote;]><Invoice xmlns=\"{Ubl}\"/>"),
            "unreadable", "DTD"),
        new("billion laughs", "laughs.xml", Utf8(BillionLaughs()), "unreadable", "DTD"),
        new("XML nested 100,000 deep", "deep.xml", Utf8(Deep(100_000)), "too-deep", $"more than {InvoiceReaderOptions.MaxXmlDepth} deep"),
        new("an invoice with 10,001 lines (the default limit is 10,000)", "many-lines.csv", ManyLines(seed, InvoiceReaderOptions.DefaultMaxLines + 1), "too-many-lines", "more than 10,000 lines"),
        new("a CSV cell left open over 100,000 lines", "open-quote.csv", Utf8(OpenQuote(100_000)), "unreadable", "not closed"),
        new("a PDF that is no e-invoice", "scan.pdf", Utf8("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"), "unknown-format", "PDF"),
        new("a ZIP archive", "invoices.zip", [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, .. new byte[64]], "unknown-format", "ZIP"),
        new("binary garbage", "garbage.xml", Garbage(seed, 4096), "unknown-format", "binary data"),
        new("truncated XML", "truncated.xml", Utf8($"<Invoice xmlns=\"{Ubl}\"><cbc:ID xmlns:cbc=\"{Cbc}\">N-1</cbc:I"), "unreadable", "Line 1"),
        new("an amount that is not a number", "nan.csv", Utf8("number,issueDate,currency,payable,lineNetAmount\nN-1,2026-01-01,EUR,NaN-ish,1.00\n"), "unreadable", "is not an amount"),
        new("text cells that a spreadsheet would run as formulas", "formulas.xml", InvoiceWriter.Write(FormulaInvoice(seed), InvoiceFormat.Ubl), null, ""),
        new("a file name that is a formula", "=cmd|' -C calc'!A0.xml", InvoiceWriter.Write(InvoiceSamples.Create(seed + 1), InvoiceFormat.Ubl), null, ""),
        new("a file name of 150 CJK characters", new string('請', 150) + ".xml", InvoiceWriter.Write(InvoiceSamples.Create(seed + 2), InvoiceFormat.Ubl), null, ""),
        new("a file name with a right-to-left override (shows as invoiceexe.xml)", "invoice\u202Elmx.exe", InvoiceWriter.Write(InvoiceSamples.Create(seed + 3), InvoiceFormat.Ubl), null, ""),
    ];

    /// <summary>A file above <see cref="MaxFileBytes"/>: refused (by the API and the upload page) or quarantined (from the folder) unread.</summary>
    public static HostileInput Oversize() =>
        new("a file above the automation's size limit", "oversize.xml", new byte[MaxFileBytes + 1], "too-large", OversizeEvidence);

    /// <summary>
    /// What is wrong with the outcome of one corpus file (its status, reason codes and error as the API or the upload
    /// answer gives them), or null when it is as expected. A status of null means the file was not taken.
    /// </summary>
    public static string? Judge(HostileInput file, string? status, IReadOnlyList<string> reasons, string? error)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(reasons);
        var actual = $"{status ?? "(not taken)"} [{string.Join(' ', reasons)}] {error}";
        if (file.FileName == Oversize().FileName)
        {
            // Refused before it is stored (API, upload page) or quarantined unread (folder): either way, the limit is named.
            return status is null or "Quarantined" && (error ?? "").Contains(OversizeEvidence, StringComparison.Ordinal) ? null : $"{file.Label}: {actual}";
        }

        var ok = file.ReasonCode is null
            ? status is "Done" or "Approved" or "Escalated" && reasons.All(r => !r.StartsWith("arithmetic", StringComparison.Ordinal))
            : status == "Quarantined" && reasons.Contains(file.ReasonCode) && (error ?? "").Contains(file.Evidence, StringComparison.Ordinal);
        return ok ? null : $"{file.Label} ({file.FileName}): expected {(file.ReasonCode is null ? "decided" : $"Quarantined {file.ReasonCode} '{file.Evidence}'")}, got {actual}";
    }

    /// <summary>An invoice whose supplier, buyer and number would each run as a formula in a spreadsheet.</summary>
    public static Invoice FormulaInvoice(int seed)
    {
        var invoice = InvoiceSamples.Create(seed);
        return invoice with
        {
            Number = Formulas[1],
            Supplier = invoice.Supplier with { Name = Formulas[0] },
            Buyer = invoice.Buyer with { Name = Formulas[2] },
        };
    }

    /// <summary>The settings of an invoice-intake automation the corpus is given to: no finding but the corpus's own.</summary>
    public static object Settings(string folder) => new
    {
        inboxPath = $"{folder}/inbox",
        outboxPath = $"{folder}/outbox",
        flagNewSuppliers = false,
        unusualFactor = 1000,
        reviewThreshold = 1_000_000,
        maxFileBytes = MaxFileBytes,
    };

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string BillionLaughs()
    {
        var dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (var i = 1; i <= 9; i++)
        {
            dtd.Append($"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? "" : (i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))};", 10))}\">");
        }

        return dtd.Append($"]><Invoice xmlns=\"{Ubl}\">&lol9;</Invoice>").ToString();
    }

    private static string Deep(int depth) =>
        new StringBuilder($"<Invoice xmlns=\"{Ubl}\">").Append(Repeat("<a>", depth)).Append(Repeat("</a>", depth)).Append("</Invoice>").ToString();

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    private static byte[] ManyLines(int seed, int count)
    {
        var sample = InvoiceSamples.Create(seed + 4);
        var lines = Enumerable.Range(1, count).Select(i => sample.Lines[0] with { Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        return InvoiceWriter.Write(sample with { Lines = lines }, InvoiceFormat.Csv);
    }

    private static string OpenQuote(int lines) =>
        "number,payable,lineNetAmount\nN-1,1.00,\"open" + Repeat("\nmore text", lines);

    private static byte[] Garbage(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        // Never a valid start of text: the reader must say what it is, not guess.
        bytes[0] = 0x00;
        bytes[1] = 0xff;
        return bytes;
    }
}
