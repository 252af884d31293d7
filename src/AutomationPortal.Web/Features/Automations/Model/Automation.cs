using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Automations.Model;

/// <summary>Where an automation stands. Only Shadow, Pilot and Production run on their schedule.</summary>
public enum AutomationState
{
    Draft,
    Shadow,
    Pilot,
    Production,
    Paused,
    AutoPaused,
}

/// <summary>A configured instance of a built-in kind: its settings, schedule, state, guardrails and costs.</summary>
public sealed class Automation : IVersioned, ITimestamped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The catalogue key of the built-in kind, for example "sample-inbox".</summary>
    public required string Kind { get; init; }

    public required string Name { get; set; }

    /// <summary>The kind's settings as camelCase JSON, validated by the kind.</summary>
    public string Settings { get; set; } = "{}";

    /// <summary>Goes up by one on every change of <see cref="Settings"/>; runs record the version they used.</summary>
    public int SettingsVersion { get; set; } = 1;

    /// <summary>Quartz cron expression with seconds, for example <c>0 0 3 * * ?</c>.</summary>
    public required string Schedule { get; set; }

    /// <summary>IANA time zone the schedule is read in.</summary>
    public string TimeZone { get; set; } = "Etc/UTC";

    public AutomationState State { get; set; } = AutomationState.Draft;

    /// <summary>The state to restore on resume, kept while the automation is Paused or AutoPaused.</summary>
    public AutomationState? StateBeforePause { get; set; }

    /// <summary>
    /// When the automation last resumed or got a new schedule: fires before it are not counted as missed.
    /// </summary>
    public DateTime? ResumedAt { get; set; }

    /// <summary>When the automation was last paused (by a person, by Pause all or by its guardrails).</summary>
    public DateTime? PausedAt { get; set; }

    /// <summary>Who paused it, or "guardrails" for an auto-pause.</summary>
    public string? PausedBy { get; set; }

    /// <summary>The emergency stop (Pause all) that paused it; Resume all resumes exactly these.</summary>
    public Guid? EmergencyStopId { get; set; }

    /// <summary>
    /// When the automation last resumed from a pause: the guardrails count only outcomes after it, so a resumed
    /// automation is not judged again on the failures that paused it.
    /// </summary>
    public DateTime? GuardrailsSince { get; set; }

    public Guardrails Guardrails { get; set; } = new();

    /// <summary>How many days after its decision a person may still override an item's decision (and undo what was done).</summary>
    public int OverrideWindowDays { get; set; } = DefaultOverrideWindowDays;

    public const int DefaultOverrideWindowDays = 30;

    public decimal ImplementationCost { get; set; }

    public decimal MonthlyRunningCost { get; set; }

    /// <summary>ISO 4217 currency of the two costs.</summary>
    public string CostCurrency { get; set; } = "EUR";

    /// <summary>Seeded by demo mode: its runs are stamped Demo and never count towards ROI.</summary>
    public bool IsDemo { get; set; }

    public Guid? OwnerId { get; set; }

    public string OwnerName { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public long Version { get; set; }

    public static bool IsRunnable(AutomationState state) =>
        state is AutomationState.Shadow or AutomationState.Pilot or AutomationState.Production;

    public bool IsPaused => State is AutomationState.Paused or AutomationState.AutoPaused;

    /// <summary>
    /// Switches the automation off, keeping the state to restore. Does nothing when it is paused already, so a
    /// second pause (say Pause all after a person's own pause) never takes over the first one's cause.
    /// </summary>
    public bool Pause(string by, DateTime at, Guid? emergencyStopId = null, bool automatic = false)
    {
        if (IsPaused)
        {
            return false;
        }

        StateBeforePause = State;
        State = automatic ? AutomationState.AutoPaused : AutomationState.Paused;
        PausedAt = at;
        PausedBy = by;
        EmergencyStopId = emergencyStopId;
        return true;
    }

    /// <summary>Switches a paused automation back on in the state it had, and starts its guardrail windows afresh.</summary>
    public bool Resume(DateTime at)
    {
        if (!IsPaused)
        {
            return false;
        }

        State = StateBeforePause ?? AutomationState.Shadow;
        ClearPause(at);
        return true;
    }

    /// <summary>Leaves a pause by any way (resume, or a state set directly): the pause's record goes, the windows restart.</summary>
    public void ClearPause(DateTime at)
    {
        StateBeforePause = null;
        PausedAt = null;
        PausedBy = null;
        EmergencyStopId = null;
        ResumedAt = at;
        GuardrailsSince = at;
    }

    /// <summary>Why the automation is paused, in a sentence for people (null when it runs).</summary>
    public string? PauseDescription => DescribePause(State, PausedBy, EmergencyStopId is not null, PausedAt);

    /// <summary>The one wording of why an automation is paused, for stored rows and for rows the engine reads itself.</summary>
    public static string? DescribePause(AutomationState state, string? pausedBy, bool byEmergencyStop, DateTime? pausedAt) => state switch
    {
        AutomationState.AutoPaused => $"paused itself (guardrails){(pausedAt is { } a ? $" at {a:yyyy-MM-dd HH:mm} UTC" : "")}",
        AutomationState.Paused => byEmergencyStop ? $"paused by {pausedBy ?? "an Admin"} with Pause all" : $"paused by {pausedBy ?? "an Admin"}",
        _ => null,
    };
}

