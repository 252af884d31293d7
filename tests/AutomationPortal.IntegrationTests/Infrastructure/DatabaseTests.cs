using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.Infrastructure;

public sealed class DatabaseTests
{
    [Fact]
    public async Task AnEmptyDatabaseFileIsMigratedToTheLatestVersion()
    {
        await using var portal = new PortalAppFactory(null);
        await File.WriteAllBytesAsync(portal.DatabasePath, []);

        using var client = portal.CreateBrowserLikeClient();
        var health = await client.GetStringAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal("Healthy", health);
        await using var connection = await OpenAsync(portal.ConnectionString);
        var applied = await ListAsync(connection, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId");
        Assert.Equal(AllMigrations(), applied);
        Assert.Contains("AuditEntries", await ListAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table'"));
    }

    [Fact]
    public async Task ADatabaseFromAnOlderVersionIsMigratedAndKeepsItsData()
    {
        await using var portal = new PortalAppFactory(null, demo: false);
        var first = AllMigrations()[0];
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(portal.ConnectionString).Options;
        await using (var old = new PortalDbContext(options))
        {
            await old.GetService<IMigrator>().MigrateAsync(first);
        }

        await using (var connection = await OpenAsync(portal.ConnectionString))
        {
            await ExecuteAsync(connection, """
                INSERT INTO AspNetUsers (Id, DisplayName, CreatedAt, UpdatedAt, Version, UserName, NormalizedUserName, Email, NormalizedEmail,
                    EmailConfirmed, SecurityStamp, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount)
                VALUES ('0193a000-0000-7000-8000-000000000001', 'Earlier user', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1,
                    'earlier@portal.test', 'EARLIER@PORTAL.TEST', 'earlier@portal.test', 'EARLIER@PORTAL.TEST', 1, 'stamp', 0, 0, 1, 0)
                """);
        }

        using var client = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var users = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/users?search=earlier", UriKind.Relative));

        Assert.Equal("Earlier user", users.GetProperty("items")[0].GetProperty("displayName").GetString());
        await using var check = await OpenAsync(portal.ConnectionString);
        Assert.Equal(AllMigrations(), await ListAsync(check, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId"));
        // The earlier user existed, so no bootstrap admin was made: first start means "no users at all".
        Assert.Equal(["earlier@portal.test"], await ListAsync(check, "SELECT Email FROM AspNetUsers"));
    }

    [Fact]
    public async Task ItemsWhosePostingFailedAreActionFailedAfterTheUpgradeAndBackAfterADowngrade()
    {
        await using var portal = new PortalAppFactory(null, demo: false);
        var api = Automations.AutomationApi.For(portal);

        // An item of its own, stored before the downgrade: the test never waits on the demo's first run.
        api.Inbox("upgrade", "7");
        var automation = (await api.CreateAsync("upgrade")).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(automation));

        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(portal.ConnectionString).Options;
        var migrations = AllMigrations();
        var before = migrations[migrations.IndexOf(migrations.Single(m => m.EndsWith("_ActionFailedStatus", StringComparison.Ordinal))) - 1];
        await using var connection = await OpenAsync(portal.ConnectionString);
        var id = (await ListAsync(connection, "SELECT Id FROM WorkItems LIMIT 1")).Single();
        await ExecuteAsync(connection, $"UPDATE WorkItems SET Status = 'ActionFailed' WHERE Id = '{id}'");

        await using (var context = new PortalDbContext(options))
        {
            await context.GetService<IMigrator>().MigrateAsync(before);
        }

        Assert.Equal(["PostingFailed"], await ListAsync(connection, $"SELECT Status FROM WorkItems WHERE Id = '{id}'"));
        await using (var context = new PortalDbContext(options))
        {
            await context.GetService<IMigrator>().MigrateAsync();
        }

        Assert.Equal(["ActionFailed"], await ListAsync(connection, $"SELECT Status FROM WorkItems WHERE Id = '{id}'"));
    }

    [Fact]
    public async Task ThePortalTurnsOnWalModeWhateverTheConnectionStringSays()
    {
        await using var portal = new PortalAppFactory(null, demo: false);
        portal.Settings["ConnectionStrings:Portal"] = $"Data Source={portal.DatabasePath};Default Timeout=1;Pooling=False";

        using var client = portal.CreateBrowserLikeClient();
        await client.GetStringAsync(new Uri("/health", UriKind.Relative));

        await using var connection = await OpenAsync($"Data Source={portal.DatabasePath}");
        Assert.Equal(["wal"], await ListAsync(connection, "PRAGMA journal_mode"));
        var database = portal.Services.GetRequiredService<PortalDatabase>();
        Assert.Contains("Default Timeout=30", database.ConnectionString, StringComparison.Ordinal);
        using var scope = portal.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        SqliteConnection.ClearAllPools();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(30000L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public void ARelativeDatabasePathIsResolvedAgainstTheContentRootAndItsFolderCreated()
    {
        var root = Path.Combine(Path.GetTempPath(), "portal-root-" + Guid.NewGuid().ToString("N"));
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Portal"] = "Data Source=nested/data/my.db",
            }).Build();

            var database = PortalDatabase.Resolve(configuration, root);

            Assert.Equal(Path.Combine(root, "nested", "data", "my.db"), database.FilePath);
            Assert.True(Directory.Exists(Path.Combine(root, "nested", "data")));
        }
        finally
        {
            PortalAppFactory.DeleteFolder(root);
        }
    }

    [Fact]
    public void AnInMemoryDatabaseIsRefusedWithAClearMessage()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = "Data Source=:memory:",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => PortalDatabase.Resolve(configuration, Path.GetTempPath()));

        Assert.Contains("ConnectionStrings:Portal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheModelMatchesTheMigrationsWithOrWithoutTheAppsServices()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options;
        using var db = new PortalDbContext(options);

        Assert.False(db.Database.HasPendingModelChanges(), "Add a migration: dotnet ef migrations add <Name> --project src/AutomationPortal.Web -o Infrastructure/Data/Migrations");
    }

    private static List<string> AllMigrations()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options;
        using var db = new PortalDbContext(options);
        return db.Database.GetMigrations().Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<SqliteConnection> OpenAsync(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ListAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
