using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AutomationPortal.TestSupport;
using Microsoft.AspNetCore.TestHost;

namespace AutomationPortal.IntegrationTests.Kinds.ExpenseReports;

/// <summary>
/// A kind added as docs/automation-kinds.md "Adding a kind" says: this folder and one registration line
/// (<c>AddExpenseReports()</c>), nothing else. It runs end to end through the engine, the generic upload endpoint,
/// the work-item API and the work-item page.
/// </summary>
public sealed class ExpenseReportKindTests : IAsyncLifetime
{
    private readonly PortalAppFactory _portal = new(null, demo: true);
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _withKind = default!;

    public ValueTask InitializeAsync()
    {
        _withKind = _portal.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddExpenseReports()));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _withKind.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task AKindOfItsOwnFolderRunsThroughTheEngineTheUploadsTheApiAndThePages()
    {
        using var admin = _withKind.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        admin.DefaultRequestHeaders.Add("X-Api-Key", PortalAppFactory.BootstrapApiKey);

        var kinds = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/automation-kinds", UriKind.Relative));
        Assert.Contains(kinds.EnumerateArray(), k => k.GetProperty("key").GetString() == ExpenseReportKind.KindKey);
        using var created = await admin.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
        {
            kind = ExpenseReportKind.KindKey,
            name = "Travel expenses",
            schedule = "0 0 3 1 1 ?",
            state = "Production",
            settings = new { inboxPath = "expenses/inbox", approvalLimit = 250 },
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var form = new MultipartFormDataContent
        {
            { Json("""{"number":"R-1","employee":"Alex Agent","amount":84.20,"currency":"EUR","purpose":"Train to Lyon"}"""), "files", "r-1.json" },
            { Json("""{"number":"R-2","employee":"Morgan Manager","amount":912.00,"currency":"EUR","purpose":"Conference"}"""), "files", "r-2.json" },
            { Json("this is no report"), "files", "scribble.json" },
        };
        using var upload = await admin.PostAsync(new Uri($"/api/automations/{id}/items", UriKind.Relative), form);
        var answer = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.OK, answer);
        var files = JsonDocument.Parse(answer).RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(["Done", "Escalated", "Quarantined"], files.Select(f => f.GetProperty("status").GetString()));

        var items = (await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items?automationId={id}", UriKind.Relative))).GetProperty("items").EnumerateArray().ToList();
        var approved = items.Single(i => i.GetProperty("reference").GetString() == "R-1");
        // The API carries the kind's own field names, and no other kind's.
        Assert.Equal("Alex Agent", approved.GetProperty("employee").GetString());
        Assert.False(approved.TryGetProperty("invoiceNumber", out _));
        var detail = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items/{approved.GetProperty("id").GetGuid()}", UriKind.Relative));
        Assert.Equal("reimbursement", Assert.Single(detail.GetProperty("effects").EnumerateArray()).GetProperty("type").GetString());

        // The generic pages render what the kind declares: its title, its item view, its reasons and verbs.
        using var agent = _withKind.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await PortalAppFactory.SignInAsync(agent, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        var page = WebUtility.HtmlDecode(await agent.GetStringAsync(new Uri($"/work-items/{approved.GetProperty("id").GetGuid()}", UriKind.Relative)));
        Assert.Contains("Expense report R-1", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"expense-report\"", page, StringComparison.Ordinal);
        Assert.Contains("Alex Agent spent 84.20 EUR", page, StringComparison.Ordinal);
        Assert.Contains("Approved and reimbursed.", page, StringComparison.Ordinal);
        var escalated = items.Single(i => i.GetProperty("reference").GetString() == "R-2");
        var escalatedPage = WebUtility.HtmlDecode(await agent.GetStringAsync(new Uri($"/work-items/{escalated.GetProperty("id").GetGuid()}", UriKind.Relative)));
        Assert.Contains("Handed to a person: Above the approval limit of 250.00", escalatedPage, StringComparison.Ordinal);
        var run = WebUtility.HtmlDecode(await agent.GetStringAsync(new Uri($"/runs/{approved.GetProperty("runId").GetGuid()}", UriKind.Relative)));
        Assert.Contains("Reimbursed", run, StringComparison.Ordinal);
        Assert.DoesNotContain("Posted", run, StringComparison.Ordinal);
        var automation = WebUtility.HtmlDecode(await agent.GetStringAsync(new Uri($"/automations/{id}", UriKind.Relative)));
        Assert.Contains("Upload expense reports", automation, StringComparison.Ordinal);
    }

    private static ByteArrayContent Json(string text) => new(Encoding.UTF8.GetBytes(text));
}
