using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Automations.Model;

/// <summary>Shadow results are kept apart from real ones: the same input may be seen once in each lane.</summary>
public enum Lane
{
    Live,
    Shadow,
}

public enum WorkItemStatus
{
    /// <summary>Decided to act; the action has not succeeded yet and later runs retry it.</summary>
    AwaitingAction,
    /// <summary>Finished: acted on, decided without action, or decided in shadow.</summary>
    Done,
    /// <summary>Handed to a person.</summary>
    Escalated,
    /// <summary>The act step (for invoices: posting, an export or a webhook call) failed after its retries; later runs try again.</summary>
    ActionFailed,
    /// <summary>The input could not be read; the original is kept with the reason.</summary>
    Quarantined,
    /// <summary>A person asked to undo what was done for the item; the next run compensates it (and later runs retry).</summary>
    AwaitingCompensation,
    /// <summary>What was done for the item was undone by the kind's compensation (for invoices: a reversal).</summary>
    Compensated,
}

/// <summary>One unit of business work, unique within an automation and lane by its source key.</summary>
public sealed class WorkItem : IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid AutomationId { get; init; }

    public Lane Lane { get; init; }

    /// <summary>Stable identity of the input; for a file, a hash of its content.</summary>
    public required string SourceKey { get; init; }

    /// <summary>The run that first read the item.</summary>
    public Guid RunId { get; init; }

    /// <summary>The run that last changed it.</summary>
    public Guid LastRunId { get; set; }

    public WorkItemStatus Status { get; set; }

    public string? Decision { get; set; }

    /// <summary>Machine-readable reason codes, space-separated, for example "over-threshold new-supplier".</summary>
    public string ReasonCodes { get; set; } = "";

    /// <summary>The kind's normalised view of the item, as JSON.</summary>
    public string? Payload { get; set; }

    /// <summary>Where the original document is kept (a path under the data folder, or a URI).</summary>
    public string? OriginalRef { get; set; }

    public string? Error { get; set; }

    public int ActionAttempts { get; set; }

    public DateTime ReceivedAt { get; set; }

    public DateTime? DecidedAt { get; set; }

    public DateTime? CompletedAt { get; set; }

    /// <summary>
    /// When the item's latest outcome was recorded: its decision, or a later retry of its action. The guardrails
    /// count the outcomes since an automation's latest resume by it.
    /// </summary>
    public DateTime? LastOutcomeAt { get; set; }

    /// <summary>Time the automation spent on the item, in milliseconds.</summary>
    public double ProcessingMs { get; set; }

    /// <summary>The kind's summary fields: for invoices the number, supplier and amount.</summary>
    public string? SummaryReference { get; set; }

    public string? SummaryParty { get; set; }

    public string? SummaryPartyId { get; set; }

    public decimal? SummaryAmount { get; set; }

    public string? SummaryCurrency { get; set; }

    public string? SummaryType { get; set; }

    /// <summary>The document's own date (for invoices the issue date).</summary>
    public DateOnly? SummaryDate { get; set; }

    /// <summary>A fingerprint of the item's normalised content, the same for the same document in another file format.</summary>
    public string? ContentKey { get; set; }

    public IReadOnlyList<string> ReasonList => ReasonCodes.Length == 0 ? [] : ReasonCodes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

public enum DecidedBy
{
    Automation,
    AutomationShadow,
    Person,
}

/// <summary>A decision about a work item, never overwritten: handling and overrides add rows.</summary>
public sealed class DecisionRecord : IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkItemId { get; init; }

    public Guid? RunId { get; init; }

    public DateTime At { get; init; }

    public DecidedBy DecidedBy { get; init; }

    public Guid? PersonId { get; init; }

    public string? PersonName { get; init; }

    public required string Decision { get; init; }

    public string ReasonCodes { get; init; } = "";

    public string? Note { get; init; }

    /// <summary>Minutes a person spent on this decision; counts against ROI.</summary>
    public decimal HumanMinutes { get; init; }

    /// <summary>The person's reason code (for a rejection or an override, from the kind's list).</summary>
    public string? Reason { get; init; }

    /// <summary>A person replaced a decision already made (by the automation or a person): an automation error in accuracy.</summary>
    public bool Override { get; init; }
}

public enum EscalationStatus
{
    /// <summary>Waiting in the queue for someone to claim it.</summary>
    Open,
    /// <summary>Held by its assignee, who alone may resolve it.</summary>
    Claimed,
    /// <summary>Put aside until <see cref="Escalation.DeferredUntil"/>; it comes back to the queue then.</summary>
    Deferred,
    Resolved,
}

