using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

/// <summary>The hostile-input corpus through the third intake path: the upload page, as a person picks the files.</summary>
public sealed class HostileUploadTests(LivePortal portal) : IClassFixture<LivePortal>
{
    [Fact]
    public async Task EveryHostileFileUploadedOnThePageGetsItsExpectedOutcome()
    {
        using var http = portal.ApiClient();
        var id = await LivePortal.CreateAutomationAsync(http, new
        {
            kind = "invoice-intake",
            name = "Hostile uploads",
            schedule = "0 0 3 1 1 ?",
            state = "Production",
            settings = HostileCorpus.Settings("corpus-page"),
        });
        var corpus = HostileCorpus.Files(5400).Append(HostileCorpus.Oversize()).ToList();
        var page = await portal.NewPageAsync(1400, 1000);
        await LivePortal.SignInAsync(page, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        await page.GotoAsync($"automations/{id}");
        await LivePortal.WaitForCircuitAsync(page);
        await page.ClickAsync("[data-testid=upload-files]");

        await page.Locator("[data-testid=upload-input] input[type=file], .mud-dialog input[type=file]").First.SetInputFilesAsync(
            corpus.Select(f => new FilePayload { Name = f.FileName, MimeType = "application/octet-stream", Buffer = f.Content }));

        var results = page.Locator("[data-testid=upload-results]");
        await Assertions.Expect(results.Locator("tbody tr")).ToHaveCountAsync(corpus.Count - 1, new LocatorAssertionsToHaveCountOptions { Timeout = 60_000 });
        // The file above the limit is not even sent, and the page says why.
        await Assertions.Expect(page.Locator("[data-testid=upload-refused]")).ToContainTextAsync("oversize.xml");
        await Assertions.Expect(page.Locator("[data-testid=upload-refused]")).ToContainTextAsync("limit");
        await LivePortal.ScreenshotAsync(page, "upload-hostile-corpus", fullPage: true);
        await page.Context.CloseAsync();

        var items = (await http.GetFromJsonAsync<JsonElement>(new Uri($"api/work-items?automationId={id}&pageSize=500", UriKind.Relative)))
            .GetProperty("items").EnumerateArray().ToList();
        var problems = new List<string>();
        foreach (var file in corpus.Where(f => f.FileName != HostileCorpus.Oversize().FileName))
        {
            var matches = items.Where(i => i.GetProperty("fileName").GetString() == StoredName(file.FileName)).ToList();
            if (matches.Count != 1)
            {
                problems.Add($"{file.Label}: {matches.Count} work items named {StoredName(file.FileName)}");
                continue;
            }

            var item = matches[0];
            var problem = HostileCorpus.Judge(file, item.GetProperty("status").GetString(),
                item.GetProperty("reasonCodes").EnumerateArray().Select(r => r.GetString()!).ToList(),
                item.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null);
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal(corpus.Count - 1, items.Count);
        Assert.DoesNotContain(items, i => i.GetRawText().Contains("root:x:0", StringComparison.Ordinal));
    }

    /// <summary>The name a file is kept under: as given, but shortened to fit a file system and without characters that mislead.</summary>
    private static string StoredName(string name) => AutomationPortal.Web.Infrastructure.Files.FileNames.Safe(name);
}
