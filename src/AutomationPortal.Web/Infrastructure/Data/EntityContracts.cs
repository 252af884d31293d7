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
