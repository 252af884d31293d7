namespace AutomationPortal.Web.Infrastructure.Data;

/// <summary>A search term taken literally in a SQL <c>LIKE</c> (with a backslash as the escape): its wildcards match only themselves.</summary>
public static class SqlLike
{
    public const string Escape = "\\";

    /// <summary>The pattern that finds <paramref name="term"/> anywhere in a text.</summary>
    public static string Containing(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        return "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
    }
}
