using AutomationPortal.Web.Features.ApiKeys;
using AutomationPortal.Web.Features.Audit;
using AutomationPortal.Web.Features.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Infrastructure.Data;

public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options)
    : IdentityDbContext<PortalUser, PortalRole, Guid>(options)
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    /// <summary>The Identity schema the migrations were made for (with passkeys).</summary>
    public static Version IdentitySchemaVersion => IdentitySchemaVersions.Version3;

    // Identity reads its schema version from the app's IdentityOptions. A context made outside the app
    // (tools, tests, benchmarks) gets the same version from here, so its model matches the migrations.
    private static readonly IServiceProvider StandaloneServices = new ServiceCollection()
        .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersion)
        .BuildServiceProvider();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        var core = optionsBuilder.Options.FindExtension<CoreOptionsExtension>();
        if (core?.ApplicationServiceProvider?.GetService<IOptions<IdentityOptions>>()?.Value.Stores.SchemaVersion != IdentitySchemaVersion)
        {
            optionsBuilder.UseApplicationServiceProvider(StandaloneServices);
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

        foreach (var entityType in builder.Model.GetEntityTypes())
        {
            if (typeof(IVersioned).IsAssignableFrom(entityType.ClrType))
            {
                builder.Entity(entityType.ClrType).Property(nameof(IVersioned.Version)).IsConcurrencyToken();
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every stored time is UTC (docs/decisions/002-time.md); reading it back must say so.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
        // Amounts are exact decimals; currencies are three-letter ISO 4217 codes.
        configurationBuilder.Properties<decimal>().HavePrecision(19, 4);
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}

public sealed class PortalRole : IdentityRole<Guid>
{
    public PortalRole()
    {
        Id = Guid.CreateVersion7();
    }

    public PortalRole(string name)
        : this()
    {
        Name = name;
        NormalizedName = name.ToUpperInvariant();
    }
}
