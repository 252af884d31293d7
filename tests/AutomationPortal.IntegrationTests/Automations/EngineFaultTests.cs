using System.Security.Cryptography;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using Microsoft.Data.Sqlite;

namespace AutomationPortal.IntegrationTests.Automations;

/// <summary>Files and records stay in step after faults: a vanished source, an item cut off after its effect.</summary>
public sealed class EngineFaultTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    [Fact]
    public async Task AnInboxThatIsGoneFailsTheRunWithTheReasonInsteadOfReadingNothing()
    {
        var api = AutomationApi.For(portal);
        var id = (await api.CreateAsync("gone")).GetProperty("id").GetGuid();
        Directory.Delete(Path.Combine(portal.DataFolder, "gone", "inbox"), recursive: true);

        var run = await api.WaitForRunAsync(await api.RunNowAsync(id));

        Assert.Equal("Failed", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains("does not exist", run.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(portal.DataFolder, "gone", "inbox")), "The folder is not quietly made again.");
    }

    [Fact]
    public async Task AnItemWhoseWebhookWentOutBeforeACrashKeepsTheIdTheReceiverWasGiven()
    {
        var api = AutomationApi.For(portal);
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        var id = (await InvoiceFiles.CreateAsync(api, "kept-id", new { inboxPath = "kept-id/inbox", outboxPath = "kept-id/outbox", webhookUrl = receiver.Url, flagNewSuppliers = false, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();
        var bytes = InvoiceWriter.Write(InvoiceSamples.Create(950), InvoiceFormat.Ubl);
        var key = $"{id:N}:{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        var posted = Guid.CreateVersion7();

        // What a crash leaves: a run marked interrupted at the next start, its post in the ledger (recorded the moment
        // it succeeds), and no item.
        var cutOff = await api.WaitForRunAsync(await api.RunNowAsync(id));
        var runId = cutOff.GetProperty("run").GetProperty("id").GetGuid();
        await using (var connection = new SqliteConnection(portal.ConnectionString))
        {
            await connection.OpenAsync();
            await using var interrupted = connection.CreateCommand();
            interrupted.CommandText = "UPDATE \"AutomationRuns\" SET \"Status\" = 'Cancelled', \"Error\" = 'Interrupted' WHERE \"Id\" = $run";
            interrupted.Parameters.AddWithValue("$run", runId.ToString().ToUpperInvariant());
            Assert.Equal(1, await interrupted.ExecuteNonQueryAsync());
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO "Effects" ("Id", "AutomationId", "RunId", "WorkItemId", "Type", "IdempotencyKey", "Target", "Detail", "At", "Status")
                VALUES ($id, $a, $run, $item, 'webhook-post', $key, $target, 'HTTP 200', '2026-12-01 08:00:00', 'Applied')
                """;
            insert.Parameters.AddWithValue("$id", Guid.CreateVersion7().ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$a", id.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$run", runId.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$item", posted.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$key", key + ":webhook");
            insert.Parameters.AddWithValue("$target", receiver.Url);
            await insert.ExecuteNonQueryAsync();
        }

        InvoiceFiles.WriteBytes(Path.Combine(portal.DataFolder, "kept-id", "inbox"), "cut-off.xml", bytes);
        await api.WaitForRunAsync(await api.RunNowAsync(id));

        var item = Assert.Single(await InvoiceFiles.ItemsAsync(api, id));
        Assert.Equal(posted, item.GetProperty("id").GetGuid());
        Assert.Equal("Done", item.GetProperty("status").GetString());
        Assert.Equal(0, receiver.Received);
        Assert.Contains(posted.ToString(), InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, "kept-id", "outbox")).Single(), StringComparison.OrdinalIgnoreCase);
    }
}
