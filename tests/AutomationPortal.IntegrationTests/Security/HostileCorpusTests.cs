using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.IntegrationTests.Security;

/// <summary>
/// The hostile-input corpus (<see cref="HostileCorpus"/>) through the watched folder and the API, each file with its
/// expected outcome; the upload page gets the same corpus in the browser tests. Whatever the path, a hostile file is
/// quarantined with its reason or decided as the invoice it is, nothing outside the automation's folders is read or
/// written, and no formula reaches the export.
/// </summary>
public sealed class HostileCorpusTests(InvoicePortalFixture portal) : IClassFixture<InvoicePortalFixture>
{
    [Fact]
    public async Task EveryHostileFileInTheWatchedFolderGetsItsExpectedOutcome()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "corpus-folder", HostileCorpus.Settings("corpus-folder"))).GetProperty("id").GetGuid();
        var inbox = Path.Combine(portal.DataFolder, "corpus-folder", "inbox");
        // A file system holds at most 255 bytes in a name: the 150 CJK characters (450 bytes) can only come by upload.
        var corpus = HostileCorpus.Files(5100).Where(f => Encoding.UTF8.GetByteCount(f.FileName) <= 255).Append(HostileCorpus.Oversize()).ToList();
        foreach (var file in corpus)
        {
            InvoiceFiles.WriteBytes(inbox, file.FileName, file.Content);
        }

        // What only a folder can hold: a link to a file outside, and a name with a line break in it.
        File.CreateSymbolicLink(Path.Combine(inbox, "passwd.xml"), "/etc/passwd");
        InvoiceFiles.WriteBytes(inbox, "line\nInjected log line \u202Efdp.xml", Encoding.UTF8.GetBytes("not an invoice at all"));
        var started = Stopwatch.StartNew();

        var run = (await api.WaitForRunAsync(await api.RunNowAsync(id))).GetProperty("run");
        var items = await InvoiceFiles.ItemsAsync(api, id);

        Assert.Equal("Succeeded", run.GetProperty("status").GetString());
        var problems = new List<string>();
        foreach (var file in corpus)
        {
            var item = items.SingleOrDefault(i => OriginalName(i) == FileNames.Safe(file.FileName));
            Check(problems, file, item.ValueKind == JsonValueKind.Undefined ? null : Outcome.Of(item));
        }

        var link = Assert.Single(items, i => OriginalName(i) == "passwd.xml");
        Assert.Equal(["not-a-file"], InvoiceFiles.Reasons(link));
        // A name made to forge a log line or to show another extension is kept and quoted under a safe name.
        var forged = Assert.Single(items, i => OriginalName(i)?.StartsWith("line", StringComparison.Ordinal) == true);
        Assert.Equal("line_Injected log line _fdp.xml", OriginalName(forged));
        Assert.Equal("Quarantined", forged.GetProperty("status").GetString());
        Assert.StartsWith("line_Injected log line _fdp.xml: ", forged.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(portal.DataFolder, "corpus-folder", "quarantine", "line_Injected log line _fdp.xml.error.txt")));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal(corpus.Count + 2, items.Count);
        await AssertNothingLeakedAsync(api, items, "corpus-folder");
        Assert.True(started.Elapsed < TimeSpan.FromMinutes(2), $"The corpus took {started.Elapsed}.");
    }

    [Fact]
    public async Task EveryHostileFileSentToTheApiGetsItsExpectedOutcome()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "corpus-api", HostileCorpus.Settings("corpus-api"))).GetProperty("id").GetGuid();
        var corpus = HostileCorpus.Files(5200).Append(HostileCorpus.Oversize()).ToList();
        using var form = new MultipartFormDataContent();
        foreach (var file in corpus)
        {
            form.Add(new ByteArrayContent(file.Content), "files", file.FileName);
        }

        // A name that climbs out of the folder is taken under its last part only.
        form.Add(new ByteArrayContent(Web.Features.InvoiceIntake.Reading.InvoiceWriter.Write(Web.Features.InvoiceIntake.Reading.InvoiceSamples.Create(5299), Web.Features.InvoiceIntake.Reading.InvoiceFormat.Ubl)), "files", "../../../escape.xml");

        using var response = await api.Client.PostAsync(new Uri($"/api/automations/{id}/items", UriKind.Relative), form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var results = JsonDocument.Parse(text).RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(corpus.Select(f => FileNames.Safe(f.FileName)).Append("escape.xml"), results.Select(r => r.GetProperty("fileName").GetString()));

        var problems = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            Check(problems, corpus[i], Outcome.Of(results[i]));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal("escape.xml", results[^1].GetProperty("fileName").GetString());
        Assert.Equal("Done", results[^1].GetProperty("status").GetString());
        Assert.False(File.Exists(Path.Combine(portal.DataFolder, "escape.xml")));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(portal.DataFolder)!, "escape.xml", SearchOption.TopDirectoryOnly));
        await AssertNothingLeakedAsync(api, await InvoiceFiles.ItemsAsync(api, id), "corpus-api");
    }

    [Theory]
    [InlineData("line\r\nbreak.xml")]
    [InlineData("nul\0.xml")]
    [InlineData("bell\a.xml")]
    public async Task AFileNameWithAControlCharacterIsRefusedNamingTheField(string name)
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, $"corpus-name-{Guid.NewGuid():N}", HostileCorpus.Settings($"corpus-name-{name.Length}-{Guid.NewGuid():N}"))).GetProperty("id").GetGuid();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(Web.Features.InvoiceIntake.Reading.InvoiceWriter.Write(Web.Features.InvoiceIntake.Reading.InvoiceSamples.Create(5300), Web.Features.InvoiceIntake.Reading.InvoiceFormat.Ubl));
        // RFC 5987 encoding carries any character, as a hand-made request would.
        part.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data") { Name = "files", FileNameStar = name };
        form.Add(part);

        using var multipart = await api.Client.PostAsync(new Uri($"/api/automations/{id}/items", UriKind.Relative), form);
        using var raw = await api.Client.PostAsync(new Uri($"/api/automations/{id}/items?fileName={Uri.EscapeDataString(name)}", UriKind.Relative), new ByteArrayContent([1, 2, 3]));

        foreach (var response in new[] { multipart, raw })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Contains("control character", errors.GetProperty("files")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(await InvoiceFiles.ItemsAsync(api, id));
    }

    /// <summary>
    /// The request itself as an attack: a body of 512 MB and more, sent as one file. The portal stops reading at the
    /// automation's size limit and answers 400 naming it; nothing is stored. (Behind Kestrel, a body above the intake
    /// request limit of 512 MB is cut off with 413 before that.)
    /// </summary>
    [Fact]
    public async Task ABodyFarAboveTheLimitIsRefusedNamingItAndNothingIsStored()
    {
        var api = AutomationApi.For(portal);
        var id = (await InvoiceFiles.CreateAsync(api, "corpus-body", HostileCorpus.Settings("corpus-body"))).GetProperty("id").GetGuid();
        using var content = new StreamContent(new EndlessStream(Web.Features.Automations.AutomationsModule.IntakeRequestLimit + 1));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/automations/{id}/items") { Content = content };
        request.Headers.Add("X-File-Name", "endless.xml");
        var started = Stopwatch.StartNew();

        using var response = await api.Client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode} {text}");
        Assert.Contains(HostileCorpus.OversizeEvidence, text, StringComparison.Ordinal);
        Assert.Empty(await InvoiceFiles.ItemsAsync(api, id));
        Assert.Empty(Directory.GetFiles(Path.Combine(portal.DataFolder, "corpus-body"), "*", SearchOption.AllDirectories));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"Refusing the body took {started.Elapsed}: it was read past the limit.");
    }

    private static void Check(List<string> problems, HostileInput file, Outcome? actual)
    {
        var problem = actual is null ? $"{file.Label} ({file.FileName}): no outcome at all" : HostileCorpus.Judge(file, actual.Status, actual.Reasons, actual.Error);
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }

    /// <summary>No file's content from outside leaks into an answer; no formula reaches the export unescaped.</summary>
    private async Task AssertNothingLeakedAsync(AutomationApi api, List<JsonElement> items, string folder)
    {
        foreach (var item in items)
        {
            var detail = (await InvoiceFiles.DetailAsync(api, item.GetProperty("id").GetGuid())).GetRawText();
            Assert.DoesNotContain("root:x:0", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("lollollol", detail, StringComparison.Ordinal);
        }

        var export = InvoiceFiles.ExportLines(Path.Combine(portal.DataFolder, folder, "outbox"));
        var formulaLine = Assert.Single(export, l => l.Contains("HYPERLINK", StringComparison.Ordinal));
        foreach (var cell in Cells(formulaLine))
        {
            Assert.False(cell.Length > 0 && "=+@\t\r".Contains(cell[0], StringComparison.Ordinal), $"The export cell '{cell}' would run as a formula: {formulaLine}");
            Assert.False(cell.Length > 1 && cell[0] == '-' && !char.IsDigit(cell[1]), $"The export cell '{cell}' would run as a formula: {formulaLine}");
        }

        Assert.Contains("'=HYPERLINK", formulaLine, StringComparison.Ordinal);
        Assert.Contains("'+SUM(1+1)", formulaLine, StringComparison.Ordinal);
    }

    /// <summary>The cells of one CSV line, quotes removed (the export quotes cells with commas or quotes in them).</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c is ',' or ';' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static string? OriginalName(JsonElement item) =>
        item.TryGetProperty("fileName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;

    private sealed record Outcome(string? Status, IReadOnlyList<string> Reasons, string? Error)
    {
        public static Outcome Of(JsonElement element) => new(
            element.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String ? status.GetString() : null,
            element.TryGetProperty("reasonCodes", out var reasons) && reasons.ValueKind == JsonValueKind.Array ? reasons.EnumerateArray().Select(r => r.GetString()!).ToList() : [],
            element.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null);

    }

    /// <summary>Zeros without end (up to a length), never held in memory.</summary>
    private sealed class EndlessStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