/// <summary>An emergency stop: Pause all, with the automations it paused, so Resume all undoes exactly that.</summary>
public sealed class EmergencyStop : ITimestamped
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string PausedBy { get; init; }

    public int AutomationsPaused { get; set; }

    public DateTime? ResumedAt { get; set; }

    public string? ResumedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>Limits that auto-pause an automation when it misbehaves.</summary>
public sealed class Guardrails
{
    /// <summary>Auto-pause when more than this share (0–1) of the last <see cref="FailureRateWindow"/> items failed.</summary>
    public decimal MaxFailureRate { get; set; } = 0.5m;

    /// <summary>How many of the latest items the failure rate is measured over.</summary>
    public int FailureRateWindow { get; set; } = 20;

    /// <summary>Auto-pause after this many failed runs in a row.</summary>
    public int MaxConsecutiveFailedRuns { get; set; } = 3;

    /// <summary>
    /// Auto-pause when more than this share (0–1) of the last <see cref="QuarantineRateWindow"/> items was
    /// quarantined as unreadable: a flood of bad input is stopped, though each bad file alone is no fault.
    /// </summary>
    public decimal MaxQuarantineRate { get; set; } = 0.5m;

    /// <summary>How many of the latest items the quarantine rate is measured over.</summary>
    public int QuarantineRateWindow { get; set; } = 20;
}

internal sealed class AutomationConfiguration : IEntityTypeConfiguration<Automation>
{
    public void Configure(EntityTypeBuilder<Automation> builder)
    {
        builder.ToTable("Automations");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Kind).HasMaxLength(64);
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.Schedule).HasMaxLength(120);
        builder.Property(a => a.TimeZone).HasMaxLength(64);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.StateBeforePause).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.CostCurrency).HasMaxLength(3);
        builder.Property(a => a.OwnerName).HasMaxLength(256);
        builder.OwnsOne(a => a.Guardrails, g =>
        {
            g.Property(x => x.MaxFailureRate).HasColumnName("MaxFailureRate");
            g.Property(x => x.FailureRateWindow).HasColumnName("FailureRateWindow");
            g.Property(x => x.MaxConsecutiveFailedRuns).HasColumnName("MaxConsecutiveFailedRuns");
            g.Property(x => x.MaxQuarantineRate).HasColumnName("MaxQuarantineRate");
            g.Property(x => x.QuarantineRateWindow).HasColumnName("QuarantineRateWindow");
        });
        builder.Property(a => a.PausedBy).HasMaxLength(256);
        // No foreign key: adding one would rebuild the Automations table on SQLite; stops are never deleted anyway.
        builder.HasIndex(a => a.EmergencyStopId);
        builder.HasIndex(a => a.Name).IsUnique();
    }
}

internal sealed class EmergencyStopConfiguration : IEntityTypeConfiguration<EmergencyStop>
{
    public void Configure(EntityTypeBuilder<EmergencyStop> builder)
    {
        builder.ToTable("EmergencyStops");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.PausedBy).HasMaxLength(256);
        builder.Property(s => s.ResumedBy).HasMaxLength(256);
        builder.HasIndex(s => s.ResumedAt);
    }
}
