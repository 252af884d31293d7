using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Audit;

public enum AuditAction
{
    Created,
    Updated,
    Deleted,
}

/// <summary>Who changed what and when, with the values before and after. Written only by the audit interceptor.</summary>
public sealed class AuditEntry
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public DateTime At { get; init; }

    public ActorKind ActorKind { get; init; }

    public Guid? ActorId { get; init; }

    public required string ActorName { get; init; }

    public AuditAction Action { get; init; }

    /// <summary>The friendly name of what changed, for example "User" or "ApiKey".</summary>
    public required string EntityType { get; init; }

    public required string EntityId { get; init; }

    /// <summary>One line for people, for example "Role Manager granted to ann@example.com".</summary>
    public required string Summary { get; init; }

    /// <summary>JSON object: property name → { "before": …, "after": … }.</summary>
    public string? Changes { get; init; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ActorKind).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.EntityType).HasMaxLength(64);
        builder.Property(e => e.EntityId).HasMaxLength(64);
        builder.Property(e => e.Summary).HasMaxLength(1000);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => new { e.EntityType, e.EntityId });
        builder.HasIndex(e => e.ActorName);
    }
}
