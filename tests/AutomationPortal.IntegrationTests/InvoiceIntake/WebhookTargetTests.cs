using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.IntegrationTests.InvoiceIntake;

/// <summary>A portal whose webhooks may not reach this machine or private networks.</summary>
public sealed class PublicOnlyWebhookFixture : PortalAppFactory
{
    public PublicOnlyWebhookFixture()
        : base(null, demo: false)
    {
        Settings["Portal:Webhooks:Retries"] = "0";
        Settings["Portal:Webhooks:AllowPrivateNetworks"] = "false";
    }
}

/// <summary>Webhooks go only where they are sent: no redirects, no metadata addresses, no credentials in addresses.</summary>
public sealed class WebhookTargetTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    [Fact]
    public async Task ARedirectIsAFailedPostWithItsReasonAndTheInvoiceIsNotPostedElsewhere()
    {
        var api = AutomationApi.For(portal);
        await using var elsewhere = new WebhookReceiver(ChildPortal.FreePort());
        using var redirecting = new HttpListener();
        var port = ChildPortal.FreePort();
        redirecting.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        redirecting.Start();
        var answering = Task.Run(async () =>
        {
            while (redirecting.IsListening)
            {
                try
                {
                    var context = await redirecting.GetContextAsync();
                    context.Response.StatusCode = 307;
                    context.Response.RedirectLocation = elsewhere.Url;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        InvoiceFiles.Write(Path.Combine(portal.DataFolder, "redirected", "inbox"), "r.xml", InvoiceSamples.Create(801), InvoiceFormat.Ubl);
        var id = (await InvoiceFiles.CreateAsync(api, "redirected", new { inboxPath = "redirected/inbox", outboxPath = "redirected/outbox", webhookUrl = $"http://127.0.0.1:{port}/hook/", flagNewSuppliers = false, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();

        await api.WaitForRunAsync(await api.RunNowAsync(id));
        redirecting.Stop();
        await answering;

        var item = Assert.Single(await InvoiceFiles.ItemsAsync(api, id));
        Assert.Equal("ActionFailed", item.GetProperty("status").GetString());
        Assert.Contains("redirects are not followed", item.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, elsewhere.Received);
    }

    [Fact]
    public async Task AWebhookSecretIsSentInItsHeaderStoredEncryptedAndNeverShown()
    {
        var api = AutomationApi.For(portal);
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        var created = await InvoiceFiles.CreateAsync(api, "secret-hook", new { inboxPath = "secret-hook/inbox", outboxPath = "secret-hook/outbox", webhookUrl = receiver.Url, webhookSecret = "Bearer s3cret-token-42", flagNewSuppliers = false, reviewThreshold = 1_000_000 });
        var id = created.GetProperty("id").GetGuid();

        Assert.Equal("••••••••", created.GetProperty("settings").GetProperty("webhookSecret").GetString());
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(portal.ConnectionString))
        {
            await connection.OpenAsync();
            await using var query = connection.CreateCommand();
            query.CommandText = "SELECT \"Settings\" FROM \"Automations\" WHERE \"Name\" = 'secret-hook'";
            var stored = (string)(await query.ExecuteScalarAsync())!;
            Assert.DoesNotContain("s3cret", stored, StringComparison.Ordinal);
            Assert.Contains("protected:", stored, StringComparison.Ordinal);
        }

        InvoiceFiles.Write(Path.Combine(portal.DataFolder, "secret-hook", "inbox"), "s1.xml", InvoiceSamples.Create(811), InvoiceFormat.Ubl);
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal("Bearer s3cret-token-42", receiver.LastAuthorization);

        // Settings sent back as shown (the secret masked) keep it; the audit log and the API never show it.
        var shown = await api.GetAsync(id);
        using var put = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { settings = shown.GetProperty("settings"), version = shown.GetProperty("version").GetInt64() });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        InvoiceFiles.Write(Path.Combine(portal.DataFolder, "secret-hook", "inbox"), "s2.xml", InvoiceSamples.Create(812), InvoiceFormat.Ubl);
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal("Bearer s3cret-token-42", receiver.LastAuthorization);
        var audit = await api.Client.GetStringAsync(new Uri("/api/admin/audit?text=secret-hook", UriKind.Relative));
        var everything = await api.Client.GetStringAsync(new Uri("/api/automations", UriKind.Relative)) + await api.Client.GetStringAsync(new Uri($"/api/automations/{id}", UriKind.Relative));
        Assert.DoesNotContain("s3cret", audit + everything, StringComparison.Ordinal);

        // Pointed at another host with the secret still masked: refused, or the secret would go to that host.
        var current = await api.GetAsync(id);
        var moved = System.Text.Json.Nodes.JsonNode.Parse(current.GetProperty("settings").GetRawText())!.AsObject();
        moved["webhookUrl"] = "http://127.0.0.2:9/hooks/";
        using var redirected = await api.Client.PutAsJsonAsync(new Uri($"/api/automations/{id}", UriKind.Relative), new { settings = moved, version = current.GetProperty("version").GetInt64() });
        Assert.Equal(HttpStatusCode.BadRequest, redirected.StatusCode);
        Assert.Contains("settings.webhookSecret", await redirected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://user:secret@127.0.0.1:9/hook", "credentials")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[fd00:ec2::254]/latest/", "metadata")]
    public async Task AWebhookAddressWithCredentialsOrAtAMetadataServiceIsRefusedWhenSaved(string url, string expected)
    {
        var api = AutomationApi.For(portal);
        using var response = await api.Client.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
        {
            kind = "invoice-intake",
            name = $"hook {Guid.NewGuid():N}",
            schedule = "0 0 3 1 1 ?",
            settings = new { inboxPath = "hooks/inbox", outboxPath = "hooks/outbox", webhookUrl = url },
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, problem.GetProperty("errors").GetProperty("settings.webhookUrl")[0].GetString(), StringComparison.Ordinal);
    }
}

public sealed class PublicOnlyWebhookTests(PublicOnlyWebhookFixture portal) : IClassFixture<PublicOnlyWebhookFixture>
{
    [Fact]
    public async Task WithPrivateNetworksSwitchedOffThePortalDoesNotEvenConnectToThisMachine()
    {
        var api = AutomationApi.For(portal);
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        InvoiceFiles.Write(Path.Combine(portal.DataFolder, "private", "inbox"), "p.xml", InvoiceSamples.Create(802), InvoiceFormat.Ubl);
        var id = (await InvoiceFiles.CreateAsync(api, "private", new { inboxPath = "private/inbox", outboxPath = "private/outbox", webhookUrl = receiver.Url, flagNewSuppliers = false, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();

        await api.WaitForRunAsync(await api.RunNowAsync(id));

        var item = Assert.Single(await InvoiceFiles.ItemsAsync(api, id));
        Assert.Equal("ActionFailed", item.GetProperty("status").GetString());
        Assert.Contains("AllowPrivateNetworks", item.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, receiver.Received);
    }
}
