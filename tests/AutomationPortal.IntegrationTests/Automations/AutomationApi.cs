using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>Test helpers over the automations API: create, run, wait, read.</summary>
internal sealed class AutomationApi(HttpClient client, string dataFolder)
{
    public HttpClient Client { get; } = client;

    public string DataFolder { get; } = dataFolder;

    public static AutomationApi For(PortalAppFactory portal) => new(portal.CreateApiClient(PortalAppFactory.BootstrapApiKey), portal.DataFolder);

    /// <summary>An inbox under the data folder with files holding the given values, old enough to be settled.</summary>
    public string Inbox(string name, params string[] values)
    {
        var inbox = Path.Combine(DataFolder, name, "inbox");
        Directory.CreateDirectory(inbox);
        for (var i = 0; i < values.Length; i++)
        {
            var path = Path.Combine(inbox, $"{Guid.NewGuid():N}-{i}.txt");
            File.WriteAllText(path, values[i]);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        }

        return inbox;
    }

    public async Task<JsonElement> CreateAsync(string name, string state = "Production", string schedule = "0 0 3 1 1 ?", object? settings = null, object? guardrails = null)
    {
        using var response = await Client.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
        {
            kind = "sample-inbox",
            name,
            schedule,
            timeZone = "Europe/Berlin",
            state,
            settings = settings ?? new { inboxPath = $"{name}/inbox", outboxPath = $"{name}/outbox", settleSeconds = 0 },
            guardrails,
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Create {name}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<Guid> RunNowAsync(Guid automationId)
    {
        using var response = await Client.PostAsync(new Uri($"/api/automations/{automationId}/runs", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> RunAsync(Guid runId) =>
        await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{runId}", UriKind.Relative));

    public async Task<JsonElement> WaitForRunAsync(Guid runId, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var run = await RunAsync(runId);
            var status = run.GetProperty("run").GetProperty("status").GetString();
            if (status is not ("Queued" or "Running"))
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < until, $"Run {runId} still {status} after the timeout.");
            await Task.Delay(100);
        }
    }

    public async Task<JsonElement> RunsAsync(Guid automationId, int pageSize = 200) =>
        await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/automations/{automationId}/runs?pageSize={pageSize}", UriKind.Relative));

    public async Task<JsonElement> WorkItemsAsync(Guid automationId, string query = "") =>
        await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items?automationId={automationId}&pageSize=500{query}", UriKind.Relative));

    public async Task<JsonElement> GetAsync(Guid automationId) =>
        await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/automations/{automationId}", UriKind.Relative));

    public async Task<JsonElement> SummaryAsync(Guid automationId) =>
        (await Client.GetFromJsonAsync<JsonElement>(new Uri("/api/automations", UriKind.Relative))).EnumerateArray().Single(a => a.GetProperty("id").GetGuid() == automationId);

    public async Task<JsonElement> PostAsync(string path, object? body = null)
    {
        using var response = body is null ? await Client.PostAsync(new Uri(path, UriKind.Relative), null) : await Client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// A Pilot automation of four items whose outbox is blocked by a file, run once: every action fails and the
    /// failure-rate guardrail (4 items, 50 %) pauses it. Deleting the returned blocker lets the actions through.
    /// </summary>
    public async Task<(Guid Id, string Blocker)> AutoPausedByFailingActionsAsync(string name)
    {
        Inbox(name, "1", "2", "3", "4");
        var blocker = Path.Combine(DataFolder, name, "outbox");
        await File.WriteAllTextAsync(blocker, "a file where the outbox folder should be");
        var id = (await CreateAsync(name, state: "Pilot", guardrails: new { maxFailureRate = 0.5, failureRateWindow = 4, maxConsecutiveFailedRuns = 10 })).GetProperty("id").GetGuid();
        await WaitForRunAsync(await RunNowAsync(id));
        return (id, blocker);
    }

    /// <summary>The automation's one open alert.</summary>
    public async Task<JsonElement> OpenAlertAsync(Guid automationId) =>
        (await Client.GetFromJsonAsync<JsonElement>(new Uri("/api/alerts", UriKind.Relative))).EnumerateArray().Single(a => a.GetProperty("automationId").GetGuid() == automationId);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting until {what}.");
            await Task.Delay(150);
        }
    }
}
