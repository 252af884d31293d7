using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Automations.Model;

public enum RunTrigger
{
    Schedule,
    Manual,
    Recovery,
    /// <summary>Started by files given through the upload page or the intake API.</summary>
    Upload,
    /// <summary>Started by a resume, for the input that was held while the automation was paused.</summary>
    Resume,
    /// <summary>Started by a person's decision on an item: to act on an approval, or to undo an item.</summary>
    Handling,
}

/// <summary>Stamped from the automation's state when the run starts. Only Pilot and Production count towards ROI.</summary>
public enum RunMode
{
    Shadow,
    Pilot,
    Production,
    Test,
    Demo,
}

public static class RunModes
{
    /// <summary>Where a run's items go: shadow and test runs decide without acting and keep their results apart.</summary>
    public static Lane Lane(this RunMode mode) => mode is RunMode.Shadow or RunMode.Test ? Model.Lane.Shadow : Model.Lane.Live;

    /// <summary>Whether a run of this mode acts on its decisions.</summary>
    public static bool Acts(this RunMode mode) => mode.Lane() == Model.Lane.Live;
}

public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    PartiallySucceeded,
    Failed,
    Cancelled,
    /// <summary>Stopped after the item it was on because its automation was paused; the rest of its input waits.</summary>
    Stopped,
}

/// <summary>One execution of an automation. Every scheduled fire leaves one, including missed and skipped fires.</summary>
public sealed class AutomationRun : IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid AutomationId { get; init; }

    public RunTrigger Trigger { get; set; }

    public RunMode Mode { get; set; }

    public int SettingsVersion { get; set; }

    public RunStatus Status { get; set; } = RunStatus.Queued;

    /// <summary>When the schedule meant the run to start (scheduled runs only).</summary>
    public DateTime? ScheduledFor { get; set; }

    public DateTime QueuedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? EndedAt { get; set; }

    /// <summary>
    /// When the kind's per-run effects (an export file) were completed for this run: by the run itself, or by a later
    /// run when this one stopped before (the engine hands such runs to the next completion until this is set).
    /// </summary>
    public DateTime? EffectsCompletedAt { get; set; }

    /// <summary>The scheduler fired later than its misfire threshold (the portal was down or busy).</summary>
    public bool Misfired { get; set; }

    /// <summary>Set when the fire did not run at all, with the reason (for example the portal was not running).</summary>
    public string? SkipReason { get; set; }

    /// <summary>Who asked for a manual run.</summary>
    public string? RequestedBy { get; set; }

    public int ItemsRead { get; set; }

    public int ItemsDone { get; set; }

    public int ItemsEscalated { get; set; }

    /// <summary>Items whose action failed: faults of the automation or the systems it posts to.</summary>
    public int ItemsFailed { get; set; }

    /// <summary>Unreadable input put aside with its reason: the automation doing its job, not a fault.</summary>
    public int ItemsQuarantined { get; set; }

    /// <summary>Items of earlier runs whose action this run tried again; counted in done or failed, not in read.</summary>
    public int ItemsRetried { get; set; }

    public int ItemsSkipped { get; set; }

    public string? Error { get; set; }

    /// <summary>Why a run stopped before its input was done, for example "paused by admin@example.com".</summary>
    public string? StopReason { get; set; }

    /// <summary>The run had work: it read something new, retried an action, or failed outright.</summary>
    public bool HadWork => ItemsDone + ItemsEscalated + ItemsFailed + ItemsQuarantined > 0 || Status == RunStatus.Failed;

    public double? LatenessMs => ScheduledFor is { } due && StartedAt is { } started ? (started - due).TotalMilliseconds : null;
}

public enum LogLevelName
{
    Info,
    Warning,
    Error,
}

public sealed class RunLogLine : IEngineRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid RunId { get; init; }

    public DateTime At { get; init; }

    public LogLevelName Level { get; init; }

    public required string Message { get; init; }
}

internal sealed class AutomationRunConfiguration : IEntityTypeConfiguration<AutomationRun>
{
    public void Configure(EntityTypeBuilder<AutomationRun> builder)
    {
        builder.ToTable("AutomationRuns");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Mode).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(24);
        builder.Property(r => r.SkipReason).HasMaxLength(500);
        builder.Property(r => r.RequestedBy).HasMaxLength(256);
        builder.Property(r => r.Error).HasMaxLength(4000);
        builder.Property(r => r.StopReason).HasMaxLength(500);
        builder.Ignore(r => r.LatenessMs);
        builder.Ignore(r => r.HadWork);
        builder.HasOne<Automation>().WithMany().HasForeignKey(r => r.AutomationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.AutomationId, r.QueuedAt });
        builder.HasIndex(r => new { r.AutomationId, r.ScheduledFor });
        builder.HasIndex(r => r.Status);
    }
}

internal sealed class RunLogLineConfiguration : IEntityTypeConfiguration<RunLogLine>
{
    public void Configure(EntityTypeBuilder<RunLogLine> builder)
    {
        builder.ToTable("RunLogLines");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Level).HasConversion<string>().HasMaxLength(8);
        builder.Property(l => l.Message).HasMaxLength(4000);
        builder.HasOne<AutomationRun>().WithMany().HasForeignKey(l => l.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => new { l.RunId, l.At });
    }
}
