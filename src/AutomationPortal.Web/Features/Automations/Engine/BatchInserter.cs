using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// The engine's hot write path: one statement per table, prepared once, whose rows are bound by position straight
/// from UTF-8 on the stack and stepped inside the chunk's transaction. Microsoft.Data.Sqlite looks every parameter
/// up by name and converts each value per row, which at three rows per item costs more than SQLite itself
/// (docs/benchmarks.md). Values are stored exactly as EF Core stores them, so EF reads these rows back unchanged.
/// </summary>
internal sealed class BatchInserter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly string _sql;
    private readonly int _columns;
    private sqlite3_stmt? _statement;
    private int _column;

    public BatchInserter(SqliteConnection connection, string table, string[] columns, string? conflictClause = null)
    {
        _connection = connection;
        _columns = columns.Length;
        _sql = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"?{i + 1}"))}) {conflictClause}";
    }

    /// <summary>Starts a row; write its values in column order with the typed methods, then <see cref="EndRow"/>.</summary>
    public BatchInserter Row()
    {
        if (_statement is null)
        {
            Check(raw.sqlite3_prepare_v2(_connection.Handle, _sql, out var statement));
            _statement = statement;
        }

        _column = 0;
        return this;
    }

    public BatchInserter Text(string? value)
    {
        _column++;
        Check(value is null ? raw.sqlite3_bind_null(_statement, _column) : raw.sqlite3_bind_text(_statement, _column, value));
        return this;
    }

    public BatchInserter Id(Guid? value)
    {
        if (value is not { } id)
        {
            return Null();
        }

        Span<char> text = stackalloc char[36];
        return Utf8(text[..FormatGuid(id, text)]);
    }

    public BatchInserter Time(DateTime? value)
    {
        if (value is not { } time)
        {
            return Null();
        }

        Span<char> text = stackalloc char[32];
        return Utf8(text[..FormatTime(time, text)]);
    }

    public BatchInserter Amount(decimal? value)
    {
        if (value is not { } amount)
        {
            return Null();
        }

        Span<char> text = stackalloc char[64];
        return Utf8(text[..FormatDecimal(amount, text)]);
    }

    public BatchInserter Number(long value)
    {
        _column++;
        Check(raw.sqlite3_bind_int64(_statement, _column, value));
        return this;
    }

    public BatchInserter Real(double value)
    {
        _column++;
        Check(raw.sqlite3_bind_double(_statement, _column, value));
        return this;
    }

    /// <summary>Inserts the row. The caller holds the chunk's transaction open.</summary>
    public void EndRow()
    {
        if (_column != _columns)
        {
            throw new InvalidOperationException($"A row needs {_columns} values; {_column} were given.");
        }

        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }
    }

    public void Dispose() => _statement?.Dispose();

    /// <summary>Values as EF Core's SQLite provider stores them, for the engine's other (ADO.NET) commands.</summary>
    internal static object ToDb(object? value)
    {
        Span<char> text = stackalloc char[64];
        return value switch
        {
            null => DBNull.Value,
            int or long or double or string => value,
            Guid g => new string(text[..FormatGuid(g, text)]),
            DateTime d => new string(text[..FormatTime(d, text)]),
            decimal m => new string(text[..FormatDecimal(m, text)]),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };
    }

    private BatchInserter Null()
    {
        _column++;
        Check(raw.sqlite3_bind_null(_statement, _column));
        return this;
    }

    private BatchInserter Utf8(ReadOnlySpan<char> text)
    {
        // Every value formatted here is ASCII: one byte per character.
        Span<byte> bytes = stackalloc byte[text.Length];
        var length = Encoding.UTF8.GetBytes(text, bytes);
        _column++;
        Check(raw.sqlite3_bind_text(_statement, _column, bytes[..length]));
        return this;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);
        }
    }

    private static int FormatGuid(Guid g, Span<char> text)
    {
        g.TryFormat(text, out var written, "D");
        for (var i = 0; i < written; i++)
        {
            text[i] = char.ToUpperInvariant(text[i]);
        }

        return written;
    }

    private static int FormatDecimal(decimal m, Span<char> text)
    {
        m.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        if (text[..length].IndexOf('.') < 0)
        {
            text[length++] = '.';
            text[length++] = '0';
        }

        return length;
    }

    private static int FormatTime(DateTime d, Span<char> text)
    {
        Two(text, 0, d.Year / 100);
        Two(text, 2, d.Year % 100);
        text[4] = '-';
        Two(text, 5, d.Month);
        text[7] = '-';
        Two(text, 8, d.Day);
        text[10] = ' ';
        Two(text, 11, d.Hour);
        text[13] = ':';
        Two(text, 14, d.Minute);
        text[16] = ':';
        Two(text, 17, d.Second);
        var fraction = (int)(d.Ticks % TimeSpan.TicksPerSecond);
        if (fraction == 0)
        {
            return 19;
        }

        text[19] = '.';
        var length = 20;
        for (var divisor = 1_000_000; divisor > 0 && fraction > 0; divisor /= 10)
        {
            var digit = fraction / divisor;
            text[length++] = (char)('0' + digit);
            fraction -= digit * divisor;
        }

        return length;
    }

    private static void Two(Span<char> text, int at, int value)
    {
        text[at] = (char)('0' + (value / 10));
        text[at + 1] = (char)('0' + (value % 10));
    }
}
