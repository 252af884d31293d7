using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AutomationPortal.Web.Infrastructure.Data;

/// <summary>
/// Whether the database can be written: a full disk or a read-only file lets reads go on while every change fails.
/// The last such failure is kept (from any request, run or probe) until a write succeeds again; the health check,
/// the API's 503 answers and the banner on every page all say the same.
/// </summary>
public sealed class DatabaseWrites(PortalDatabase database, TimeProvider time)
{
    private volatile string? _problem;

    /// <summary>Why the database cannot be written now, in words for people, or null while it can.</summary>
    public string? Problem => _problem;

    public DateTimeOffset? Since { get; private set; }

    /// <summary>A probe's answer is reused for this long, so a flood of /health calls does not compete with real writes.</summary>
    private static readonly TimeSpan ProbeFor = TimeSpan.FromSeconds(5);

    private DateTimeOffset _probedAt = DateTimeOffset.MinValue;

    /// <summary>A write went through: whatever stopped writes before is over.</summary>
    public void Succeeded()
    {
        _problem = null;
        Since = null;
    }

    /// <summary>The reason when <paramref name="exception"/> (or what it wraps) says the database cannot be written.</summary>
    public static string? Reason(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite)
            {
                return (sqlite.SqliteErrorCode & 0xff) switch
                {
                    13 => "the disk that holds it is full",
                    8 => "the file is read-only",
                    10 => "the disk reported an input/output error",
                    14 => "the file cannot be opened",
                    _ => null,
                };
            }
        }

        return null;
    }

    /// <summary>Notes a failed write; returns the reason when it was the database that could not be written.</summary>
    public string? Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Reason(exception) is not { } reason)
        {
            return null;
        }

        if (_problem is null)
        {
            Since = time.GetUtcNow();
        }

        _problem = $"The database cannot be written: {reason}.";
        return _problem;
    }

    /// <summary>
    /// Writes one small row, as every change would: the truth about the disk and the file, not a read that still works.
    /// </summary>
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken, bool fresh = false)
    {
        // While writes work, one probe serves a few seconds; while they fail, every probe tries again, so recovery shows at once.
        var now = time.GetUtcNow();
        if (!fresh && _problem is null && now - _probedAt < ProbeFor)
        {
            return null;
        }

        _probedAt = now;
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS "PortalWriteProbe" ("Id" INTEGER PRIMARY KEY, "At" TEXT NOT NULL);
                INSERT OR REPLACE INTO "PortalWriteProbe" ("Id", "At") VALUES (1, $at);
                """;
            command.Parameters.AddWithValue("$at", time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            await command.ExecuteNonQueryAsync(cancellationToken);
            Succeeded();
            return null;
        }
        catch (Exception e) when (Reason(e) is not null)
        {
            return Failed(e);
        }
    }
}

/// <summary>/health: Unhealthy, with the reason, while the database cannot be written.</summary>
public sealed class DatabaseWritesHealthCheck(DatabaseWrites writes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await writes.ProbeAsync(cancellationToken) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy("The database can be written.");
}

/// <summary>Notes every failed save, from any feature, so the portal says at once that it cannot write.</summary>
public sealed class DatabaseWritesInterceptor(DatabaseWrites writes) : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
{
    public override int SavedChanges(Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesCompletedEventData eventData, int result)
    {
        writes.Succeeded();
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        writes.Succeeded();
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(Microsoft.EntityFrameworkCore.Diagnostics.DbContextErrorEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        writes.Failed(eventData.Exception);
    }

    public override Task SaveChangesFailedAsync(Microsoft.EntityFrameworkCore.Diagnostics.DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        writes.Failed(eventData.Exception);
        return Task.CompletedTask;
    }
}
