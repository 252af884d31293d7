using System.Net.Http.Json;
using System.Net;
using AutomationPortal.TestSupport;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

/// <summary>
/// The real portal on Kestrel at a loopback port, plus Debian's Chromium driven by Playwright.
/// Without /usr/bin/chromium the browser tests are skipped with a loud reason, except under CI, where they fail.
/// </summary>
public sealed class LivePortal : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private PortalAppFactory? _portal;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The portal's data folder, where automations' folders live.</summary>
    public string DataFolder => _portal?.DataFolder ?? "";

    public IBrowser? Browser { get; private set; }

    public string? MissingBrowserReason { get; private set; }

    public static string ScreenshotFolder { get; } =
        Environment.GetEnvironmentVariable("PORTAL_SCREENSHOT_DIR") is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            MissingBrowserReason = $"BROWSER TESTS SKIPPED: {ChromiumPath} does not exist. Install Debian's chromium (apt-get install -y chromium) to run them.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(MissingBrowserReason + " CI must have a browser: .ci/run installs it.");
            }

            await Console.Error.WriteLineAsync(MissingBrowserReason);
            return;
        }

        _portal = new PortalAppFactory(null);
        _portal.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _portal.StartServer();
        var address = _portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/') + "/";

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }
    }

    /// <summary>One of the running portal's services, to set a scene the browser then shows.</summary>
    public T Service<T>()
        where T : notnull => (_portal ?? throw new InvalidOperationException("The portal is not running.")).Services.GetRequiredService<T>();

    /// <summary>
    /// Waits until the demo's people have done what they do at start (claims, resolutions, a deferral, an override),
    /// so a test sees the queue as the demo leaves it.
    /// </summary>
    public Task DemoSettledAsync() => Service<AutomationPortal.Web.Features.Automations.DemoStories>().WhenIdleAsync().WaitAsync(TimeSpan.FromMinutes(2));

    /// <summary>A fresh browser context (no cookies) and page at the given viewport.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        if (Browser is null)
        {
            Assert.Skip(MissingBrowserReason ?? "No browser.");
        }

        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("Account/Login");
        await page.FillAsync("#Input\\.Email", email);
        await page.FillAsync("#Input\\.Password", password);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
    }

    /// <summary>Waits until the Blazor circuit is connected, so clicks reach the server.</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.WaitForSelectorAsync("body[data-circuit=ready]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

    /// <summary>The input of a MudBlazor field marked with data-testid, wherever MudBlazor put the attribute.</summary>
    public static string Field(string testId) => $"input[data-testid={testId}], [data-testid={testId}] input";

    public static Task ScreenshotAsync(IPage page, string name, bool fullPage = false) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = fullPage });

    /// <summary>An HTTP client for the portal's API with the bootstrap Admin key, to set a scene before the browser looks.</summary>
    public HttpClient ApiClient()
    {
        if (Browser is null)
        {
            Assert.Skip(MissingBrowserReason ?? "No browser.");
        }

        var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", PortalAppFactory.BootstrapApiKey);
        return http;
    }

    /// <summary>Creates an automation through the API (kind, name, schedule, state, settings…) and returns its id.</summary>
    public static async Task<Guid> CreateAutomationAsync(HttpClient http, object request)
    {
        using var created = await http.PostAsJsonAsync(new Uri("api/automations", UriKind.Relative), request);
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, text);
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }
}
