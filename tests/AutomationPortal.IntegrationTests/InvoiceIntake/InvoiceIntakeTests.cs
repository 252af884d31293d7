using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.IntegrationTests.InvoiceIntake;

/// <summary>Invoice intake on the real scheduler, a real inbox folder and a webhook on 127.0.0.1.</summary>
public sealed class InvoiceIntakeTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    private const string Xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE Invoice [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
        <Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&secret;</ID></Invoice>
        """;

    [Fact]
    public async Task GoodInvoicesArePostedAndAHostileFileIsQuarantinedWithItsReason()
    {
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "e2e", "inbox");
        InvoiceFiles.Write(inbox, "a.xml", InvoiceSamples.Create(1), InvoiceFormat.Ubl);
        InvoiceFiles.Write(inbox, "b.xml", InvoiceSamples.Create(2), InvoiceFormat.Cii);
        InvoiceFiles.Write(inbox, "c.csv", InvoiceSamples.Create(3), InvoiceFormat.Csv);
        InvoiceFiles.Write(inbox, "d.json", InvoiceSamples.Create(4), InvoiceFormat.Json);
        InvoiceFiles.Write(inbox, "e-no-extension", InvoiceSamples.Create(5, InvoiceDocumentType.CreditNote), InvoiceFormat.Ubl);
        var formula = InvoiceSamples.Create(6) with { Supplier = new InvoiceParty("=HYPERLINK(\"http://evil.example\",\"x\")", "DE999999999", null, null) };
        InvoiceFiles.Write(inbox, "f.xml", formula, InvoiceFormat.Ubl);
        var wrong = InvoiceSamples.Create(9);
        InvoiceFiles.Write(inbox, "g.xml", wrong with { Totals = wrong.Totals with { Payable = wrong.Totals.Payable + 10m } }, InvoiceFormat.Ubl);
        InvoiceFiles.WriteBytes(inbox, "hostile.xml", Encoding.UTF8.GetBytes(Xxe));
        InvoiceFiles.WriteBytes(inbox, "scan.pdf", [0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0xff]);
        var id = (await InvoiceFiles.CreateAsync(api, "e2e", new { inboxPath = "e2e/inbox", outboxPath = "e2e/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");
        var items = await InvoiceFiles.ItemsAsync(api, id);

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        Assert.Equal(2, run.GetProperty("itemsQuarantined").GetInt32());
        Assert.Equal(9, items.Count);
        var done = items.Where(i => i.GetProperty("status").GetString() == "Done").ToList();
        Assert.Equal(6, done.Count);
        Assert.All(done, i => Assert.Equal("approve", i.GetProperty("decision").GetString()));
        var escalated = Assert.Single(items, i => i.GetProperty("status").GetString() == "Escalated");
        Assert.Contains("arithmetic:BR-CO-16", InvoiceFiles.Reasons(escalated));
        var quarantined = items.Where(i => i.GetProperty("status").GetString() == "Quarantined").ToList();
        Assert.Equal(2, quarantined.Count);
        // Each with the reader's own reason: the XXE file cannot be read, the PDF is no e-invoice.
        Assert.Equal(["unreadable"], InvoiceFiles.Reasons(Assert.Single(quarantined, i => i.GetProperty("fileName").GetString() == "hostile.xml")));
        Assert.Equal(["unknown-format"], InvoiceFiles.Reasons(Assert.Single(quarantined, i => i.GetProperty("fileName").GetString() == "scan.pdf")));

        // Invoice fields at the top level; a credit note counts as negative.
        var first = items.Single(i => i.GetProperty("invoiceNumber").GetString() == "INV-2026-00001");
        Assert.Equal("Invoice", first.GetProperty("documentType").GetString());
        Assert.Equal("EUR", first.GetProperty("currency").GetString());
        Assert.Equal(InvoiceSamples.Create(1).Supplier.Name, first.GetProperty("supplierName").GetString());
        Assert.Equal("vat:" + InvoiceSamples.Create(1).Supplier.VatId, first.GetProperty("supplierId").GetString());
        Assert.Equal(InvoiceSamples.Create(1).Totals.Payable, first.GetProperty("payableAmount").GetDecimal());
        var credit = items.Single(i => i.GetProperty("documentType").GetString() == "CreditNote");
        Assert.Equal(-InvoiceSamples.Create(5).Totals.Payable!.Value, credit.GetProperty("payableAmount").GetDecimal());

        // Files: the inbox is empty, good and escalated files are archived, bad ones quarantined with the reason beside them.
        Assert.Empty(Directory.GetFiles(inbox));
        Assert.Equal(7, Directory.GetFiles(Path.Combine(portal.DataFolder, "e2e", "archive")).Length);
        var quarantine = Path.Combine(portal.DataFolder, "e2e", "quarantine");
        Assert.True(File.Exists(Path.Combine(quarantine, "hostile.xml")));
        Assert.Contains("DTD", await File.ReadAllTextAsync(Path.Combine(quarantine, "hostile.xml.error.txt")), StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Path.Combine(quarantine, "scan.pdf.error.txt")));

        // One export for the run: a line per approved invoice, each in the ledger, formula cells neutralised.
        var outbox = Path.Combine(portal.DataFolder, "e2e", "outbox");
        var export = Assert.Single(Directory.GetFiles(outbox));
        Assert.EndsWith(".csv", export, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(export);
        Assert.StartsWith("workItemId,documentType,invoiceNumber", lines[0].TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Equal(6, lines.Length - 1);
        Assert.Contains(lines, l => l.Contains("\"'=HYPERLINK(", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(",=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("CreditNote", StringComparison.Ordinal) && l.Contains($",-{InvoiceSamples.Create(5).Totals.Payable!.Value:0.00}", StringComparison.Ordinal));
        foreach (var item in done)
        {
            var detail = await InvoiceFiles.DetailAsync(api, item.GetProperty("id").GetGuid());
            var effect = Assert.Single(detail.GetProperty("effects").EnumerateArray());
            Assert.Equal("export-line", effect.GetProperty("type").GetString());
            Assert.Equal("Applied", effect.GetProperty("status").GetString());
            Assert.Equal(export, effect.GetProperty("target").GetString());
        }

        // A second run finds nothing new and exports nothing again.
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Single(Directory.GetFiles(outbox));
    }

    [Fact]
    public async Task TheSharedRealInvoicesAreAllReadNoneQuarantined()
    {
        var samples = Path.GetFullPath(Path.Combine(AutomationPortal.TestSupport.PortalAppFactory.RepoRoot, "..", "shared", "samples", "invoices"));
        if (!Directory.Exists(samples))
        {
            Assert.Skip("SKIPPED: ../shared/samples/invoices is not beside the repository; the shared e-invoice samples are needed for this test.");
        }

        // Copied into a temporary inbox (the intake moves what it reads); the shared originals stay where they are.
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "real", "inbox");
        var files = Directory.GetFiles(Path.Combine(samples, "ubl"), "*.xml").Concat(Directory.GetFiles(Path.Combine(samples, "cii"), "*.xml"))
            .Where(f => new FileInfo(f).Length < 1_000_000).ToList();
        foreach (var file in files)
        {
            InvoiceFiles.WriteBytes(inbox, Path.GetFileName(file), await File.ReadAllBytesAsync(file));
        }

        var distinct = files.Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))).Distinct().Count();
        var id = (await InvoiceFiles.CreateAsync(api, "real", new { inboxPath = "real/inbox", outboxPath = "real/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000_000 })).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id), TimeSpan.FromSeconds(60));

        var items = await InvoiceFiles.ItemsAsync(api, id);
        Assert.True(files.Count >= 40, $"Only {files.Count} shared samples found.");
        Assert.Equal(distinct, items.Count);
        Assert.All(items, i => Assert.NotEqual("Quarantined", i.GetProperty("status").GetString()));
        Assert.All(items, i => Assert.False(string.IsNullOrEmpty(i.GetProperty("invoiceNumber").GetString())));
        Assert.Empty(Directory.GetFiles(inbox));
    }

    [Fact]
    public async Task AResentCopyChangesNothingAndRenumberedOrReformattedCopiesAreCaughtWithEvidence()
    {
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "copies", "inbox");
        var original = InvoiceSamples.Create(21);
        var bytes = InvoiceWriter.Write(original, InvoiceFormat.Ubl);
        InvoiceFiles.WriteBytes(inbox, "original.xml", bytes);
        var id = (await InvoiceFiles.CreateAsync(api, "copies", new { inboxPath = "copies/inbox", outboxPath = "copies/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var originalId = Assert.Single(await InvoiceFiles.ItemsAsync(api, id)).GetProperty("id").GetGuid();

        InvoiceFiles.WriteBytes(inbox, "a-resent.xml", bytes);
        InvoiceFiles.Write(inbox, "b-as-cii.xml", original, InvoiceFormat.Cii);
        InvoiceFiles.Write(inbox, "c-renumbered.xml", original with { Number = "INV-2026-R0021" }, InvoiceFormat.Ubl);
        InvoiceFiles.Write(inbox, "d-three-days-later.json", original with { Number = "INV-2026-L0021", IssueDate = original.IssueDate!.Value.AddDays(3) }, InvoiceFormat.Json);
        var second = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");

        Assert.Equal(1, second.GetProperty("itemsSkipped").GetInt32());
        var items = await InvoiceFiles.ItemsAsync(api, id);
        Assert.Equal(4, items.Count);
        var duplicate = items.Single(i => i.GetProperty("originalRef").GetString()!.EndsWith("b-as-cii.xml", StringComparison.Ordinal));
        Assert.Equal("Escalated", duplicate.GetProperty("status").GetString());
        Assert.Contains("duplicate", InvoiceFiles.Reasons(duplicate));
        Assert.Equal(originalId, Evidence(await InvoiceFiles.DetailAsync(api, duplicate.GetProperty("id").GetGuid()), "duplicate")[0]);

        var renumbered = items.Single(i => i.GetProperty("invoiceNumber").GetString() == "INV-2026-R0021");
        Assert.Equal(["possible-duplicate"], InvoiceFiles.Reasons(renumbered));
        Assert.Equal(originalId, Evidence(await InvoiceFiles.DetailAsync(api, renumbered.GetProperty("id").GetGuid()), "possible-duplicate")[0]);

        var later = items.Single(i => i.GetProperty("invoiceNumber").GetString() == "INV-2026-L0021");
        Assert.Equal(["possible-duplicate"], InvoiceFiles.Reasons(later));
        Assert.Contains(originalId, Evidence(await InvoiceFiles.DetailAsync(api, later.GetProperty("id").GetGuid()), "possible-duplicate"));

        // Found by number or by supplier; a search term is taken literally (no wildcards).
        var found = (await api.WorkItemsAsync(id, "&search=r0021")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("INV-2026-R0021", Assert.Single(found).GetProperty("invoiceNumber").GetString());
        Assert.Equal(4, (await api.WorkItemsAsync(id, "&search=" + Uri.EscapeDataString(original.Supplier.Name![..8]))).GetProperty("total").GetInt32());
        Assert.Equal(0, (await api.WorkItemsAsync(id, "&search=%25")).GetProperty("total").GetInt32());

        // Nothing is deleted: the resent copy is archived beside the original.
        Assert.Equal(5, Directory.GetFiles(Path.Combine(portal.DataFolder, "copies", "archive")).Length);
        Assert.Single(InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, "copies", "outbox")));
    }

    [Fact]
    public async Task NewSuppliersUnusualAmountsAndThresholdsAreEscalatedWithTheirEvidence()
    {
        var api = AutomationApi.For(portal);
        var inbox = Path.Combine(portal.DataFolder, "risk", "inbox");
        var supplier = new InvoiceParty("Risk Test Supplies Ltd", "GB000000042", null, null);
        for (var i = 0; i < 4; i++)
        {
            InvoiceFiles.Write(inbox, $"r{i}.xml", InvoiceSamples.Create(61 + i) with { Supplier = supplier, Number = $"RISK-{i}" }, InvoiceFormat.Ubl);
        }

        var id = (await InvoiceFiles.CreateAsync(api, "risk", new { inboxPath = "risk/inbox", outboxPath = "risk/outbox", reviewThreshold = 1_000_000, reviewThresholds = new Dictionary<string, decimal> { ["USD"] = 10 } })).GetProperty("id").GetGuid();
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var first = await InvoiceFiles.ItemsAsync(api, id);
        Assert.Equal(["new-supplier"], InvoiceFiles.Reasons(first.Single(i => i.GetProperty("invoiceNumber").GetString() == "RISK-0")));
        Assert.Equal(3, first.Count(i => i.GetProperty("status").GetString() == "Done"));

        var big = InvoiceSamples.Create(70) with { Supplier = supplier, Number = "RISK-BIG" };
        var scale = 50m;
        big = big with
        {
            Lines = big.Lines.Select(l => l with { Quantity = l.Quantity * scale, NetAmount = l.NetAmount * scale }).ToList(),
            AllowancesCharges = big.AllowancesCharges.Select(a => a with { Amount = a.Amount * scale }).ToList(),
        };
        big = Rebalance(big);
        InvoiceFiles.Write(inbox, "big.xml", big, InvoiceFormat.Ubl);
        InvoiceFiles.Write(inbox, "dollars.xml", InvoiceSamples.Create(71, currency: "USD") with { Supplier = supplier, Number = "RISK-USD" }, InvoiceFormat.Ubl);
        await api.WaitForRunAsync(await api.RunNowAsync(id));

        var items = await InvoiceFiles.ItemsAsync(api, id);
        var unusual = items.Single(i => i.GetProperty("invoiceNumber").GetString() == "RISK-BIG");
        Assert.Equal(["unusual-amount"], InvoiceFiles.Reasons(unusual));
        var unusualDetail = await InvoiceFiles.DetailAsync(api, unusual.GetProperty("id").GetGuid());
        Assert.Equal(4, Evidence(unusualDetail, "unusual-amount").Count);
        // The figures the reasons state are kept with the invoice: the supplier's median, the factor, the threshold.
        var unusualCheck = Payload(unusualDetail).GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("code").GetString() == "unusual-amount");
        Assert.Equal(3m, unusualCheck.GetProperty("limit").GetDecimal());
        Assert.True(unusualCheck.GetProperty("compared").GetDecimal() > 0);
        var dollars = items.Single(i => i.GetProperty("invoiceNumber").GetString() == "RISK-USD");
        Assert.Contains("over-threshold", InvoiceFiles.Reasons(dollars));
        Assert.Equal(10m, Payload(await InvoiceFiles.DetailAsync(api, dollars.GetProperty("id").GetGuid())).GetProperty("reviewThreshold").GetDecimal());
    }

    [Fact]
    public async Task AWebhookThatIsDownThenBackGetsEveryInvoiceOnceAndNoneIsLost()
    {
        var api = AutomationApi.For(portal);
        var port = ChildPortal.FreePort();
        var url = $"http://127.0.0.1:{port}/hooks/invoices/";
        var inbox = Path.Combine(portal.DataFolder, "hook", "inbox");
        for (var i = 0; i < 3; i++)
        {
            InvoiceFiles.Write(inbox, $"h{i}.xml", InvoiceSamples.Create(41 + i), InvoiceFormat.Ubl);
        }

        var id = (await InvoiceFiles.CreateAsync(api, "hook", new { inboxPath = "hook/inbox", outboxPath = "hook/outbox", webhookUrl = url, flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 })).GetProperty("id").GetGuid();
        var outbox = Path.Combine(portal.DataFolder, "hook", "outbox");

        // Down: nothing listens on the port. The items wait in ActionFailed; nothing is exported yet.
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var failed = await InvoiceFiles.ItemsAsync(api, id);
        Assert.Equal(3, failed.Count);
        Assert.All(failed, i => Assert.Equal("ActionFailed", i.GetProperty("status").GetString()));
        Assert.All(failed, i => Assert.False(string.IsNullOrEmpty(i.GetProperty("error").GetString())));
        Assert.Empty(InvoiceFiles.ExportLines(outbox));

        // Back: the next run posts each one once, with its key, and exports it.
        await using var receiver = new WebhookReceiver(port);
        await Task.Delay(1200);
        InvoiceFiles.Write(inbox, "h3.xml", InvoiceSamples.Create(44), InvoiceFormat.Ubl);
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        var items = await InvoiceFiles.ItemsAsync(api, id);
        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.Equal("Done", i.GetProperty("status").GetString()));
        Assert.Equal(4, receiver.Booked.Count);
        Assert.Equal(4, receiver.Received);
        Assert.Equal(4, InvoiceFiles.ExportLines(outbox).Count);
        var posted = receiver.Booked.Values.First();
        Assert.False(string.IsNullOrEmpty(posted.GetProperty("invoiceNumber").GetString()));
        Assert.True(posted.GetProperty("payableAmount").GetDecimal() > 0);

        // And never again.
        await api.WaitForRunAsync(await api.RunNowAsync(id));
        Assert.Equal(4, receiver.Received);
        Assert.Equal(4, InvoiceFiles.ExportLines(outbox).Count);
        Assert.Equal(4, InvoiceFiles.ExportLines(outbox).Select(l => l.Split(',')[0]).Distinct().Count());
    }

    [Fact]
    public async Task TheSameInvoiceSentToTwoAutomationsAtOnceIsCaughtByOne()
    {
        var api = AutomationApi.For(portal);
        var invoice = InvoiceSamples.Create(95);
        InvoiceFiles.Write(Path.Combine(portal.DataFolder, "twin-a", "inbox"), "x.xml", invoice, InvoiceFormat.Ubl);
        InvoiceFiles.Write(Path.Combine(portal.DataFolder, "twin-b", "inbox"), "x.xml", invoice, InvoiceFormat.Cii);
        var settings = (string name) => new { inboxPath = $"{name}/inbox", outboxPath = $"{name}/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 };
        var a = (await InvoiceFiles.CreateAsync(api, "twin-a", settings("twin-a"))).GetProperty("id").GetGuid();
        var b = (await InvoiceFiles.CreateAsync(api, "twin-b", settings("twin-b"))).GetProperty("id").GetGuid();

        var runs = await Task.WhenAll(api.RunNowAsync(a), api.RunNowAsync(b));
        await Task.WhenAll(runs.Select(r => api.WaitForRunAsync(r)));

        var items = (await InvoiceFiles.ItemsAsync(api, a)).Concat(await InvoiceFiles.ItemsAsync(api, b)).ToList();
        Assert.Equal(2, items.Count);
        Assert.Single(items, i => i.GetProperty("status").GetString() == "Done");
        Assert.Single(items, i => InvoiceFiles.Reasons(i).Contains("duplicate"));
    }

    [Fact]
    public async Task InShadowDecisionsAreRecordedAndNothingIsPostedOrMoved()
    {
        var api = AutomationApi.For(portal);
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        var inbox = Path.Combine(portal.DataFolder, "shadow-ap", "inbox");
        InvoiceFiles.Write(inbox, "s1.xml", InvoiceSamples.Create(91), InvoiceFormat.Ubl);
        InvoiceFiles.Write(inbox, "s2.xml", InvoiceSamples.Create(92), InvoiceFormat.Cii);
        var id = (await InvoiceFiles.CreateAsync(api, "shadow-ap", new { inboxPath = "shadow-ap/inbox", outboxPath = "shadow-ap/outbox", webhookUrl = receiver.Url, flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 }, state: "Shadow")).GetProperty("id").GetGuid();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");
        var items = await InvoiceFiles.ItemsAsync(api, id);

        Assert.Equal("Shadow", run.GetProperty("mode").GetString());
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("approve", i.GetProperty("decision").GetString()));
        Assert.All(items, i => Assert.Equal("Shadow", i.GetProperty("lane").GetString()));
        Assert.Empty(InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, "shadow-ap", "outbox")));
        Assert.Equal(0, receiver.Received);
        Assert.Equal(2, Directory.GetFiles(inbox).Length);
        Assert.Empty((await InvoiceFiles.DetailAsync(api, items[0].GetProperty("id").GetGuid())).GetProperty("effects").EnumerateArray());
    }

    [Fact]
    public async Task UploadsThroughTheApiAnswerWithWorkItemsOrAnErrorPerFile()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "upload", new { inboxPath = "upload/inbox", outboxPath = "upload/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000, maxFileBytes = 100_000 })).GetProperty("id").GetGuid();

        // Saving the automation created its folders, and says where they are.
        var folders = (await api.GetAsync(id)).GetProperty("folders").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("path").GetString()!);
        Assert.Equal(Path.Combine(portal.DataFolder, "upload", "inbox"), folders["Inbox"]);
        Assert.Equal(Path.Combine(portal.DataFolder, "upload", "archive"), folders["Archive"]);
        Assert.All(folders.Values, path => Assert.True(Directory.Exists(path), path));
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(InvoiceWriter.Write(InvoiceSamples.Create(81), InvoiceFormat.Ubl)), "files", "good.xml");
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(Xxe)), "files", "../../hostile.xml");
        form.Add(new ByteArrayContent(new byte[150_000]), "files", "huge.xml");
        using var response = await api.Client.PostAsync(new Uri($"/api/automations/{id}/items", UriKind.Relative), form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var files = JsonDocument.Parse(text).RootElement.GetProperty("files").EnumerateArray().ToList();

        Assert.Equal("Done", files[0].GetProperty("status").GetString());
        var goodId = files[0].GetProperty("workItemId").GetGuid();
        Assert.Equal("hostile.xml", files[1].GetProperty("fileName").GetString());
        Assert.Equal("Quarantined", files[1].GetProperty("status").GetString());
        Assert.Contains("DTD", files[1].GetProperty("error").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(JsonValueKind.Null, files[2].GetProperty("workItemId").ValueKind);
        Assert.Contains("maxFileBytes", files[2].GetProperty("error").GetString()!, StringComparison.Ordinal);

        // A raw body with the same bytes: the same work item, nothing new.
        using var raw = new ByteArrayContent(InvoiceWriter.Write(InvoiceSamples.Create(81), InvoiceFormat.Ubl));
        raw.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/automations/{id}/items") { Content = raw };
        request.Headers.Add("X-File-Name", "good-again.xml");
        using var again = await api.Client.SendAsync(request);
        var single = Assert.Single((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("files").EnumerateArray());
        Assert.Equal(goodId, single.GetProperty("workItemId").GetGuid());
        Assert.Equal(2, (await InvoiceFiles.ItemsAsync(api, id)).Count);

        // The original file, as it arrived.
        var original = await api.Client.GetByteArrayAsync(new Uri($"/api/work-items/{goodId}/original", UriKind.Relative));
        Assert.Equal(InvoiceWriter.Write(InvoiceSamples.Create(81), InvoiceFormat.Ubl), original);
    }

    [Fact]
    public async Task ADraftAutomationTriesAnUploadWithoutActingOrMovingIt()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "draft-ap", new { inboxPath = "draft-ap/inbox", outboxPath = "draft-ap/outbox", flagNewSuppliers = false, unusualFactor = 1000, reviewThreshold = 1_000_000 }, state: "Draft")).GetProperty("id").GetGuid();
        using var raw = new ByteArrayContent(InvoiceWriter.Write(InvoiceSamples.Create(97), InvoiceFormat.Json));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/automations/{id}/items") { Content = raw };
        request.Headers.Add("X-File-Name", "try.json");

        using var response = await api.Client.SendAsync(request);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = Assert.Single(answer.GetProperty("files").EnumerateArray());
        Assert.Equal("Done", file.GetProperty("status").GetString());
        var item = Assert.Single(await InvoiceFiles.ItemsAsync(api, id));
        Assert.Equal("Shadow", item.GetProperty("lane").GetString());
        // Handed to the portal: moved out once stored, even in a test run, so no later run reads it again.
        Assert.False(File.Exists(Path.Combine(portal.DataFolder, "draft-ap", "uploads", "try.json")));
        Assert.True(File.Exists(Path.Combine(portal.DataFolder, "draft-ap", "archive", "try.json")));
        Assert.Empty(InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, "draft-ap", "outbox")));
    }

    [Fact]
    public async Task SettingsAreCheckedByNameAndFoldersOutsideTheAllowedRootsAreRefused()
    {
        var api = AutomationApi.For(portal);
        using var response = await api.Client.PostAsJsonAsync(new Uri("/api/automations", UriKind.Relative), new
        {
            kind = "invoice-intake",
            name = "outside",
            schedule = "0 0 3 1 1 ?",
            settings = new { inboxPath = "/etc/invoices", webhookUrl = "ftp://x", reviewThresholds = new { euro = 5 } },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("settings.inboxPath", text, StringComparison.Ordinal);
        Assert.Contains("settings.webhookUrl", text, StringComparison.Ordinal);
        Assert.Contains("settings.reviewThresholds.euro", text, StringComparison.Ordinal);

        var defaults = (await api.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/automation-kinds", UriKind.Relative))).EnumerateArray()
            .Single(k => k.GetProperty("key").GetString() == "invoice-intake").GetProperty("defaults");
        Assert.Equal("invoices/inbox", defaults.GetProperty("inboxPath").GetString());
        Assert.Equal(20 * 1024 * 1024, defaults.GetProperty("maxFileBytes").GetInt64());
    }

    private static JsonElement Payload(JsonElement detail) => JsonDocument.Parse(detail.GetProperty("payload").GetString()!).RootElement;

    private static List<Guid> Evidence(JsonElement detail, string code)
    {
        return Payload(detail).GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("code").GetString() == code)
            .GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("workItemId").GetGuid()).ToList();
    }

    /// <summary>Totals and VAT breakdown made to agree with the lines again, as EN 16931 requires.</summary>
    private static Invoice Rebalance(Invoice invoice)
    {
        var allowances = invoice.AllowancesCharges.Where(a => !a.IsCharge).Sum(a => a.Amount);
        var breakdown = invoice.Lines.GroupBy(l => l.VatRate!.Value).Select(g =>
        {
            var taxable = g.Sum(l => l.NetAmount!.Value) - invoice.AllowancesCharges.Where(a => a.VatRate == g.Key).Sum(a => a.Amount);
            return new InvoiceVatBreakdown("S", g.Key, taxable, decimal.Round(taxable * g.Key / 100m, 2, MidpointRounding.AwayFromZero));
        }).ToList();
        var lineTotal = invoice.Lines.Sum(l => l.NetAmount!.Value);
        var exclusive = lineTotal - allowances;
        var tax = breakdown.Sum(b => b.TaxAmount!.Value);
        return invoice with
        {
            VatBreakdown = breakdown,
            Totals = invoice.Totals with { LineTotal = lineTotal, AllowanceTotal = allowances > 0 ? allowances : null, TaxExclusive = exclusive, TaxTotal = tax, TaxInclusive = exclusive + tax, Payable = exclusive + tax },
        };
    }
}
