using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Automations.Model;

/// <summary>Something a person must look at, such as an automation that paused itself.</summary>
public sealed class Alert : IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid AutomationId { get; init; }

    /// <summary>Machine-readable kind, for example "auto-paused:failure-rate".</summary>
    public required string Code { get; init; }

    public required string Message { get; init; }

    public DateTime RaisedAt { get; init; }

    public DateTime? AcknowledgedAt { get; set; }

    public string? AcknowledgedBy { get; set; }

    public bool IsOpen => AcknowledgedAt is null;
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.ToTable("Alerts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Code).HasMaxLength(64);
        builder.Property(a => a.Message).HasMaxLength(1000);
        builder.Property(a => a.AcknowledgedBy).HasMaxLength(256);
        builder.Ignore(a => a.IsOpen);
        builder.HasOne<Automation>().WithMany().HasForeignKey(a => a.AutomationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.AcknowledgedAt, a.RaisedAt });
    }
}
