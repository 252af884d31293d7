using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Automations.Model;

/// <summary>
/// The turn of one concurrency group: which run holds it, on which node, and until when. The holder renews
/// <see cref="ExpiresAt"/> while it runs; a row past it (its process died or stalled) is taken over by the next run
/// that asks, and so is a row whose holder run has ended. Written only by the engine's <c>RunLeases</c>.
/// </summary>
public sealed class RunLease : IEngineRecord
{
    /// <summary>The kind's concurrency group, such as <c>invoice-intake</c>.</summary>
    public required string Group { get; init; }

    public Guid HolderRunId { get; set; }

    /// <summary>The machine and process of the holder, for people reading the table.</summary>
    public required string HolderNode { get; set; }

    public DateTime AcquiredAt { get; set; }

    public DateTime ExpiresAt { get; set; }
}

internal sealed class RunLeaseConfiguration : IEntityTypeConfiguration<RunLease>
{
    public const int GroupLength = 64;

    public void Configure(EntityTypeBuilder<RunLease> builder)
    {
        builder.ToTable("RunLeases");
        builder.HasKey(l => l.Group);
        builder.Property(l => l.Group).HasMaxLength(GroupLength);
        builder.Property(l => l.HolderNode).HasMaxLength(256);
    }
}
