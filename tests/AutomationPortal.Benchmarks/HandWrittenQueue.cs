using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// The escalation queue's page as one would write it by hand against the same tables and indexes: the total by
/// COUNT(*) over the escalations that pass the filters (every escalation has its work item and automation, so the
/// count needs no join), the page by the same joins (escalation, its work item, its automation), the same filters and
/// order and LIMIT/OFFSET, read into rows with the same columns; a text search goes through the same trigram index.
/// The connection comes from the same pool with the same pragmas as EF Core's. The yardstick of
/// <see cref="EscalationQueueBenchmarks"/>.
/// </summary>
internal sealed class HandWrittenQueue(PortalDatabase database)
{
    private const string Columns = """
        e."Id", e."WorkItemId", e."AutomationId", a."Name", a."Kind", e."Status", e."AssigneeId", e."AssigneeName", e."Reasons", e."CreatedAt",
        e."ClaimedAt", e."DeferredUntil", e."ResolvedAt", e."Reference", e."Party", e."PartyId", e."Amount",
        w."SummaryCurrency", w."SummaryType", w."SummaryDate", w."Status", e."Version"
        """;

    private const string Joins = """
        FROM "Escalations" AS e
        JOIN "WorkItems" AS w ON w."Id" = e."WorkItemId"
        JOIN "Automations" AS a ON a."Id" = e."AutomationId"
        """;

    public Task<(int Total, List<Row> Rows)> PageAsync(string where, string orderBy, int page, int pageSize, params (string Name, object Value)[] parameters) =>
        PageAsync(where, orderBy, page, pageSize, joinedCount: false, parameters);

    /// <summary>With <paramref name="joinedCount"/>, the total counts the rows of the same joins as the page, as the wording has it.</summary>
    public Task<(int Total, List<Row> Rows)> PageAsync(string where, string orderBy, int page, int pageSize, bool joinedCount, params (string Name, object Value)[] parameters) =>
        RunAsync(async connection =>
        {
            await using var count = Command(connection, joinedCount ? $"SELECT COUNT(*) {Joins} WHERE {where}" : CountSql(where), parameters);
            var total = Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            await using var select = Command(connection, $"SELECT {Columns} {Joins} WHERE {where} ORDER BY {orderBy} LIMIT {pageSize} OFFSET {(page - 1) * pageSize}", parameters);
            await using var reader = await select.ExecuteReaderAsync();
            var rows = new List<Row>(pageSize);
            while (await reader.ReadAsync())
            {
                rows.Add(new Row(
                    reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8), reader.GetDateTime(9),
                    reader.IsDBNull(10) ? null : reader.GetDateTime(10), reader.IsDBNull(11) ? null : reader.GetDateTime(11), reader.IsDBNull(12) ? null : reader.GetDateTime(12),
                    reader.IsDBNull(13) ? null : reader.GetString(13), reader.IsDBNull(14) ? null : reader.GetString(14), reader.IsDBNull(15) ? null : reader.GetString(15),
                    reader.IsDBNull(16) ? null : reader.GetDecimal(16), reader.IsDBNull(17) ? null : reader.GetString(17), reader.IsDBNull(18) ? null : reader.GetString(18),
                    reader.IsDBNull(19) ? null : DateOnly.FromDateTime(reader.GetDateTime(19)), reader.GetString(20), reader.GetInt64(21)));
            }

            return (total, rows);
        });

    /// <summary>The quick views' counts, each through its own index: all open, mine, unassigned, deferred, resolved today.</summary>
    public Task<int[]> CountsAsync(Guid me, DateTime since) =>
        RunAsync(async connection =>
        {
            await using var command = Command(connection, """
                SELECT
                  (SELECT COUNT(*) FROM "Escalations" WHERE "Status" IN ('Open', 'Claimed', 'Deferred')),
                  (SELECT COUNT(*) FROM "Escalations" WHERE "AssigneeId" = $me AND "Status" IN ('Claimed', 'Deferred')),
                  (SELECT COUNT(*) FROM "Escalations" WHERE "Status" = 'Open'),
                  (SELECT COUNT(*) FROM "Escalations" WHERE "Status" = 'Deferred'),
                  (SELECT COUNT(*) FROM "Escalations" WHERE "Status" = 'Resolved' AND "ResolvedAt" >= $since)
                """, [("$me", me), ("$since", since)]);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return Enumerable.Range(0, 5).Select(reader.GetInt32).ToArray();
        });

    /// <summary>The query plan SQLite chooses, for the record.</summary>
    public Task<string> PlanAsync(string sql, params (string Name, object Value)[] parameters) =>
        RunAsync(async connection =>
        {
            await using var command = Command(connection, "EXPLAIN QUERY PLAN " + sql, parameters);
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(3));
            }

            return string.Join(" | ", lines);
        });

    public static string CountSql(string where) => $"""SELECT COUNT(*) FROM "Escalations" AS e WHERE {where}""";

    public static string PageSql(string where, string orderBy, int pageSize) => $"SELECT {Columns} {Joins} WHERE {where} ORDER BY {orderBy} LIMIT {pageSize}";

    private async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        return await work(connection);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // the benchmark's own constant fragments
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value is Guid or DateTime or decimal ? Web.Features.Automations.Engine.BatchInserter.ToDb(value) : value);
        }

        return command;
    }

    public sealed record Row(
        Guid Id, Guid WorkItemId, Guid AutomationId, string AutomationName, string Kind, string Status, Guid? AssigneeId, string? AssigneeName, string Reasons,
        DateTime CreatedAt, DateTime? ClaimedAt, DateTime? DeferredUntil, DateTime? ResolvedAt, string? Reference, string? Party, string? PartyId, decimal? Amount,
        string? Currency, string? Type, DateOnly? DocumentDate, string ItemStatus, long Version);
}
