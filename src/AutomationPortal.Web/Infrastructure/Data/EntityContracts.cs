namespace AutomationPortal.Web.Infrastructure.Data;

/// <summary>
/// A row that people edit. <see cref="Version"/> is the optimistic concurrency token: the portal
/// raises it on every update and refuses an update made against an older version.
/// </summary>
public interface IVersioned
{
    long Version { get; set; }
}

/// <summary>A row whose creation and last change times are stamped in UTC from <see cref="TimeProvider"/>.</summary>
public interface ITimestamped
{
    DateTime CreatedAt { get; set; }

    DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A row the automation engine writes in bulk (runs, work items, decisions, effects). Audited only when a person
/// or an API key writes it, such as a manual run or a person's decision, never for the engine's own writes.
/// </summary>
public interface IEngineRecord;
