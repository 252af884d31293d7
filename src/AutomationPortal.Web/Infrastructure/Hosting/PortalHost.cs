namespace AutomationPortal.Web.Infrastructure.Hosting;

/// <summary>
/// Turns the command line into host options: finds the content root (the folder holding
/// appsettings.json and wwwroot/) and maps the <c>--demo</c> flag onto configuration.
/// </summary>
public static class PortalHost
{
    public const string DemoFlag = "--demo";

    public static WebApplicationOptions CreateOptions(string[] args)
    {
        var demo = args.Any(a => string.Equals(a, DemoFlag, StringComparison.OrdinalIgnoreCase));
        var rest = args.Where(a => !string.Equals(a, DemoFlag, StringComparison.OrdinalIgnoreCase)).ToList();
        if (demo)
        {
            rest.Add("--Portal:Demo:Enabled=true");
        }

        return new WebApplicationOptions
        {
            Args = [.. rest],
            ContentRootPath = ContentRootGiven(rest) ? null : FindContentRoot(),
        };
    }

    /// <summary>
    /// The first folder holding both appsettings.json and wwwroot/: the working folder and its parents,
    /// then the application folder and its parents. Null when none is found.
    /// </summary>
    public static string? FindContentRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "appsettings.json"))
                    && Directory.Exists(Path.Combine(dir.FullName, "wwwroot")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static bool ContentRootGiven(IEnumerable<string> args) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase));
}
