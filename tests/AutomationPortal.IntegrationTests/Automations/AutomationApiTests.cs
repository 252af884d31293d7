using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Automations;

public sealed class AutomationApiTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task SettingsNotGivenTakeTheirDefaults()
    {
        var api = AutomationApi.For(portal);

        var created = await api.CreateAsync("defaults", settings: new { inboxPath = "defaults/in" });

        var settings = created.GetProperty("settings");
        Assert.Equal("defaults/in", settings.GetProperty("inboxPath").GetString());
        Assert.Equal("sample/outbox", settings.GetProperty("outboxPath").GetString());
        Assert.Equal(1000m, settings.GetProperty("escalateAbove").GetDecimal());
        Assert.Equal(1, created.GetProperty("settingsVersion").GetInt32());
        Assert.Equal("Every day at 03:00", (await api.CreateAsync("described", schedule: "0 0 3 * * ?")).GetProperty("scheduleDescription").GetString());
    }

    [Fact]
    public async Task InvalidInputGetsAProblemThatNamesEachBadField()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var response = await admin.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
        {
            kind = "sample-inbox",
            name = "",
            schedule = "every day",
            timeZone = "Mars/Olympus",
            settings = new { escalateAbove = -5, inboxPath = "/etc", delayMs = 999999 },
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        foreach (var field in new[] { "name", "schedule", "timeZone", "settings.escalateAbove", "settings.inboxPath", "settings.delayMs" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} is named in {errors}");
        }

        Assert.Contains("Portal:Files:AllowedRoots", errors.GetProperty("settings.inboxPath")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownSettingOrKindIsRefused()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);

        using var unknownSetting = await admin.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new { kind = "sample-inbox", name = "x1", schedule = "0 0 3 * * ?", settings = new { nope = 1 } });
        using var unknownKind = await admin.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new { kind = "teleport", name = "x2", schedule = "0 0 3 * * ?" });

        Assert.Equal(HttpStatusCode.BadRequest, unknownSetting.StatusCode);
        Assert.True((await unknownSetting.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("settings.nope", out _));
        Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);
        Assert.Contains("sample-inbox", await unknownKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangingSettingsRaisesTheirVersionAndAStaleVersionIsRefused()
    {
        var api = AutomationApi.For(portal);
        var created = await api.CreateAsync("versioned");
        var id = created.GetProperty("id").GetGuid();
        var version = created.GetProperty("version").GetInt64();

        var changed = await (await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { settings = new { inboxPath = "versioned/inbox", escalateAbove = 5 }, version }))
            .Content.ReadFromJsonAsync<JsonElement>();
        using var stale = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { name = "renamed", version });

        Assert.Equal(2, changed.GetProperty("settingsVersion").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("changed by someone else", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangeWithoutTheVersionItWasMadeOnIsRefusedNamingTheField()
    {
        var api = AutomationApi.For(portal);
        var id = (await api.CreateAsync("unversioned")).GetProperty("id").GetGuid();

        using var put = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { name = "renamed" });

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.True((await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("version", out _));
        Assert.Equal("unversioned", (await api.GetAsync(id)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task ConcurrentChangesAnswerOkOrConflictWithProblemDetailsNeverAServerError()
    {
        var api = AutomationApi.For(portal);
        var created = await api.CreateAsync("contended");
        var id = created.GetProperty("id").GetGuid();
        var version = created.GetProperty("version").GetInt64();

        var puts = Enumerable.Range(0, 10).Select(async i =>
        {
            using var put = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { guardrails = new { failureRateWindow = 30 + i }, version });
            return (put.StatusCode, put.Content.Headers.ContentType?.MediaType, Body: await put.Content.ReadAsStringAsync());
        });
        var toggles = Enumerable.Range(0, 20).Select(async i =>
        {
            using var call = await api.Client.PostAsync(new Uri($"/api/automations/{id}/{(i % 2 == 0 ? "pause" : "resume")}", UriKind.Relative), null);
            return (call.StatusCode, call.Content.Headers.ContentType?.MediaType, Body: await call.Content.ReadAsStringAsync());
        });
        // Ten edits of the same version: one wins, the rest are told why. Then pause and resume, twenty at once: each
        // is an intent, not an edit of something read, so each simply holds.
        var edits = await Task.WhenAll(puts);
        var switches = await Task.WhenAll(toggles);

        Assert.Single(edits, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(edits.Where(a => a.StatusCode != HttpStatusCode.OK), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.StatusCode);
            Assert.Equal("application/problem+json", a.MediaType);
            Assert.Contains("changed by someone else", a.Body, StringComparison.Ordinal);
        });
        Assert.All(switches, a => Assert.True(a.StatusCode == HttpStatusCode.OK, $"{(int)a.StatusCode} {a.Body}"));
    }

    [Fact]
    public async Task AgentsReadAutomationsButChangeNothing()
    {
        var api = AutomationApi.For(portal);
        var id = (await api.CreateAsync("guarded")).GetProperty("id").GetGuid();
        var agentKey = (await api.PostAsync("/api/admin/api-keys", new { name = "agent for automations", role = "Agent" })).GetProperty("key").GetString()!;
        using var agent = portal.CreateApiClient(agentKey);

        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync(new Uri("/api/automations", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync(new Uri($"/api/automations/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync(new Uri("/api/work-items", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new { kind = "sample-inbox", name = "mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { name = "mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync(new Uri($"/api/automations/{id}/pause", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync(new Uri($"/api/automations/{id}/runs", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync(new Uri("/api/automations/pause-all", UriKind.Relative), null)).StatusCode);
    }

    [Fact]
    public async Task PauseAllAndResumeAllRestoreEachStateAndAreAudited()
    {
        var api = AutomationApi.For(portal);
        var pilot = (await api.CreateAsync("all-pilot", state: "Pilot")).GetProperty("id").GetGuid();
        var shadow = (await api.CreateAsync("all-shadow", state: "Shadow")).GetProperty("id").GetGuid();
        var draft = (await api.CreateAsync("all-draft", state: "Draft")).GetProperty("id").GetGuid();

        await api.PostAsync("/api/automations/pause-all");
        Assert.Equal("Paused", (await api.GetAsync(pilot)).GetProperty("state").GetString());
        Assert.Equal("Paused", (await api.GetAsync(shadow)).GetProperty("state").GetString());
        Assert.Equal("Draft", (await api.GetAsync(draft)).GetProperty("state").GetString());
        await api.PostAsync("/api/automations/resume-all");

        Assert.Equal("Pilot", (await api.GetAsync(pilot)).GetProperty("state").GetString());
        Assert.Equal("Shadow", (await api.GetAsync(shadow)).GetProperty("state").GetString());
        var audit = await api.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/audit?entityType=Automation&text=all-pilot", UriKind.Relative));
        var summaries = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("summary").GetString()).ToList();
        Assert.Contains("Automation 'all-pilot' is now Paused by Pause all", summaries);
        Assert.Contains("Automation 'all-pilot' is now Pilot", summaries);
        Assert.Contains("Automation 'all-pilot' created", summaries);
        Assert.DoesNotContain(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("entityType").GetString() == "Guardrails");
    }

    [Fact]
    public async Task AGuardrailChangeIsAuditedAsAChangeOfItsAutomation()
    {
        var api = AutomationApi.For(portal);
        var created = await api.CreateAsync("guardrail-audit");
        var id = created.GetProperty("id").GetGuid();

        using var put = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative),
            new { guardrails = new { maxFailureRate = 0.2 }, version = created.GetProperty("version").GetInt64() });
        var audit = await api.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/audit?text=guardrail-audit", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True((await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64() > created.GetProperty("version").GetInt64());
        var change = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("summary").GetString()!.Contains("guardrails changed", StringComparison.Ordinal));
        Assert.Equal("Automation", change.GetProperty("entityType").GetString());
        Assert.Equal(id.ToString(), change.GetProperty("entityId").GetString());
        Assert.Contains("MaxFailureRate", change.GetProperty("changes").GetString(), StringComparison.Ordinal);
    }
}
