using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AutomationPortal.Web.Infrastructure.Hosting;

/// <summary>Work that must finish before the portal takes requests: bootstrap accounts, demo data.</summary>
public interface IStartupTask
{
    /// <summary>Tasks run in ascending order: 10 bootstrap admin, 20 bootstrap API key, 100+ demo data.</summary>
    int Order { get; }

    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Migrates the database and runs the start-up tasks before the web server starts listening
/// (<see cref="IHostedLifecycleService.StartingAsync"/> runs ahead of every hosted service's start).
/// </summary>
public sealed class PortalInitializer(IServiceScopeFactory scopes, PortalDatabase database, StartupState state, ILogger<PortalInitializer> logger)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("portal start-up");
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();

        try
        {
            await EnableWalAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying {Count} database migration(s) to {Path}: {Migrations}", pending.Count, database.FilePath, string.Join(", ", pending));
            }

            await db.Database.MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseWrites.Reason(e) is { } reason)
        {
            // The start stops with the file and what is wrong with it, not an unhandled SQLite error.
            throw Unwritable(reason, e);
        }

        // A database that reads but cannot be written (read-only file, full disk) must not look like a working portal.
        if (await scope.ServiceProvider.GetRequiredService<DatabaseWrites>().ProbeAsync(cancellationToken, fresh: true) is not null)
        {
            throw Unwritable(scope.ServiceProvider.GetRequiredService<DatabaseWrites>().Problem ?? "it refuses writes", null);
        }

        foreach (var task in scope.ServiceProvider.GetServices<IStartupTask>().OrderBy(t => t.Order))
        {
            await task.RunAsync(cancellationToken);
        }

        state.MarkReady();
    }

    private InvalidOperationException Unwritable(string reason, Exception? inner) =>
        new($"The portal cannot start: its database {database.FilePath} cannot be written ({reason.Replace("The database cannot be written: ", "", StringComparison.Ordinal).TrimEnd('.')}). "
            + "Check that the file and its folder are writable by the portal's user and that the disk has free space.", inner);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnableWalAsync(CancellationToken cancellationToken)
    {
        // WAL is a property of the file: set once, it stays. Readers then never block the writer.
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("SQLite refused WAL mode for {Path} (journal mode is {Mode}); concurrent access will be slower.", database.FilePath, mode);
        }
    }
}

/// <summary>Whether start-up work (migrations, bootstrap, demo seeding) has finished.</summary>
public sealed class StartupState
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}

public sealed class StartupHealthCheck(StartupState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsReady
            ? HealthCheckResult.Healthy("Start-up finished.")
            : HealthCheckResult.Unhealthy("Start-up (migrations, bootstrap, demo data) has not finished."));
}
