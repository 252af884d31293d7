using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// Firing lateness: how long after its scheduled time each run starts (its record's StartedAt − ScheduledFor), for
/// automations firing every second on the real portal (Quartz with the SQLite job store), against the lateness of
/// a plain .NET timer waiting for the same whole seconds in the same process at the same time.
/// </summary>
internal static class FiringLateness
{
    public static async Task RunAsync(int automations, int seconds)
    {
        await using var portal = new PortalAppFactory(null, demo: false);
        using var client = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var ids = new List<Guid>();
        for (var i = 0; i < automations; i++)
        {
            using var response = await client.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
            {
                kind = "sample-inbox",
                name = $"every second {i}",
                schedule = "* * * * * ?",
                state = "Production",
                settings = new { inboxPath = $"late{i}/inbox", outboxPath = $"late{i}/outbox", settleSeconds = 0 },
            });
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        var start = DateTime.UtcNow;
        var timer = new List<double>();
        var target = new DateTime(start.Ticks - (start.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc).AddSeconds(1);
        for (var i = 0; i < seconds; i++, target = target.AddSeconds(1))
        {
            var wait = target - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            timer.Add((DateTime.UtcNow - target).TotalMilliseconds);
        }

        foreach (var id in ids)
        {
            await client.PostAsync(new Uri($"/api/automations/{id}/pause", UriKind.Relative), null);
        }

        var fired = new List<double>();
        var skipped = 0;
        foreach (var id in ids)
        {
            var runs = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/automations/{id}/runs?pageSize=500", UriKind.Relative));
            foreach (var run in runs.GetProperty("items").EnumerateArray())
            {
                if (run.GetProperty("skipReason").ValueKind != JsonValueKind.Null)
                {
                    skipped++;
                    continue;
                }

                var detail = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/runs/{run.GetProperty("id").GetGuid()}", UriKind.Relative));
                if (detail.GetProperty("latenessMs").ValueKind == JsonValueKind.Number && detail.GetProperty("scheduledFor").GetDateTime() >= start)
                {
                    fired.Add(detail.GetProperty("latenessMs").GetDouble());
                }
            }
        }

        Console.WriteLine($"Firing lateness, {automations} automations firing every second for {seconds} s ({fired.Count} runs, {skipped} skipped fires); baseline: a .NET timer in the same process ({timer.Count} waits).");
        Console.WriteLine();
        Console.WriteLine("| Measure | p50 | p95 | max | p95 ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine($"| .NET timer, same seconds (baseline) | {Percentiles.Ms(timer, 50)} | {Percentiles.Ms(timer, 95)} | {Percentiles.Ms(timer, 100)} | 1.00 |");
        Console.WriteLine($"| Quartz fire → run started | {Percentiles.Ms(fired, 50)} | {Percentiles.Ms(fired, 95)} | {Percentiles.Ms(fired, 100)} | {Percentiles.Of(fired, 95) / Math.Max(Percentiles.Of(timer, 95), 0.001):0.0} |");
    }

}
