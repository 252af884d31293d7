using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>A portal for the queue's tests: no demo data, and webhook calls that give up within seconds.</summary>
public class EscalationPortalFixture : PortalAppFactory
{
    public EscalationPortalFixture()
        : base(null, demo: false)
    {
        Settings["Portal:Webhooks:Retries"] = "1";
        Settings["Portal:Webhooks:BackoffMilliseconds"] = "50";
        Settings["Portal:Webhooks:BreakSeconds"] = "1";
        Settings["Portal:Webhooks:TimeoutSeconds"] = "5";
    }
}

/// <summary>The same portal with its clock in the test's hand: time moves only when the test advances it.</summary>
public sealed class ClockedPortalFixture : EscalationPortalFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>A person with a portal account, signed in through the real sign-in form; their client carries the cookie.</summary>
internal sealed record Person(Guid Id, string Email, HttpClient Client) : IDisposable
{
    public const string Password = "a long enough password for tests";

    /// <summary>Creates a user with the role through the admin API and signs them in.</summary>
    public static async Task<Person> CreateAsync(PortalAppFactory portal, string role, string name)
    {
        var (id, email) = await AccountAsync(portal, role, name);
        return await SignInAsync(portal, id, email);
    }

    /// <summary>A signed-in user whose role was taken away: an account, but no portal role.</summary>
    public static async Task<Person> RolelessAsync(PortalAppFactory portal, string name)
    {
        var (id, email) = await AccountAsync(portal, Roles.Agent, name);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var user = await users.FindByIdAsync(id.ToString());
            Assert.True((await users.RemoveFromRoleAsync(user!, Roles.Agent)).Succeeded);
        }

