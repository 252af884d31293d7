using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.IntegrationTests.InvoiceIntake;

/// <summary>A portal whose webhook calls give up quickly, so the tests see a broken endpoint within seconds.</summary>
public sealed class InvoicePortalFixture : PortalAppFactory
{
    public InvoicePortalFixture()
        : base(null, demo: false)
    {
        Settings["Portal:Webhooks:Retries"] = "1";
        Settings["Portal:Webhooks:BackoffMilliseconds"] = "50";
        Settings["Portal:Webhooks:BreakSeconds"] = "1";
        Settings["Portal:Webhooks:TimeoutSeconds"] = "5";
    }
}

internal static class InvoiceFiles
{
    /// <summary>Writes an invoice into a folder as a settled file (old enough to be read at once).</summary>
    public static string Write(string folder, string name, Invoice invoice, InvoiceFormat format) => WriteBytes(folder, name, InvoiceWriter.Write(invoice, format));

    public static string WriteBytes(string folder, string name, byte[] content)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        return path;
    }

    public static async Task<JsonElement> CreateAsync(AutomationApi api, string name, object settings, string state = "Production")
    {
        using var response = await api.Client.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
        {
            kind = "invoice-intake",
            name,
            schedule = "0 0 3 1 1 ?",
            state,
            settings,
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Create {name}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<List<JsonElement>> ItemsAsync(AutomationApi api, Guid automationId) =>
        (await api.WorkItemsAsync(automationId)).GetProperty("items").EnumerateArray().ToList();

    public static async Task<JsonElement> DetailAsync(AutomationApi api, Guid workItemId) =>
        await api.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items/{workItemId}", UriKind.Relative));

    public static IReadOnlyList<string> Reasons(JsonElement item) =>
        item.GetProperty("reasonCodes").EnumerateArray().Select(r => r.GetString()!).ToList();

    /// <summary>Every data line of every export CSV in the outbox (headers left out).</summary>
    public static List<string> ExportLines(string outbox) =>
        !Directory.Exists(outbox) ? [] : Directory.GetFiles(outbox, "*.csv").Order().SelectMany(f => File.ReadAllLines(f).Skip(1)).Where(l => l.Length > 0).ToList();
}

/// <summary>
/// An accounting system's webhook on 127.0.0.1: it honours Idempotency-Key as receivers should (a repeat is
/// answered 200 and not booked again) and counts what it booked and what it received.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Task? _hold;

    /// <param name="hold">When given, each post is booked and then left unanswered until it completes: a receiver that is slow to answer.</param>
    public WebhookReceiver(int port, TimeSpan? delay = null, Task? hold = null)
    {
        Url = $"http://127.0.0.1:{port}/hooks/invoices/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _hold = hold;
        _loop = Task.Run(() => LoopAsync(delay ?? TimeSpan.Zero));
    }

    public string Url { get; }

    public ConcurrentDictionary<string, JsonElement> Booked { get; } = new(StringComparer.Ordinal);

    public int Received => _received;

    /// <summary>The Authorization header of the latest post, as the receiver got it.</summary>
    public string? LastAuthorization { get; private set; }

    public int Repeats => _repeats;

    private int _received;
    private int _repeats;

    private async Task LoopAsync(TimeSpan delay)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _received);
            LastAuthorization = context.Request.Headers["Authorization"];
            var key = context.Request.Headers["Idempotency-Key"];
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
                if (key is null)
                {
                    context.Response.StatusCode = 400;
                }
                else if (!Booked.TryAdd(key, body))
                {
                    Interlocked.Increment(ref _repeats);
                }
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            if (_hold is not null)
            {
                try
                {
                    await _hold.WaitAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            try
            {
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // The caller is gone (killed while it waited for the answer).
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop;
        _stop.Dispose();
    }
}
