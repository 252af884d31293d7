using System.Globalization;
using System.Text;

namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

/// <summary>
/// The portal's CSV invoice format (docs/invoice-formats.md): a header row, then one row per invoice line with the
/// invoice's own fields repeated; comma or semicolon separated; with semicolons, amounts may use a decimal comma.
/// Rows whose rowType is "allowance" or "charge" are document-level allowances and charges (amount in
/// lineNetAmount, reason in description). The VAT breakdown is derived from the lines, allowances and charges.
/// </summary>
internal static class CsvInvoiceFormat
{
    public static readonly string[] Columns =
    [
        "documentType", "number", "issueDate", "dueDate", "currency",
        "supplierName", "supplierVatId", "supplierEndpointId", "supplierLegalId",
        "buyerName", "buyerVatId", "buyerEndpointId", "buyerLegalId",
        "rowType", "lineId", "description", "quantity", "unit", "price", "lineNetAmount", "vatCategory", "vatRate",
        "lineTotal", "allowanceTotal", "chargeTotal", "taxExclusive", "taxTotal", "taxInclusive", "prepaid", "rounding", "payable",
    ];

    public static bool LooksLikeCsv(ReadOnlySpan<byte> head)
    {
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF');
        var end = text.IndexOfAny(['\r', '\n']);
        var header = (end < 0 ? text : text[..end]).ToUpperInvariant();
        return header.Contains("NUMBER", StringComparison.Ordinal) && header.Contains("PAYABLE", StringComparison.Ordinal);
    }

    public static Invoice Read(Stream stream, int maxLines = InvoiceReaderOptions.DefaultMaxLines)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        var headerLine = reader.ReadLine() ?? throw new InvoiceReadException("empty", "The CSV file is empty.");
        var separator = headerLine.Count(c => c == ';') > headerLine.Count(c => c == ',') ? ';' : ',';
        var header = Split(headerLine, separator, 1);
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim();
            if (!Columns.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvoiceReadException("unreadable", $"Unknown column '{name}'. The columns are: {string.Join(", ", Columns)}.", 1, i + 1);
            }

