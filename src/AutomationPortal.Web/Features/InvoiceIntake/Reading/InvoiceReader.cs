using System.Globalization;
using System.Text;
using System.Xml;

namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

public sealed class InvoiceReaderOptions
{
    /// <summary>Files above this size are refused before they are read.</summary>
    public long MaxBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>Invoices with more lines than this are refused while they are read (no page or answer then grows with them).</summary>
    public int MaxLines { get; init; } = DefaultMaxLines;

    public const int DefaultMaxLines = 10_000;

    /// <summary>XML nested deeper than this is refused at once: no real invoice comes near it (UBL and CII stay under 12).</summary>
    public const int MaxXmlDepth = 64;
}

/// <summary>
/// Reads an e-invoice of any supported format, recognised from its content (never from its name). XML is read
/// forward-only with DTDs prohibited and no resolver, so XXE and entity expansion fail fast; embedded attachments
/// are measured while streaming and never held whole. Throws only <see cref="InvoiceReadException"/>.
/// </summary>
public static class InvoiceReader
{
    public const string UblInvoiceNamespace = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    public const string UblCreditNoteNamespace = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    public const string CiiNamespace = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";

    public static Invoice Read(Stream content, InvoiceReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new InvoiceReaderOptions();
        try
        {
            if (content.CanSeek && content.Length - content.Position > options.MaxBytes)
            {
                throw new InvoiceReadException("too-large", $"The file has {content.Length - content.Position:N0} bytes; the limit is {options.MaxBytes:N0}.");
            }

            var limited = new LimitedStream(content, options.MaxBytes);
            var head = new byte[4096];
            var length = limited.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var stream = new PrefixedStream(head.AsMemory(0, length), limited);
            return FirstSignificantByte(head.AsSpan(0, length)) switch
            {
                -1 => throw new InvoiceReadException("empty", "The file is empty."),
                '<' => ReadXml(stream, options.MaxLines),
                '{' => InvoiceLimits.CheckLines(JsonInvoiceFormat.Read(stream), options.MaxLines),
                _ when CsvInvoiceFormat.LooksLikeCsv(head.AsSpan(0, length)) => CsvInvoiceFormat.Read(stream, options.MaxLines),
                _ => throw new InvoiceReadException("unknown-format", NotAnInvoice(head.AsSpan(0, length))),
            };
        }
        catch (InvoiceReadException)
        {
            throw;
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.Ordinal))
        {
            // DTDs are prohibited: no external entity is fetched and no entity expands. Said in words, not .NET's.
            throw new InvoiceReadException("unreadable", "The XML declares a document type (<!DOCTYPE …>, a DTD). No e-invoice needs one, and DTDs are never processed here, so the file was not read.", Positive(e.LineNumber), Positive(e.LinePosition));
        }
        catch (XmlException e)
        {
            throw new InvoiceReadException("unreadable", $"The XML is not well-formed: {e.Message}", Positive(e.LineNumber), Positive(e.LinePosition));
        }
        catch (Exception e) when (e is IOException or DecoderFallbackException or FormatException or OverflowException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new InvoiceReadException("unreadable", $"The file could not be read: {e.Message}");
        }
    }

    /// <summary>What the portal reads, for people whose file it cannot.</summary>
    public const string Accepted =
        "The portal reads a UBL 2.1 Invoice or CreditNote (XML), a UN/CEFACT CII D16B CrossIndustryInvoice (XML), " +
        "or its own CSV (a header row naming the columns, number and payable among them, then one row per invoice line) or JSON.";

    /// <summary>Names the common files that are not e-invoices by their first bytes, and what to send instead.</summary>
    private static string NotAnInvoice(ReadOnlySpan<byte> head)
    {
        var (what, advice) = head switch
        {
            _ when head.StartsWith("%PDF"u8) => ("a PDF document",
                " Ask the supplier for the e-invoice itself; a Factur-X or ZUGFeRD PDF carries it as an XML attachment that can be sent on its own."),
            _ when head.StartsWith("PK\u0003\u0004"u8) => ("a ZIP archive or an Office document",
                " Unpack the archive and send the invoices one by one, or save the invoice in one of these formats."),
            _ when head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) => ("an image",
                " A scan cannot be read; ask the supplier for the e-invoice."),
            _ when head.Contains((byte)0) => ("binary data", ""),
            _ => ("text that is neither XML nor JSON, nor CSV with the portal's header row", ""),
        };
        return $"The file is {what}, not an e-invoice.{advice} {Accepted}";
    }

    private static int FirstSignificantByte(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            head = head[3..];
        }

        foreach (var b in head)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }

        return -1;
    }

    private static Invoice ReadXml(Stream stream, int maxLines)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            MaxCharactersFromEntities = 0,
            CloseInput = false,
        };
        using var reader = XmlReader.Create(stream, settings);
        reader.MoveToContent();
        var builder = new InvoiceBuilder { MaxLines = maxLines };
        XmlInvoiceHandler handler = (reader.LocalName, reader.NamespaceURI) switch
        {
            ("Invoice", UblInvoiceNamespace) => new UblHandler(builder, creditNote: false),
            ("CreditNote", UblCreditNoteNamespace) => new UblHandler(builder, creditNote: true),
            ("CrossIndustryInvoice", CiiNamespace) => new CiiHandler(builder),
            _ => throw new InvoiceReadException("unknown-format", $"The XML root <{reader.LocalName}> in namespace '{reader.NamespaceURI}' is not an e-invoice. {Accepted}"),
        };
        Walk(reader, handler);
        return builder.Build(handler.Format);
    }

    /// <summary>
    /// Walks the document once; the handler sees paths (below the root) of elements and their text. Each element's
    /// path is built once from its parent's, and nesting is capped, so reading is linear in the input.
    /// </summary>
    private static void Walk(XmlReader reader, XmlInvoiceHandler handler)
    {
        var paths = new List<string>(16);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var rootDepth = reader.Depth;
        reader.Read();
        while (!reader.EOF)
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (paths.Count >= InvoiceReaderOptions.MaxXmlDepth)
                    {
                        var info = (IXmlLineInfo)reader;
                        throw new InvoiceReadException("too-deep",
                            $"The XML nests elements more than {InvoiceReaderOptions.MaxXmlDepth} deep; no e-invoice does, so it was not read further.", info.LineNumber, info.LinePosition);
                    }

                    var joined = paths.Count == 0 ? reader.LocalName : string.Concat(paths[^1], "/", reader.LocalName);
                    paths.Add(joined);
                    attributes.Clear();
                    if (reader.HasAttributes)
                    {
                        while (reader.MoveToNextAttribute())
                        {
                            attributes[reader.LocalName] = reader.Value;
                        }

                        reader.MoveToElement();
                    }

                    if (handler.IsBinary(joined))
                    {
                        handler.Binary(joined, attributes, MeasureBase64(reader));
                        paths.RemoveAt(paths.Count - 1);
                        reader.Read();
                        continue;
                    }

                    handler.Start(joined, attributes);
                    if (reader.IsEmptyElement)
                    {
                        handler.End(joined);
                        paths.RemoveAt(paths.Count - 1);
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA:
                    handler.Text(paths.Count == 0 ? "" : paths[^1], attributes, reader.Value.Trim());
                    break;
                case XmlNodeType.EndElement when reader.Depth > rootDepth:
                    handler.End(paths[^1]);
                    paths.RemoveAt(paths.Count - 1);
                    break;
            }

            reader.Read();
        }
    }

    /// <summary>The decoded size of base64 content, read in chunks; leaves the reader on the element's end tag.</summary>
    private static long MeasureBase64(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            return 0;
        }

        long significant = 0;
        var padding = 0;
        var buffer = new char[8192];
        reader.Read();
        while (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
        {
            int count;
            while ((count = reader.ReadValueChunk(buffer, 0, buffer.Length)) > 0)
            {
                for (var i = 0; i < count; i++)
                {
                    var c = buffer[i];
                    if (c == '=')
                    {
                        padding++;
                    }
                    else if (!char.IsWhiteSpace(c))
                    {
                        significant++;
                    }
                }
            }

            reader.Read();
        }

        return ((significant + padding) / 4 * 3) - padding;
    }

    internal static decimal? Amount(string text) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvoiceReadException("unreadable", $"'{text}' is not an amount.");

    internal static DateOnly? Date(string text, string? format = null)
    {
        if (format == "102" || (text.Length == 8 && text.All(char.IsAsciiDigit)))
        {
            return DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var compact) ? compact : throw new InvoiceReadException("unreadable", $"'{text}' is not a date (yyyyMMdd).");
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : throw new InvoiceReadException("unreadable", $"'{text}' is not a date (yyyy-mm-dd).");
    }

    /// <summary>The bytes already looked at, then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer, offset, count);
            }

            var n = Math.Min(count, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer.AsSpan(offset, n));
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Counts bytes and refuses to read past the limit, for streams that cannot tell their length.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            _read += n;
            return _read > limit ? throw new InvoiceReadException("too-large", $"The file is larger than the limit of {limit:N0} bytes.") : n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A line or column the parser knows (it says 0 when it does not).</summary>
    private static int? Positive(int value) => value > 0 ? value : null;
}

/// <summary>The size limits every format shares.</summary>
internal static class InvoiceLimits
{
    public static InvoiceReadException TooManyLines(int maxLines) =>
        new("too-many-lines", $"The invoice has more than {maxLines:N0} lines, the most this automation reads (maxLines); it was not read. Split it, or raise maxLines in the automation's settings.");

    public static Invoice CheckLines(Invoice invoice, int maxLines) =>
        invoice.Lines.Count > maxLines ? throw TooManyLines(maxLines) : invoice;
}
