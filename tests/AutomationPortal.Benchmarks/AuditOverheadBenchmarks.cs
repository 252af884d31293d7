using AutomationPortal.Web.Features.ApiKeys;
using AutomationPortal.Web.Features.Audit;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// What the audit interceptor costs on a real SQLite file: saving a batch of edited rows with the
/// interceptor (timestamps, versions and one audit entry per row) against the same save without it.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class AuditOverheadBenchmarks
{
    private string _folder = "";
    private DbContextOptions<PortalDbContext> _plain = default!;
    private DbContextOptions<PortalDbContext> _audited = default!;

    [Params(100)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "portal-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var connectionString = $"Data Source={Path.Combine(_folder, "bench.db")};Default Timeout=30";
        var services = new ServiceCollection().BuildServiceProvider();
        var actor = new CurrentActor(services, new HttpContextAccessor());
        actor.UseSystem("benchmark");
        _plain = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(connectionString).AddInterceptors(new SqliteConnectionInterceptor()).Options;
        _audited = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(connectionString)
            .AddInterceptors(new SqliteConnectionInterceptor(), new AuditSaveChangesInterceptor(actor, TimeProvider.System)).Options;
        using var db = new PortalDbContext(_plain);
        db.Database.Migrate();
        using var wal = db.Database.GetDbConnection();
        wal.Open();
        using var command = wal.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Save rows, no audit")]
    public Task<int> SaveWithoutAudit() => SaveAsync(_plain);

    [Benchmark(Description = "Save rows with audit interceptor")]
    public Task<int> SaveWithAudit() => SaveAsync(_audited);

    private async Task<int> SaveAsync(DbContextOptions<PortalDbContext> options)
    {
        await using var db = new PortalDbContext(options);
        for (var i = 0; i < Rows; i++)
        {
            db.ApiKeys.Add(new ApiKey { Name = $"key {i}", Role = Role.Agent, KeyHash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), Prefix = "apk_" });
        }

        return await db.SaveChangesAsync();
    }
}
