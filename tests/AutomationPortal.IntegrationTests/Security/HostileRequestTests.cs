using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.IntegrationTests.Security;

/// <summary>Requests no person would send answer a 4xx that says what is wrong, never a 500.</summary>
public sealed class HostileRequestTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    [Theory]
    [InlineData("/api/work-items?page=2147483647&pageSize=500")]
    [InlineData("/api/work-items?page=5000000&pageSize=500")]
    public async Task APageBeyondAnyListIsRefusedNamingTheField(string path)
    {
        var api = AutomationApi.For(portal);

        using var response = await api.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("page", out _));
    }

    [Fact]
    public async Task RunsOfAnUnknownAutomationAndAnUnknownAlertAreNotFound()
    {
        var api = AutomationApi.For(portal);

        using var runs = await api.Client.GetAsync(new Uri($"/api/automations/{Guid.NewGuid()}/runs", UriKind.Relative));
        using var runsPaged = await api.Client.GetAsync(new Uri($"/api/automations/{Guid.NewGuid()}/runs?page=2147483647", UriKind.Relative));
        using var alert = await api.Client.PostAsync(new Uri($"/api/alerts/{Guid.NewGuid()}/acknowledge", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, runs.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, runsPaged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, alert.StatusCode);
        Assert.Equal("application/problem+json", alert.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MoreThan1024FilesInOneRequestAreRefusedNamingTheField()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "many-files", new { inboxPath = "many-files/inbox", outboxPath = "many-files/outbox" })).GetProperty("id").GetGuid();
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 1025; i++)
        {
            form.Add(new ByteArrayContent([(byte)'x']), "files", $"f{i}.xml");
        }

        using var response = await api.Client.PostAsync(new Uri($"/api/automations/{id}/items", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("files", out _));
        Assert.Empty(Directory.GetFiles(Path.Combine(portal.DataFolder, "many-files", "uploads")));
    }

    [Fact]
    public async Task AnInvoicesLinesComeAPageAtATimeSoNoAnswerGrowsWithTheDocument()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "long-lines", new { inboxPath = "long-lines/inbox", outboxPath = "long-lines/outbox", flagNewSuppliers = false, reviewThreshold = 1_000_000_000 })).GetProperty("id").GetGuid();
        var sample = InvoiceSamples.Create(960);
        var invoice = sample with { Lines = Enumerable.Range(1, 450).Select(i => sample.Lines[0] with { Id = $"L{i}" }).ToList() };
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(InvoiceWriter.Write(invoice, InvoiceFormat.Ubl)), "files", "long.xml");
        using var upload = await api.Client.PostAsync(new Uri($"/api/automations/{id}/items", UriKind.Relative), form);
        var itemId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("files")[0].GetProperty("workItemId").GetGuid();

        var first = Payload(await InvoiceFiles.DetailAsync(api, itemId));
        var last = Payload(await api.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/work-items/{itemId}?linesFrom=400", UriKind.Relative)));

        Assert.Equal(200, first.GetProperty("invoice").GetProperty("lines").GetArrayLength());
        Assert.Equal(450, first.GetProperty("linesTotal").GetInt32());
        Assert.Equal(50, last.GetProperty("linesShown").GetInt32());
        Assert.Equal("L401", last.GetProperty("invoice").GetProperty("lines")[0].GetProperty("id").GetString());
    }

    private static JsonElement Payload(JsonElement detail) => JsonDocument.Parse(detail.GetProperty("payload").GetString()!).RootElement;

    [Fact]
    public async Task AFileNamedIn150CjkCharactersIsTakenUnderAShortenedNameThatKeepsItsExtension()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "cjk", new { inboxPath = "cjk/inbox", outboxPath = "cjk/outbox", flagNewSuppliers = false, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();
        var name = new string('請', 150) + ".xml";
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(InvoiceWriter.Write(InvoiceSamples.Create(901), InvoiceFormat.Ubl)), "files", name);

        using var response = await api.Client.PostAsync(new Uri($"/api/automations/{id}/items", UriKind.Relative), form);
        var file = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("files").EnumerateArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Done", file.GetProperty("status").GetString());
        var stored = Path.GetFileName(Assert.Single(Directory.GetFiles(Path.Combine(portal.DataFolder, "cjk", "archive"))));
        Assert.EndsWith(".xml", stored, StringComparison.Ordinal);
        Assert.StartsWith("請請請", stored, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(stored) <= 255);
    }
}
