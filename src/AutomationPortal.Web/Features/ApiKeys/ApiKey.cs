using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.ApiKeys;

/// <summary>
/// A credential for scripts and other systems. Only a SHA-256 hash of the key is stored; the key itself is
/// shown once when it is made. Never deleted: deactivated instead.
/// </summary>
public sealed class ApiKey : IVersioned, ITimestamped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    public Role Role { get; set; }

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public required string KeyHash { get; init; }

    /// <summary>The key's first characters, so people can tell keys apart without seeing them.</summary>
    public required string Prefix { get; init; }

    public string CreatedBy { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public DateTime? DeactivatedAt { get; set; }

    public string? DeactivatedBy { get; set; }

    public bool IsActive => DeactivatedAt is null;

    public long Version { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.KeyHash).HasMaxLength(64).IsFixedLength();
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.CreatedBy).HasMaxLength(256);
        builder.Property(k => k.DeactivatedBy).HasMaxLength(256);
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.Ignore(k => k.IsActive);
    }
}
