using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.IntegrationTests.Security;

/// <summary>
/// No file outside an automation's folders can be read through it: links in and as inboxes, folder settings that
/// lead out of the allowed roots or into the portal's own data, originals swapped for links, pipes.
/// </summary>
public sealed class HostileFileTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>, IDisposable
{
    private readonly string _outside = Directory.CreateTempSubdirectory("portal-outside-").FullName;

    private static object Folders(string name) => new { inboxPath = $"{name}/inbox", outboxPath = $"{name}/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 };

    [Fact]
    public async Task ALinkInTheInboxIsQuarantinedUnreadAndWhatItPointsAtIsNeverServed()
    {
        var api = AutomationApi.For(portal);
        using (var browser = portal.CreateBrowserLikeClient())
        {
            // The sign-in page's antiforgery token makes the portal write its first Data Protection key.
            (await browser.GetAsync(new Uri("/Account/Login", UriKind.Relative))).Dispose();
        }

        var key = Directory.GetFiles(Path.Combine(portal.DataFolder, "keys")).First();
        var secret = await File.ReadAllBytesAsync(key);
        var inbox = Path.Combine(portal.DataFolder, "linked-file", "inbox");
        Directory.CreateDirectory(inbox);

        // The target's path padded with leading slashes to the target's own size, so a length check alone would pass.
        var padded = new string('/', secret.Length - key.Length + 1) + key.TrimStart('/');
        var link = Path.Combine(inbox, "key.xml");
        File.CreateSymbolicLink(link, padded);
        Assert.Equal(secret.Length, padded.Length);
        var id = (await InvoiceFiles.CreateAsync(api, "linked-file", Folders("linked-file"))).GetProperty("id").GetGuid();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");
        var item = Assert.Single(await InvoiceFiles.ItemsAsync(api, id));

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Equal("Quarantined", item.GetProperty("status").GetString());
        Assert.Equal(["not-a-file"], InvoiceFiles.Reasons(item));
        Assert.Contains("symbolic link", item.GetProperty("error").GetString(), StringComparison.Ordinal);
        var detail = await InvoiceFiles.DetailAsync(api, item.GetProperty("id").GetGuid());
        Assert.DoesNotContain(Convert.ToBase64String(secret)[..16], detail.GetRawText(), StringComparison.Ordinal);
        using var original = await api.Client.GetAsync(new Uri($"/api/work-items/{item.GetProperty("id").GetGuid()}/original", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, original.StatusCode);

        // The link itself was moved aside; the key it pointed at is where it was, unchanged.
        var quarantined = Path.Combine(portal.DataFolder, "linked-file", "quarantine", "key.xml");
        Assert.NotNull(new FileInfo(quarantined).LinkTarget);
        Assert.Equal(secret, await File.ReadAllBytesAsync(key));
    }

    [Fact]
    public async Task AnOriginalSwappedForALinkAfterItWasStoredIsNotServed()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "swapped", Folders("swapped"))).GetProperty("id").GetGuid();
        InvoiceFiles.Write(Path.Combine(portal.DataFolder, "swapped", "inbox"), "a.xml", InvoiceSamples.Create(701), InvoiceFormat.Ubl);
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var itemId = Assert.Single(await InvoiceFiles.ItemsAsync(api, id)).GetProperty("id").GetGuid();
        using (var served = await api.Client.GetAsync(new Uri($"/api/work-items/{itemId}/original", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        var archived = Path.Combine(portal.DataFolder, "swapped", "archive", "a.xml");
        File.Delete(archived);
        File.CreateSymbolicLink(archived, portal.DatabasePath);

        using var refused = await api.Client.GetAsync(new Uri($"/api/work-items/{itemId}/original", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task FolderSettingsThatLeadThroughALinkOutOfTheRootsOrIntoThePortalsOwnDataAreRefused()
    {
        var api = AutomationApi.For(portal);
        Directory.CreateDirectory(Path.Combine(portal.DataFolder, "escape"));
        Directory.CreateSymbolicLink(Path.Combine(portal.DataFolder, "escape", "inbox"), _outside);

        foreach (var (inbox, expected) in new[]
        {
            ("escape/inbox", "leads through a link"),
            ("keys", "own 'keys' folder"),
            ("keys/inbox", "own 'keys' folder"),
            (".", "own data folder"),
            (Path.GetDirectoryName(portal.DataFolder)!, "outside the folders"),
            ("in\nbox", "control characters"),
        })
        {
            using var response = await api.Client.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
            {
                kind = "invoice-intake",
                name = $"refused {Guid.NewGuid():N}",
                schedule = "0 0 3 1 1 ?",
                settings = new { inboxPath = inbox, outboxPath = "refused/outbox", archivePath = "refused/archive", quarantinePath = "refused/quarantine" },
            });
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{inbox}: {(int)response.StatusCode}");
            var message = string.Join(" ", problem.GetProperty("errors").GetProperty("settings.inboxPath").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains(expected, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AFolderReplacedByALinkAfterItWasSavedFailsTheRunAndReadsNothing()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "later-link", Folders("later-link"))).GetProperty("id").GetGuid();
        var inbox = Path.Combine(portal.DataFolder, "later-link", "inbox");
        Directory.Delete(inbox, recursive: true);
        InvoiceFiles.Write(_outside, "outside.xml", InvoiceSamples.Create(702), InvoiceFormat.Ubl);
        Directory.CreateSymbolicLink(inbox, _outside);

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");

        Assert.Equal("Failed", run.GetProperty("status").GetString());
        Assert.Contains("leads through a link", (await api.RunAsync(run.GetProperty("id").GetGuid())).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(await InvoiceFiles.ItemsAsync(api, id));
        Assert.True(File.Exists(Path.Combine(_outside, "outside.xml")));
    }

    [Fact]
    public async Task APipeInTheInboxIsQuarantinedWithoutHangingTheRun()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("SKIPPED: named pipes are made with mkfifo, on Linux.");
        }

        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "piped", "inbox");
        Directory.CreateDirectory(inbox);
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [Path.Combine(inbox, "pipe.xml")]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.SetLastWriteTimeUtc(Path.Combine(inbox, "pipe.xml"), DateTime.UtcNow.AddMinutes(-1));
        InvoiceFiles.Write(inbox, "good.xml", InvoiceSamples.Create(703), InvoiceFormat.Ubl);
        var id = (await InvoiceFiles.CreateAsync(api, "piped", Folders("piped"))).GetProperty("id").GetGuid();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id), TimeSpan.FromSeconds(20))).GetProperty("run");
        var items = await InvoiceFiles.ItemsAsync(api, id);

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Contains(items, i => i.GetProperty("status").GetString() == "Done");
        var pipe = Assert.Single(items, i => i.GetProperty("status").GetString() == "Quarantined");
        Assert.Contains("not a plain file", pipe.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_outside, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
