using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// Inserts a batch of rows with one statement: the rows travel as one JSON array parameter and SQLite unpacks them
/// with jsonb_each (parsed once into SQLite's binary JSON, so each column is a direct lookup). One statement and one
/// bound value per batch, where a prepared single-row INSERT costs one
/// statement per row and a multi-row VALUES list makes Microsoft.Data.Sqlite look up every parameter by name.
/// This is the engine's hot write path (docs/benchmarks.md); values are stored the way EF Core stores them.
/// </summary>
internal sealed class BatchInserter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly string _sql;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;
    // Segments stay well below the large-object heap (85 KB), so batches cause no full garbage collections.
    private const int SegmentBytes = 30_000;
    private readonly List<string> _segments = [];
    private SqliteCommand? _command;
    private int _count;
    private int _inSegment;

    public BatchInserter(SqliteConnection connection, string table, string[] columns, string? conflictClause = null)
    {
        _connection = connection;
        var values = string.Join(", ", columns.Select((_, i) => $"j.value ->> {i}"));
        _sql = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) SELECT {values} FROM jsonb_each($rows) AS j WHERE true {conflictClause}";
        _writer = new Utf8JsonWriter(_buffer);
        _writer.WriteStartArray();
    }

    public int Count => _count;

    /// <summary>Starts a row; write its values in column order with the typed methods, then <see cref="EndRow"/>.</summary>
    public BatchInserter Row()
    {
        _writer.WriteStartArray();
        return this;
    }

    public BatchInserter Text(string? value)
    {
        if (value is null)
        {
            _writer.WriteNullValue();
        }
        else
        {
            _writer.WriteStringValue(value);
        }

        return this;
    }

    public BatchInserter Id(Guid? value)
    {
        if (value is not { } id)
        {
            _writer.WriteNullValue();
            return this;
        }

        Span<char> text = stackalloc char[36];
        _writer.WriteStringValue(text[..FormatGuid(id, text)]);
        return this;
    }

    public BatchInserter Time(DateTime? value)
    {
        if (value is not { } time)
        {
            _writer.WriteNullValue();
            return this;
        }

        Span<char> text = stackalloc char[32];
        _writer.WriteStringValue(text[..FormatTime(time, text)]);
        return this;
    }

    public BatchInserter Amount(decimal? value)
    {
        if (value is not { } amount)
        {
            _writer.WriteNullValue();
            return this;
        }

        Span<char> text = stackalloc char[64];
        _writer.WriteStringValue(text[..FormatDecimal(amount, text)]);
        return this;
    }

    public BatchInserter Number(long value)
    {
        _writer.WriteNumberValue(value);
        return this;
    }

    public BatchInserter Real(double value)
    {
        _writer.WriteNumberValue(value);
        return this;
    }

    public void EndRow()
    {
        _writer.WriteEndArray();
        _count++;
        _inSegment++;
        if (_writer.BytesPending + _buffer.WrittenCount > SegmentBytes)
        {
            CloseSegment();
        }
    }

    /// <summary>Writes the rows added so far, inside the given transaction.</summary>
    public void Flush(SqliteTransaction transaction)
    {
        if (_count == 0)
        {
            return;
        }

        CloseSegment();
        if (_command is null)
        {
            _command = _connection.CreateCommand();
#pragma warning disable CA2100 // Table and column names are constants of this assembly; the rows are one parameter.
            _command.CommandText = _sql;
#pragma warning restore CA2100
            _command.Parameters.Add("$rows", SqliteType.Text);
        }

        _command.Transaction = transaction;
        foreach (var segment in _segments)
        {
            _command.Parameters[0].Value = segment;
            _command.ExecuteNonQuery();
        }

        _segments.Clear();
        _count = 0;
    }

    private void CloseSegment()
    {
        if (_inSegment == 0)
        {
            return;
        }

        _writer.WriteEndArray();
        _writer.Flush();
        _segments.Add(System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartArray();
        _inSegment = 0;
    }

    public void Dispose()
    {
        _command?.Dispose();
        _writer.Dispose();
    }

    /// <summary>Values as EF Core's SQLite provider stores them, so EF reads these rows back unchanged.</summary>
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
