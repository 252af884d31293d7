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

    public Guardrails Guardrails { get; set; } = new();

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
        });
        builder.HasIndex(a => a.Name).IsUnique();
    }
}