/// <summary>A work item handed to a person, with its reasons.</summary>
public sealed class Escalation : IVersioned, IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkItemId { get; init; }

    public Guid AutomationId { get; init; }

    public string Reasons { get; set; } = "";

    public EscalationStatus Status { get; set; } = EscalationStatus.Open;

    public DateTime CreatedAt { get; init; }

    /// <summary>Who holds the item (claimed, assigned, or deferred by them); null while it waits in the queue.</summary>
    public Guid? AssigneeId { get; set; }

    /// <summary>The assignee's name as the queue shows and sorts it (kept with the row: an API key may hold an item too).</summary>
    public string? AssigneeName { get; set; }

    /// <summary>When the assignee took it: a resolution's minutes are measured from here.</summary>
    public DateTime? ClaimedAt { get; set; }

    /// <summary>A deferred item comes back to the queue at this time.</summary>
    public DateTime? DeferredUntil { get; set; }

    public DateTime? DueAt { get; set; }

    public DateTime? ResolvedAt { get; set; }

    /// <summary>Who resolved it; the engine's rows leave it null until then.</summary>
    public Guid? ResolvedById { get; set; }

    public long Version { get; set; }

    // The item's summary fields the queue filters, sorts and searches by, kept on the escalation so the queue counts
    // and orders through this table's own indexes. The database keeps them equal to the work item's (triggers of the
    // EscalationQueueIndexes migration); the portal never writes them through EF.

    public string? Reference { get; private set; }

    public string? Party { get; private set; }

    public string? PartyId { get; private set; }

    public decimal? Amount { get; private set; }
}

public enum EffectStatus
{
    Applied,
    Compensated,
}

/// <summary>What an act step did (an export line, a webhook post), recorded once per idempotency key.</summary>
public sealed class Effect : IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid AutomationId { get; init; }

    public Guid RunId { get; init; }

    public Guid? WorkItemId { get; init; }

    /// <summary>What kind of effect, for example "export-line" or "webhook-post".</summary>
    public required string Type { get; init; }

    public required string IdempotencyKey { get; init; }

    /// <summary>Where it went: a file path, a URL.</summary>
    public string Target { get; init; } = "";

    public string? Detail { get; init; }

    public DateTime At { get; init; }

    public EffectStatus Status { get; set; } = EffectStatus.Applied;
}

internal sealed class WorkItemConfiguration : IEntityTypeConfiguration<WorkItem>
{
    public void Configure(EntityTypeBuilder<WorkItem> builder)
    {
        // Keeps the copy of the summary on the item's escalations (EscalationConfiguration).
        builder.ToTable("WorkItems", t => t.HasTrigger(EscalationTriggers.ItemSummary));
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Lane).HasConversion<string>().HasMaxLength(8);
        builder.Property(w => w.Status).HasConversion<string>().HasMaxLength(24);
        builder.Property(w => w.SourceKey).HasMaxLength(200);
        builder.Property(w => w.Decision).HasMaxLength(64);
        builder.Property(w => w.ReasonCodes).HasMaxLength(1000);
        builder.Property(w => w.OriginalRef).HasMaxLength(1000);
        builder.Property(w => w.Error).HasMaxLength(4000);
        builder.Property(w => w.SummaryReference).HasMaxLength(200);
        builder.Property(w => w.SummaryParty).HasMaxLength(300);
        builder.Property(w => w.SummaryPartyId).HasMaxLength(200);
        builder.Property(w => w.SummaryCurrency).HasMaxLength(3);
        builder.Property(w => w.SummaryType).HasMaxLength(32);
        builder.Property(w => w.ContentKey).HasMaxLength(64);
        builder.Ignore(w => w.ReasonList);
        builder.HasOne<Automation>().WithMany().HasForeignKey(w => w.AutomationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(w => new { w.AutomationId, w.Lane, w.SourceKey }).IsUnique();
        builder.HasIndex(w => new { w.AutomationId, w.Status });
        builder.HasIndex(w => w.LastRunId);
        builder.HasIndex(w => new { w.AutomationId, w.Lane, w.LastOutcomeAt });
        // A party's earlier items: the history's checks and the escalation view's "earlier items of the same party".
        builder.HasIndex(w => new { w.SummaryPartyId, w.ReceivedAt });
    }
}

