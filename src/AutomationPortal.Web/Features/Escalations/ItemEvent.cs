using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Escalations;

/// <summary>What people did with an item besides deciding it (decisions are <see cref="DecisionRecord"/>s).</summary>
public enum ItemEventType
{
    Claimed,
    Released,
    Assigned,
    Deferred,
    /// <summary>A deferred item came back to the queue at its time (the portal's own event).</summary>
    Returned,
    Note,
}

/// <summary>
/// One thing that happened to an item at a person's hand: a claim, a release, an assignment, a deferral or a note.
/// Never changed or deleted: with the item's decisions and effects it is the item's timeline.
/// </summary>
public sealed class ItemEvent : IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkItemId { get; init; }

    public Guid? EscalationId { get; init; }

    public DateTime At { get; init; }

    public ItemEventType Type { get; init; }

    /// <summary>Who did it; null for the portal's own events (a deferred item returning).</summary>
    public Guid? ActorId { get; init; }

    public required string ActorName { get; init; }

    /// <summary>For an assignment: to whom.</summary>
    public Guid? AssigneeId { get; init; }

    public string? AssigneeName { get; init; }

    /// <summary>A note's text, or a deferral's note.</summary>
    public string? Text { get; init; }

    /// <summary>For a deferral: until when.</summary>
    public DateTime? Until { get; init; }
}

internal sealed class ItemEventConfiguration : IEntityTypeConfiguration<ItemEvent>
{
    public void Configure(EntityTypeBuilder<ItemEvent> builder)
    {
        builder.ToTable("ItemEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.AssigneeName).HasMaxLength(256);
        builder.Property(e => e.Text).HasMaxLength(4000);
        builder.HasOne<WorkItem>().WithMany().HasForeignKey(e => e.WorkItemId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(e => new { e.WorkItemId, e.At });
    }
}
