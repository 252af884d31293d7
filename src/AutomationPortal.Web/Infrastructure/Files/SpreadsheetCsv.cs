using System.Globalization;
using System.Text;

namespace AutomationPortal.Web.Infrastructure.Files;

/// <summary>
/// CSV for people who open it in a spreadsheet: RFC 4180 quoting, and text cells that cannot run as formulas. A
/// text cell starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return gets a leading
/// apostrophe (OWASP's advice); numbers are written by the portal itself, invariant, and left as numbers.
/// </summary>
public static class SpreadsheetCsv
{
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var safe = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n;") >= 0 || safe[0] == ' ' || safe[^1] == ' '
            ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : safe;
    }

    public static string Number(decimal? value) => value?.ToString("0.00##", CultureInfo.InvariantCulture) ?? "";

    public static string Date(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    public static string Line(IEnumerable<string> cells) => string.Join(',', cells);

    /// <summary>UTF-8 with a byte-order mark, so spreadsheets read accented names right.</summary>
    public static Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
}
