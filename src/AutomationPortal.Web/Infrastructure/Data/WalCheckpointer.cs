using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Infrastructure.Data;

/// <summary>
/// Folds the write-ahead log back into the database file in the background, every few seconds, so no request and
/// no automation run pays for a checkpoint in the middle of its work. The portal's own connections (EF Core's and
/// the engine's) leave checkpoints to this service; a connection opened without the portal's pragmas (Quartz's job
/// store) may still checkpoint by itself, and the last connection to close folds the rest back, as SQLite always does.
/// </summary>
public sealed class WalCheckpointer(PortalDatabase database, ILogger<WalCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Checkpoints what it can without waiting for readers or writers (PASSIVE).</summary>
    public static async Task CheckpointAsync(PortalDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 1000; PRAGMA wal_checkpoint(PASSIVE);";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAsync(database, stoppingToken);
            }
            catch (SqliteException e)
            {
                logger.LogDebug(e, "WAL checkpoint skipped; the next tick tries again.");
            }
        }
    }
}