            index[name] = i;
        }

        foreach (var required in new[] { "number", "payable" })
        {
            if (!index.ContainsKey(required))
            {
                throw new InvoiceReadException("unreadable", $"The header has no '{required}' column.", 1, 1);
            }
        }

        var rows = new List<(int Line, List<string> Cells)>();
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;

            // A quoted cell may span lines; each piece is counted once, so a cell left open costs linear time.
            if (Unbalanced(line))
            {
                var spanning = new StringBuilder(line);
                var open = true;
                while (open)
                {
                    var more = reader.ReadLine() ?? throw new InvoiceReadException("unreadable", "A quoted cell is not closed before the end of the file.", lineNumber, spanning.Length + 1);
                    spanning.Append('\n').Append(more);
                    lineNumber++;
                    open ^= Unbalanced(more);
                }

                line = spanning.ToString();
            }

            if (line.Trim().Length == 0)
            {
                continue;
            }

            var cells = Split(line, separator, lineNumber);
            if (cells.Count != header.Count)
            {
                throw new InvoiceReadException("unreadable", $"The row has {cells.Count} cells; the header has {header.Count}.", lineNumber, 1);
            }

            rows.Add((lineNumber, cells));
            if (rows.Count > maxLines)
            {
                throw InvoiceLimits.TooManyLines(maxLines);
            }
        }

        if (rows.Count == 0)
        {
            throw new InvoiceReadException("unreadable", "The CSV has a header but no rows.", 1, 1);
        }

        var first = rows[0];
        string? Text(string column, (int Line, List<string> Cells) row) => index.TryGetValue(column, out var i) && row.Cells[i].Trim() is { Length: > 0 } v ? v : null;
        decimal? Number(string column, (int Line, List<string> Cells) row)
        {
            if (Text(column, row) is not { } text)
            {
                return null;
            }

            var normal = separator == ';' && text.Contains(',', StringComparison.Ordinal) && !text.Contains('.', StringComparison.Ordinal) ? text.Replace(',', '.') : text;
            return decimal.TryParse(normal, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvoiceReadException("unreadable", $"'{text}' in column {column} is not an amount.", row.Line, index[column] + 1);
        }

        DateOnly? Date(string column)
        {
            if (Text(column, first) is not { } text)
            {
                return null;
            }

            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : throw new InvoiceReadException("unreadable", $"'{text}' in column {column} is not a date (yyyy-mm-dd).", first.Line, index[column] + 1);
        }

        var lines = new List<InvoiceLine>();
        var allowances = new List<InvoiceAllowanceCharge>();
        foreach (var row in rows)
        {
            var kind = Text("rowType", row)?.ToUpperInvariant();
            switch (kind)
            {
                case null or "LINE":
                    lines.Add(new InvoiceLine(Text("lineId", row), Number("quantity", row), Text("unit", row), Number("price", row), Number("lineNetAmount", row), Text("vatCategory", row), Number("vatRate", row)));
                    break;
                case "ALLOWANCE" or "CHARGE":
                    allowances.Add(new InvoiceAllowanceCharge(kind == "CHARGE", Number("lineNetAmount", row) ?? 0m, Text("description", row), Text("vatCategory", row), Number("vatRate", row)));
                    break;
                default:
                    throw new InvoiceReadException("unreadable", $"rowType '{Text("rowType", row)}' is not line, allowance or charge.", row.Line, index["rowType"] + 1);
            }
        }

        var breakdown = lines.Select(l => (l.VatCategory, l.VatRate, Amount: l.NetAmount ?? 0m))
            .Concat(allowances.Select(a => (a.VatCategory, a.VatRate, Amount: a.IsCharge ? a.Amount : -a.Amount)))
            .GroupBy(x => (x.VatCategory, x.VatRate))
            .Select(g =>
            {
                var taxable = g.Sum(x => x.Amount);
                return new InvoiceVatBreakdown(g.Key.VatCategory, g.Key.VatRate, taxable, decimal.Round(taxable * (g.Key.VatRate ?? 0m) / 100m, 2, MidpointRounding.AwayFromZero));
            })
            .ToList();
        var type = Text("documentType", first);
        return new Invoice(
            InvoiceFormat.Csv,
            string.Equals(type, "creditNote", StringComparison.OrdinalIgnoreCase) || string.Equals(type, "credit note", StringComparison.OrdinalIgnoreCase) ? InvoiceDocumentType.CreditNote : InvoiceDocumentType.Invoice,
            Text("number", first),
            Date("issueDate"),
            Date("dueDate"),
            Text("currency", first),
            null,
            new InvoiceParty(Text("supplierName", first), Text("supplierVatId", first), Text("supplierEndpointId", first), Text("supplierLegalId", first)),
            new InvoiceParty(Text("buyerName", first), Text("buyerVatId", first), Text("buyerEndpointId", first), Text("buyerLegalId", first)),
            lines,
            allowances,
            breakdown,
            new InvoiceTotals(Number("lineTotal", first), Number("allowanceTotal", first), Number("chargeTotal", first), Number("taxExclusive", first), Number("taxTotal", first), null,
                Number("taxInclusive", first), Number("prepaid", first), Number("rounding", first), Number("payable", first)),
            []);
    }

    private static bool Unbalanced(string line) => line.Count(c => c == '"') % 2 == 1;

    /// <summary>RFC 4180 cells: quoted cells may hold separators, line breaks and doubled quotes.</summary>
    private static List<string> Split(string line, char separator, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '"')
            {
                throw new InvoiceReadException("unreadable", "A quote appears inside an unquoted cell; quote the whole cell and double the quote.", lineNumber, i + 1);
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