        return await SignInAsync(portal, id, email);
    }

    /// <summary>Creates a user with the role through the admin API: their id and email.</summary>
    public static async Task<(Guid Id, string Email)> AccountAsync(PortalAppFactory portal, string role, string name)
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var email = $"{name}-{Guid.NewGuid().ToString("N")[..6]}@portal.test";
        var (status, created) = await Http.PostAsync(admin, "/api/admin/users", new { email, role, password = Password });
        Assert.True(status == HttpStatusCode.Created, $"Creating {email}: {status} {created}");
        return (created.GetProperty("user").GetProperty("id").GetGuid(), email);
    }

    /// <summary>Deactivates the user through the admin API.</summary>
    public static async Task DeactivateAsync(PortalAppFactory portal, Guid id, string email)
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var listed = await Http.GetOkAsync(admin, $"/api/admin/users?search={Uri.EscapeDataString(email)}");
        var version = listed.GetProperty("items")[0].GetProperty("version").GetInt64();
        var deactivated = await Http.PostOkAsync(admin, $"/api/admin/users/{id}/deactivate", new { version });
        Assert.Equal("Deactivated", deactivated.GetProperty("status").GetString());
    }

    public static async Task<Person> SignInAsync(PortalAppFactory portal, Guid id, string email)
    {
        var client = portal.CreateBrowserLikeClient();
        using var signIn = await PortalAppFactory.SignInAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("/Account/", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        return new Person(id, email, client);
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>Calls of the API as plain HTTP: the status and the JSON body (default when there is none).</summary>
internal static class Http
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, object? body = null)
    {
        using var response = body is null
            ? await client.PostAsync(new Uri(path, UriKind.Relative), null)
            : await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        return (response.StatusCode, await BodyAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PutAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PutAsJsonAsync(new Uri(path, UriKind.Relative), body);
        return (response.StatusCode, await BodyAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await BodyAsync(response));
    }

    /// <summary>A GET that must succeed.</summary>
    public static async Task<JsonElement> GetOkAsync(HttpClient client, string path)
    {
        var (status, body) = await GetAsync(client, path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path}: {(int)status} {body}");
        return body;
    }

    /// <summary>A POST that must succeed.</summary>
    public static async Task<JsonElement> PostOkAsync(HttpClient client, string path, object? body = null)
    {
        var (status, answer) = await PostAsync(client, path, body);
        Assert.True(status == HttpStatusCode.OK, $"POST {path}: {(int)status} {answer}");
        return answer;
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>The queue as a person sees it through the API.</summary>
internal static class Queue
{
    public static async Task<List<JsonElement>> ViewAsync(HttpClient client, string query) =>
        (await Http.GetOkAsync(client, $"/api/escalations?{query}")).GetProperty("items").EnumerateArray().ToList();

    public static async Task<int> TotalAsync(HttpClient client, string query) =>
        (await Http.GetOkAsync(client, $"/api/escalations?{query}")).GetProperty("total").GetInt32();

    public static async Task<JsonElement> DetailAsync(HttpClient client, Guid escalationId) =>
        await Http.GetOkAsync(client, $"/api/escalations/{escalationId}");

    public static async Task<List<string>> TimelineAsync(HttpClient client, Guid escalationId) =>
        (await DetailAsync(client, escalationId)).GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("type").GetString()!).ToList();

    public static Guid Id(JsonElement escalation) => escalation.GetProperty("id").GetGuid();

    public static string? Holder(JsonElement escalation) =>
        escalation.GetProperty("assignee") is { ValueKind: JsonValueKind.Object } assignee ? assignee.GetProperty("name").GetString() : null;

    public static string Status(JsonElement escalation) => escalation.GetProperty("status").GetString()!;

    /// <summary>The first error named for a field in a validation problem, or null.</summary>
    public static string? Error(JsonElement problem, string field) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var messages)
            ? messages[0].GetString()
            : null;
}

/// <summary>Invoice automations whose invoices come to the queue, read by a run before the test starts.</summary>
internal static class InvoiceQueue
{
    /// <summary>
    /// An invoice automation in Production, its schedule next year, whose every invoice waits for a person (review
    /// threshold 1): <paramref name="count"/> invoices numbered <c>{prefix}-{i}</c> are read by a run at once. Answers
    /// the automation and its escalations by invoice number.
    /// </summary>
    public static async Task<(Guid AutomationId, Dictionary<string, JsonElement> Escalations)> EscalatedAsync(PortalAppFactory portal, string name, int count, string? webhookUrl = null, int seed = 100)
    {
        var api = AutomationApi.For(portal);
        var id = await CreateAsync(portal.DataFolder, api.Client, name, count, new { inboxPath = $"{name}/inbox", outboxPath = $"{name}/outbox", webhookUrl, flagNewSuppliers = false, reviewThreshold = 1 }, seed);
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        return (id, await EscalationsAsync(api.Client, id, count));
    }

    /// <summary>An invoice automation whose invoices the automation approves itself (under the threshold), run once.</summary>
    public static async Task<(Guid AutomationId, List<JsonElement> Items)> AutoApprovedAsync(PortalAppFactory portal, string name, int count, string? webhookUrl, int seed = 500)
    {
        var api = AutomationApi.For(portal);
        var id = await CreateAsync(portal.DataFolder, api.Client, name, count, new { inboxPath = $"{name}/inbox", outboxPath = $"{name}/outbox", webhookUrl, flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 }, seed);
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = await InvoiceFiles.ItemsAsync(api, id);
        Assert.Equal(count, items.Count);
        Assert.All(items, i => Assert.Equal("Done", i.GetProperty("status").GetString()));
        return (id, items);
    }

    /// <summary>Writes the invoices and creates the automation through the API of <paramref name="admin"/>.</summary>
    public static async Task<Guid> CreateAsync(string dataFolder, HttpClient admin, string name, int count, object settings, int seed = 100)
    {
        var inbox = Path.Combine(dataFolder, name, "inbox");
        for (var i = 0; i < count; i++)
        {
            InvoiceFiles.Write(inbox, $"{name}-{i}.xml", InvoiceSamples.Create(seed + (7 * i)) with { Number = $"{name.ToUpperInvariant()}-{i}" }, InvoiceFormat.Ubl);
        }

        var (status, created) = await Http.PostAsync(admin, "api/automations", new { kind = "invoice-intake", name, schedule = "0 0 3 1 1 ?", state = "Production", settings });
        Assert.True(status == HttpStatusCode.Created, $"Create {name}: {(int)status} {created}");
        return created.GetProperty("id").GetGuid();
    }

    public static async Task<Dictionary<string, JsonElement>> EscalationsAsync(HttpClient client, Guid automationId, int count)
    {
        var escalations = await Queue.ViewAsync(client, $"automationId={automationId}&pageSize=200");
        Assert.Equal(count, escalations.Count);
        return escalations.ToDictionary(e => e.GetProperty("reference").GetString()!, e => e);
    }

    public static string Outbox(string dataFolder, string name) => Path.Combine(dataFolder, name, "outbox");

    /// <summary>The export lines of an invoice, by its number, across the automation's export files.</summary>
    public static List<string[]> LinesOf(string outbox, string invoiceNumber) =>
        InvoiceFiles.ExportLines(outbox).Select(l => l.Split(',')).Where(c => c[2].Trim('"') == invoiceNumber).ToList();
}
