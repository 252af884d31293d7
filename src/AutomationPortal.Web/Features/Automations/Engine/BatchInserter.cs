using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// Inserts rows through prepared multi-row INSERT statements: the engine's hot write path. EF Core's SQLite
/// provider sends one statement per row, about a sixth of this speed (see docs/benchmarks.md).
/// </summary>
internal sealed class BatchInserter : IDisposable
{
    private const int RowsPerStatement = 50;
    private readonly SqliteConnection _connection;
    private readonly string _table;
    private readonly string[] _columns;
    private readonly string? _conflictClause;
    private SqliteCommand? _full;
    private readonly List<object?[]> _pending = [];

    public BatchInserter(SqliteConnection connection, string table, string[] columns, string? conflictClause = null)
    {
        _connection = connection;
        _table = table;
        _columns = columns;
        _conflictClause = conflictClause;
    }

    public void Add(params object?[] values)
    {
        if (values.Length != _columns.Length)
        {
            throw new ArgumentException($"{_table} takes {_columns.Length} values, got {values.Length}.", nameof(values));
        }

        _pending.Add(values);
    }

    public int Count => _pending.Count;

    /// <summary>Writes the rows added so far, inside the given transaction.</summary>
    public void Flush(SqliteTransaction transaction)
    {
        var index = 0;
        while (_pending.Count - index >= RowsPerStatement)
        {
            _full ??= Prepare(RowsPerStatement);
            Execute(_full, transaction, index, RowsPerStatement);
            index += RowsPerStatement;
        }

        if (index < _pending.Count)
        {
            using var rest = Prepare(_pending.Count - index);
            Execute(rest, transaction, index, _pending.Count - index);
        }

        _pending.Clear();
    }

    public void Dispose() => _full?.Dispose();

    private void Execute(SqliteCommand command, SqliteTransaction transaction, int start, int rows)
    {
        command.Transaction = transaction;
        for (var r = 0; r < rows; r++)
        {
            var values = _pending[start + r];
            for (var c = 0; c < _columns.Length; c++)
            {
                command.Parameters[(r * _columns.Length) + c].Value = ToDb(values[c]);
            }
        }

        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(int rows)
    {
        var command = _connection.CreateCommand();
        var text = new System.Text.StringBuilder();
        text.Append("INSERT INTO \"").Append(_table).Append("\" (").Append(string.Join(", ", _columns.Select(c => $"\"{c}\""))).Append(") VALUES ");
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < _columns.Length; c++)
            {
                var name = $"$p{r}_{c}";
                text.Append(c == 0 ? name : ", " + name);
                command.Parameters.Add(new SqliteParameter(name, null));
            }

            text.Append(')');
        }

        if (_conflictClause is not null)
        {
            text.Append(' ').Append(_conflictClause);
        }

#pragma warning disable CA2100 // Table and column names are constants of this assembly; values are parameters.
        command.CommandText = text.ToString();
#pragma warning restore CA2100
        command.Prepare();
        return command;
    }

    /// <summary>Values as EF Core's SQLite provider stores them, so EF reads these rows back unchanged.</summary>
    internal static object ToDb(object? value) => value switch
    {
        null => DBNull.Value,
        Guid g => g.ToString().ToUpperInvariant(),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.0###########################", CultureInfo.InvariantCulture),
        bool b => b ? 1 : 0,
        Enum e => e.ToString(),
        _ => value,
    };
}
