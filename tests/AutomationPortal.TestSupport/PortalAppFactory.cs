using System.Net;
using System.Text.RegularExpressions;
using AutomationPortal.Web.Infrastructure.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.TestSupport;

/// <summary>
/// The real portal on a SQLite file of its own in a temporary data folder, with known bootstrap and demo
/// credentials. Dispose removes the folder. Two factories on one folder model a restart.
/// </summary>
public class PortalAppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@portal.test";
    public const string AdminPassword = "correct horse battery staple";
    public const string BootstrapApiKey = "bootstrap-key-for-tests-0123456789";
    public const string DemoPassword = "demo accounts password";
    public const string ManagerEmail = "manager@demo.local";
    public const string AgentEmail = "agent@demo.local";

    private readonly bool _ownsFolder;

    public PortalAppFactory(string? dataFolder, bool demo = true)
    {
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), "portal-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataFolder);
        Demo = demo;
    }

    public string DataFolder { get; }

    public string DatabasePath => Path.Combine(DataFolder, "portal.db");

    public string ConnectionString => $"Data Source={DatabasePath}";

    public bool Demo { get; }

    /// <summary>Extra configuration, applied after the defaults above.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public static string RepoRoot { get; } = PortalHost.FindContentRoot()
        ?? throw new InvalidOperationException("Could not find the repository root (appsettings.json beside wwwroot/) above the test folder.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepoRoot);
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:Portal", ConnectionString);
        builder.UseSetting("Portal:Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Portal:Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Portal:Bootstrap:AdminApiKey", BootstrapApiKey);
        builder.UseSetting("Portal:Demo:Enabled", Demo ? "true" : "false");
        builder.UseSetting("Portal:Demo:Password", DemoPassword);
        // Tests poll and sign in far more often than people: the limits themselves are tested with small ones of their own.
        builder.UseSetting("Portal:RateLimits:ApiPerCallerPerMinute", "1000000");
        builder.UseSetting("Portal:RateLimits:ApiAnonymousPerAddressPerMinute", "1000000");
        builder.UseSetting("Portal:RateLimits:SignInPerAddressPerMinute", "100000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Error");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so tests see 302s.</summary>
    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient CreateApiClient(string apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Posts the real sign-in form (with its antiforgery token) and returns the response.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync(new Uri("/Account/Login", UriKind.Relative));
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = "login",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        return await client.PostAsync(new Uri("/Account/Login", UriKind.Relative), form);
    }

    /// <summary>
    /// Posts one of the forms of a server-rendered page, as a browser does: reads the page for its antiforgery token,
    /// then posts the named form with the given fields to the same address.
    /// </summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, IDictionary<string, string>? fields = null)
    {
        var page = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var values = new Dictionary<string, string>(fields ?? new Dictionary<string, string>())
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["_handler"] = formName,
        };
        using var form = new FormUrlEncodedContent(values);
        return await client.PostAsync(new Uri(path, UriKind.Relative), form);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsFolder)
        {
            DeleteFolder(DataFolder);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsFolder)
        {
            DeleteFolder(DataFolder);
        }

        GC.SuppressFinalize(this);
    }

    public static void DeleteFolder(string folder)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open by a finishing host; the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>One portal shared by the tests of a class (xunit class fixture).</summary>
public sealed class PortalFixture : PortalAppFactory
{
    public PortalFixture()
        : base(null)
    {
    }
}