internal sealed class DecisionRecordConfiguration : IEntityTypeConfiguration<DecisionRecord>
{
    public void Configure(EntityTypeBuilder<DecisionRecord> builder)
    {
        builder.ToTable("Decisions");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.DecidedBy).HasConversion<string>().HasMaxLength(24);
        builder.Property(d => d.Decision).HasMaxLength(64);
        builder.Property(d => d.ReasonCodes).HasMaxLength(1000);
        builder.Property(d => d.PersonName).HasMaxLength(256);
        builder.Property(d => d.Note).HasMaxLength(4000);
        builder.HasOne<WorkItem>().WithMany().HasForeignKey(d => d.WorkItemId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(d => d.Reason).HasMaxLength(64);
        builder.HasIndex(d => d.WorkItemId);
    }
}

internal sealed class EscalationConfiguration : IEntityTypeConfiguration<Escalation>
{
    /// <summary>What the queue's queries say for "not resolved", word for word: SQLite uses a partial index only then.</summary>
    private const string OpenFilter = "\"Status\" <> 'Resolved'";

    public void Configure(EntityTypeBuilder<Escalation> builder)
    {
        // The triggers keep the copy of the item's summary below and the queue's trigram search index "EscalationSearch"
        // over the reference and party. They, the search index and the queue's amount index on CAST("Amount" AS REAL)
        // (EF Core models neither) come from the migration EscalationQueueIndexes: a later migration that rebuilds this
        // table must create them again.
        builder.ToTable("Escalations", t =>
        {
            t.HasTrigger(EscalationTriggers.Insert);
            t.HasTrigger(EscalationTriggers.Update);
            t.HasTrigger(EscalationTriggers.Delete);
        });
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Reasons).HasMaxLength(1000);
        builder.Property(e => e.AssigneeName).HasMaxLength(256);
        builder.HasOne<WorkItem>().WithMany().HasForeignKey(e => e.WorkItemId).OnDelete(DeleteBehavior.Restrict);
        WrittenByTheDatabase(builder.Property(e => e.Reference).HasMaxLength(200));
        WrittenByTheDatabase(builder.Property(e => e.Party).HasMaxLength(300));
        WrittenByTheDatabase(builder.Property(e => e.PartyId).HasMaxLength(200));
        WrittenByTheDatabase(builder.Property(e => e.Amount));
        builder.HasIndex(e => new { e.Status, e.CreatedAt });
        builder.HasIndex(e => new { e.AssigneeId, e.Status });
        builder.HasIndex(e => new { e.Status, e.DeferredUntil });
        builder.HasIndex(e => new { e.Status, e.ResolvedAt });
        builder.HasIndex(e => new { e.AutomationId, e.Status });
        builder.HasIndex(e => e.WorkItemId);
        // The queue of everything not resolved, in each order it is shown in, and its counts: partial indexes, so they
        // stay the size of the open queue however many resolved escalations the history keeps.
        builder.HasIndex(e => new { e.CreatedAt, e.Id }, "IX_Escalations_Open_CreatedAt").HasFilter(OpenFilter);
        builder.HasIndex(e => new { e.Party, e.Id }, "IX_Escalations_Open_Party").HasFilter(OpenFilter);
        builder.HasIndex(e => new { e.Reference, e.Id }, "IX_Escalations_Open_Reference").HasFilter(OpenFilter);
        builder.HasIndex(e => new { e.Status, e.AssigneeId }, "IX_Escalations_Open_Status_AssigneeId").HasFilter(OpenFilter);
    }

    private static void WrittenByTheDatabase(PropertyBuilder property)
    {
        property.Metadata.SetBeforeSaveBehavior(PropertySaveBehavior.Ignore);
        property.Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
    }
}

/// <summary>The triggers that keep an escalation's copy of its item's summary and the queue's search index.</summary>
internal static class EscalationTriggers
{
    public const string Insert = "Escalations_Summary_Insert";
    public const string Update = "Escalations_Summary_Update";
    public const string Delete = "Escalations_Summary_Delete";
    public const string ItemSummary = "WorkItems_Summary_Escalations";
}

internal sealed class EffectConfiguration : IEntityTypeConfiguration<Effect>
{
    public void Configure(EntityTypeBuilder<Effect> builder)
    {
        builder.ToTable("Effects");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.IdempotencyKey).HasMaxLength(300);
        builder.Property(e => e.Target).HasMaxLength(1000);
        builder.Property(e => e.Detail).HasMaxLength(4000);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        // Also finds an item's effects: their keys start with the item's own key (see ActionContext.IdempotencyKey).
        builder.HasIndex(e => new { e.AutomationId, e.IdempotencyKey }).IsUnique();
        // A run's effects, for example the lines of its export file.
        builder.HasIndex(e => new { e.RunId, e.Type });
    }
}
