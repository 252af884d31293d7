using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>
/// Invoice intake: reads e-invoices from a watched folder (and from uploads), verifies them, checks them against
/// every invoice seen before for duplicates and risks, approves the clean ones and escalates the rest with their
/// reasons and evidence; approved invoices are posted to accounting by the run's export CSV and, when set, a webhook.
/// Its runs take turns (<see cref="ConcurrencyGroup"/>), so an invoice sent to two automations at once is still caught.
/// </summary>
public sealed class InvoiceIntakeKind(WebhookPoster webhooks) : AutomationKind<InvoiceIntakeSettings>, IAcceptsUploads
{
    public const string KindKey = "invoice-intake";

    /// <summary>The folder beside the inbox that uploads (page and API) are written into, whole, before a run reads them.</summary>
    public const string UploadsFolderName = "uploads";

    public override string Key => KindKey;

    public override string DisplayName => "Invoice intake";

    public override string Description => "Reads e-invoices (UBL, CII, CSV, JSON) from a folder, uploads and the API; verifies them, catches duplicates and unusual amounts, posts clean invoices to accounting (export CSV, webhook) and escalates the rest with evidence.";

    protected override IEnumerable<SettingsError> Validate(InvoiceIntakeSettings settings, KindValidationContext context)
    {
        var s = settings;
        var errors = new List<SettingsError>();
        var inbox = KindSettings.ResolveFolder("inboxPath", s.InboxPath, context, errors);
        if (!string.IsNullOrWhiteSpace(s.ArchivePath))
        {
            KindSettings.ResolveFolder("archivePath", s.ArchivePath, context, errors);
        }

        if (!string.IsNullOrWhiteSpace(s.QuarantinePath))
        {
            KindSettings.ResolveFolder("quarantinePath", s.QuarantinePath, context, errors);
        }

        KindSettings.ResolveFolder("outboxPath", s.OutboxPath, context, errors);
        if (inbox is not null)
        {
            foreach (var (field, sibling) in new[] { ("archivePath", "archive"), ("quarantinePath", "quarantine") })
            {
                // The default folders sit beside the inbox: that parent must be allowed too.
                var value = field == "archivePath" ? s.ArchivePath : s.QuarantinePath;
                if (string.IsNullOrWhiteSpace(value))
                {
                    KindSettings.ResolveFolder(field, InboxFolder.Beside(inbox, sibling), context, errors);
                }
            }

            // Uploads are written beside the inbox: that folder must be safe to write into as well.
            KindSettings.ResolveFolder("inboxPath", InboxFolder.Beside(inbox, UploadsFolderName), context, errors);
        }

        if (!string.IsNullOrWhiteSpace(s.WebhookUrl))
        {
            if (!Uri.TryCreate(s.WebhookUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                errors.Add(new SettingsError("webhookUrl", "Give an absolute http or https address, such as https://accounting.example.com/hooks/invoices."));
            }
            else if (url.UserInfo.Length > 0)
            {
                errors.Add(new SettingsError("webhookUrl", "Keep credentials out of the address: everyone who may see the automation could read them. Give the address alone."));
            }
            else if (System.Net.IPAddress.TryParse(url.DnsSafeHost, out var address) && WebhookTargets.Refusal(address, allowPrivateNetworks: true) is { } refused)
            {
                errors.Add(new SettingsError("webhookUrl", refused));
            }
        }

        if (!string.IsNullOrEmpty(s.WebhookSecret) && (string.IsNullOrWhiteSpace(s.WebhookSecretHeader) || !s.WebhookSecretHeader.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            || s.WebhookSecretHeader.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase) || s.WebhookSecretHeader.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add(new SettingsError("webhookSecretHeader", "Give a header name of letters, digits and dashes, such as Authorization or X-Webhook-Token (not Idempotency-Key or Content-Type)."));
        }

        if (s.WebhookSecret is { } secret && secret.Any(c => c is '\r' or '\n' or '\0'))
        {
            errors.Add(new SettingsError("webhookSecret", "A secret cannot hold line breaks or NUL."));
        }

        foreach (var (currency, threshold) in s.ReviewThresholds)
        {
            if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
            {
                errors.Add(new SettingsError($"reviewThresholds.{currency}", "Use an ISO 4217 currency code in capitals, such as EUR."));
            }
            else if (threshold < 0)
            {
                errors.Add(new SettingsError($"reviewThresholds.{currency}", "A threshold cannot be negative."));
            }
        }

        return errors;
    }

    protected override IKindRun Start(KindRunContext context, InvoiceIntakeSettings settings, IKindRunFactory runs) => runs.Create<Run>(context, settings);

    /// <summary>
    /// Invoice-intake runs take turns, across automations and portal nodes (runs of one automation never overlap anyway),
    /// so an invoice sent to two automations at once is still caught: each run's history includes what the other stored.
    /// </summary>
    public override ConcurrencyGroup ConcurrencyGroup { get; } = new(KindKey, "Waiting for another invoice-intake run to finish, so the duplicate checks see its invoices.");

    public override KindPresentation Presentation => InvoicePresentation.Instance;

    /// <summary>The fields a person may correct before approving: what people most often fix on an invoice that was read right otherwise.</summary>
    public static readonly IReadOnlyList<EditableField> Editable =
    [
        new("invoiceNumber", "Invoice number", EditableFieldType.Text, "As printed on the invoice; it must not repeat another invoice of the supplier."),
        new("issueDate", "Issue date", EditableFieldType.Date),
        new("dueDate", "Due date", EditableFieldType.Date),
        new("supplierName", "Supplier name", EditableFieldType.Text, MaxLength: 300),
        new("supplierVatId", "Supplier VAT id", EditableFieldType.Text, "With its country prefix, such as DE123456789. The duplicate and history checks know the supplier by it."),
    ];

    /// <summary>Why a person rejects an invoice, or overrides the automation's decision on one.</summary>
    public override IReadOnlyList<RejectReason> RejectReasons { get; } =
    [
        new("not-ordered", "Not ordered: nobody here ordered this"),
        new("wrong-amount", "Wrong amount: it does not match the order or contract"),
        new("wrong-supplier", "Wrong supplier: not the party we deal with"),
        new("duplicate", "Duplicate: this invoice was sent before"),
        new("wrong-vat", "Wrong VAT: the rate, the amount or the VAT id is wrong"),
        new(RejectReason.Other, "Another reason (say which in the note)", NoteRequired: true),
    ];

    protected override HumanActions HumanActions(InvoiceIntakeSettings settings)
    {
        var webhook = !string.IsNullOrWhiteSpace(settings.WebhookUrl);
        return new HumanActions(
            webhook ? "Adds an export line to the next export and posts the invoice to the webhook." : "Adds an export line to the next export.",
            "Nothing is posted; the file stays in the archive.",
            Editable,
            webhook ? "Adds a reversal line (amounts negated) to the next export and posts a reversal to the webhook." : "Adds a reversal line (amounts negated) to the next export.");
    }

    public UploadWords UploadWords { get; } = new("Upload invoices", "UBL or CII XML, or the portal's CSV or JSON",
        "Each file is read, verified and checked for duplicates at once", "invoice files");

    public string UploadsFolder(object settings, string dataFolder) => Places(TypedSettings(settings), dataFolder).Uploads;

    public long MaxFileBytes(object settings) => TypedSettings(settings).MaxFileBytes;

    protected override IReadOnlyList<KindFolder> Folders(InvoiceIntakeSettings settings, string dataFolder)
    {
        var (folder, uploads, outbox) = Places(settings, dataFolder);
        return [new("Inbox", folder.Inbox), new("Archive", folder.Archive), new("Quarantine", folder.Quarantine), new("Outbox", outbox), new("Uploads", uploads)];
    }

    protected override bool HasHeldInput(InvoiceIntakeSettings settings, string dataFolder)
    {
        var uploads = Places(settings, dataFolder).Uploads;
        return new[] { uploads, UploadFolders.Held(uploads) }.Any(folder => Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any());
    }

    protected override void Resumed(InvoiceIntakeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.WebhookUrl is { Length: > 0 } url)
        {
            webhooks.Reset(url);
        }
    }

    /// <summary>The invoice's lines, one page of them, with <c>linesTotal</c>, <c>linesFrom</c> and <c>linesShown</c> beside.</summary>
    public override string PagePayload(string payload, int from, int count)
    {
        if (System.Text.Json.Nodes.JsonNode.Parse(payload) is not System.Text.Json.Nodes.JsonObject root
            || root["invoice"] is not System.Text.Json.Nodes.JsonObject invoice || invoice["lines"] is not System.Text.Json.Nodes.JsonArray lines)
        {
            return payload;
        }

        var total = lines.Count;
        var start = Math.Clamp(from, 0, total);
        var page = lines.Skip(start).Take(count).Select(l => l?.DeepClone()).ToArray();
        invoice["lines"] = new System.Text.Json.Nodes.JsonArray(page);
        root["linesTotal"] = total;
        root["linesFrom"] = start;
        root["linesShown"] = page.Length;
        return root.ToJsonString();
    }

    /// <summary>The folders of an automation's settings, resolved against the data folder.</summary>
    public static (InboxFolder Folder, string Uploads, string Outbox) Places(InvoiceIntakeSettings settings, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var inbox = KindSettings.FullPath(settings.InboxPath, dataFolder);
        var archive = string.IsNullOrWhiteSpace(settings.ArchivePath) ? InboxFolder.Beside(inbox, "archive") : KindSettings.FullPath(settings.ArchivePath, dataFolder);
        var quarantine = string.IsNullOrWhiteSpace(settings.QuarantinePath) ? InboxFolder.Beside(inbox, "quarantine") : KindSettings.FullPath(settings.QuarantinePath, dataFolder);
        return (new InboxFolder(inbox, archive, quarantine), InboxFolder.Beside(inbox, UploadsFolderName), KindSettings.FullPath(settings.OutboxPath, dataFolder));
    }

    /// <summary>Reads a work item's stored payload back into the document (null when it is not one).</summary>
    public static InvoiceDocument? ReadPayload(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize(payload, InvoiceIntakeJson.Default.InvoiceDocument);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The pure decision, from its arguments only: the invoice with its verification findings and duplicate checks,
    /// the history's facts as of the invoice's arrival, and the settings (new-supplier flag, unusual-amount rule,
    /// review threshold). The same arguments give the same answer at any later time, so an invoice can be decided
    /// again with other settings. <paramref name="history"/> is null for invoices stored before their facts were kept:
    /// their stored checks stand.
    /// </summary>
    public static ItemDecision Decide(InvoiceDocument document, InvoiceHistoryFacts? history, InvoiceIntakeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(settings);
        var reasons = new List<string>();
        foreach (var check in document.Checks)
        {
            var fromHistory = check.Code is "new-supplier" or "unusual-amount";
            if (history is null ? check.Code != "new-supplier" || settings.FlagNewSuppliers : !fromHistory)
            {
                reasons.Add(check.Code);
            }
        }

        if (history is not null)
        {
            if (history.NewSupplier)
            {
                if (settings.FlagNewSuppliers)
                {
                    reasons.Add("new-supplier");
                }
            }
            else if (InvoiceRules.Unusual(document.DocumentType, document.SignedPayable, history.RecentAmounts, settings.UnusualFactor, settings.UnusualHistory) is not null)
            {
                reasons.Add("unusual-amount");
            }
        }

        if (document.SignedPayable > ThresholdFor(settings, document.Invoice.Currency))
        {
            reasons.Add("over-threshold");
        }

        reasons.AddRange(document.Findings.Select(f => f.Code));
        return reasons.Count == 0 ? ItemDecision.Approve() : ItemDecision.EscalateFor([.. reasons.Distinct()]);
    }

    /// <summary>The decision with the history's facts the invoice keeps.</summary>
    public static ItemDecision Decide(InvoiceDocument document, InvoiceIntakeSettings settings) =>
        Decide(document, document?.History, settings!);

    /// <summary>The review threshold for invoices in <paramref name="currency"/>: its own, or the general one.</summary>
    public static decimal ThresholdFor(InvoiceIntakeSettings settings, string? currency)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return currency is not null && settings.ReviewThresholds.TryGetValue(currency, out var own) ? own : settings.ReviewThreshold;
    }

    /// <summary>Reads an automation's stored settings of this kind.</summary>
    public static InvoiceIntakeSettings ReadSettings(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<InvoiceIntakeSettings>(json, KindSettings.Json) ?? new InvoiceIntakeSettings();

    /// <summary>The ledger keys of a reversal end in this, after the item's key: <c>…:reversal:webhook</c>, <c>…:reversal:export</c>.</summary>
    public const string ReversalSuffix = "reversal";

    /// <summary>
    /// Files read and parsed ahead of the engine at most: a chunk's worth, so parsing goes on while the engine stores
    /// and acknowledges the chunk before.
    /// </summary>
    private const int ReadAheadFiles = 2000;

    /// <summary>A file as read ahead: its invoice, findings and fingerprint, or why it cannot be read.</summary>
    private sealed record ReadAhead(
        InboxFile? File,
        string Name,
        long Length,
        Invoice? Invoice,
        IReadOnlyList<InvoiceFinding>? Findings,
        string? SupplierKey,
        string? ContentKey,
        string? Error,
        string ErrorCode = "unreadable")
    {
        /// <summary>From the uploads folder: handed to the portal, moved out once stored in every mode.</summary>
        public bool HandedIn { get; init; }
    }

    /// <summary>One run of invoice intake; built by the engine, which holds the kind's turn while it lives.</summary>
    private sealed class Run(KindRunContext context, InvoiceIntakeSettings settings, WebhookPoster poster) : IKindRun
    {
        private readonly InvoiceIntakeSettings _settings = settings;
        private readonly (InboxFolder Folder, string Uploads, string Outbox) _folders = Places(settings, context.DataFolder);
        private readonly DateTime _started = context.Clock.GetUtcNow().UtcDateTime;
        private string? _exportFile;
        private InvoiceHistory? _history;

        public async IAsyncEnumerable<SourceItem> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // The engine holds the kind's turn (ConcurrencyGroup) from before this run started: the history is complete.
            _history = await LoadHistoryAsync(cancellationToken);
            context.Log(LogLevelName.Info, $"{_history.Count} earlier invoice(s) known to the duplicate checks.");

            // Uploads are written whole under a temporary name and renamed: complete the moment they appear. Files
            // are read and their invoices parsed and verified ahead, on the other cores, while the engine checks
            // and stores the ones before them; they come out in order.
            // Held files (handed in while the automation could not act) first, then uploads, then the watched inbox.
            // An Admin's test run of a Draft leaves held files to the first run that may act on them.
            var uploads = new InboxFolder(_folders.Uploads, _folders.Folder.Archive, _folders.Folder.Quarantine);
            var held = context.Mode == RunMode.Test ? [] : new InboxFolder(UploadFolders.Held(_folders.Uploads), _folders.Folder.Archive, _folders.Folder.Quarantine).Settled(TimeSpan.Zero, Waiting, mustExist: false);
            var files = held.Concat(uploads.Settled(TimeSpan.Zero, Waiting, mustExist: false)).Select(f => (File: f, HandedIn: true))
                .Concat(_folders.Folder.Settled(TimeSpan.FromSeconds(2), Waiting).Select(f => (File: f, HandedIn: false)));
            var ahead = Channel.CreateBounded<Task<ReadAhead?>>(new BoundedChannelOptions(ReadAheadFiles) { SingleReader = true, SingleWriter = true });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var producer = Task.Run(async () =>
            {
                try
                {
                    foreach (var (file, handedIn) in files)
                    {
                        await ahead.Writer.WriteAsync(Task.Run(() => ReadAhead(file) is { } read ? read with { HandedIn = handedIn } : null, stop.Token), stop.Token);
                    }

                    ahead.Writer.Complete();
                }
                catch (Exception e)
                {
                    ahead.Writer.Complete(e);
                }
            }, stop.Token);

            try
            {
                await foreach (var next in ahead.Reader.ReadAllAsync(cancellationToken))
                {
                    if (await next is { } read)
                    {
                        yield return Item(read);
                    }
                }
            }
            finally
            {
                await stop.CancelAsync();
                await producer.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }

        public PreparedItem Prepare(SourceItem item, Guid workItemId)
        {
            var read = (ReadAhead?)item.SourceState ?? ReadAhead(item.OriginalRef ?? item.Key, item.Content, item.Content.Length);
            if (read.Error is not null)
            {
                throw new ItemRejectedException(read.Error, read.ErrorCode);
            }

            var invoice = read.Invoice!;
            var signed = InvoiceDocument.CountedAmount(invoice);
            var self = new InvoiceEvidence(workItemId, context.AutomationId, invoice.Number, invoice.Supplier.Name, invoice.DocumentType.ToString(),
                invoice.IssueDate, signed, invoice.Currency, context.Clock.GetUtcNow().UtcDateTime);
            var history = _history ?? new InvoiceHistory();
            var evidence = history.Evidence(read.SupplierKey, read.ContentKey!, self);
            history.Add(read.SupplierKey, read.ContentKey, self);

            // The checks people see are written by the rules the decision applies, with this run's settings.
            var document = new InvoiceDocument(read.Name, read.Length, invoice, read.SupplierKey, signed, read.ContentKey!, read.Findings!,
                InvoiceRules.Checks(self, read.SupplierKey, evidence, _settings), ThresholdFor(_settings, invoice.Currency), evidence.Facts);
            return Prepared(document, JsonSerializer.Serialize(document, InvoiceIntakeJson.Default.InvoiceDocument));
        }

        /// <summary>Everything about a file that does not depend on other invoices: read, parsed, verified, fingerprinted.</summary>
        private ReadAhead? ReadAhead(FileInfo file)
        {
            var read = InboxFolder.Read(file, _settings.MaxFileBytes);
            if (read is null)
            {
                Waiting($"{FileNames.Safe(file.Name)} changed while it was read; it waits for the next run.");
                return null;
            }

            if (read.Refusal is not null)
            {
                return new ReadAhead(read, FileNames.Safe(file.Name), 0, null, null, null, null, null);
            }

            return read.TooLarge
                ? new ReadAhead(read, FileNames.Safe(file.Name), read.Length, null, null, null, null,
                    $"The file has {read.Length:N0} bytes; this automation reads files up to {_settings.MaxFileBytes:N0} bytes (maxFileBytes).", "too-large")
                : ReadAhead(FileNames.Safe(file.Name), read.Content, read.Length) with { File = read };
        }

        private ReadAhead ReadAhead(string name, ReadOnlyMemory<byte> content, long length)
        {
            try
            {
                using var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var bytes)
                    ? new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false)
                    : new MemoryStream(content.ToArray(), writable: false);
                var invoice = InvoiceReader.Read(stream, new InvoiceReaderOptions { MaxBytes = _settings.MaxFileBytes, MaxLines = _settings.MaxLines });
                return new ReadAhead(null, name, length, invoice, InvoiceVerifier.Verify(invoice), invoice.Supplier.Identity, InvoiceHistory.ContentKey(invoice), null);
            }
            catch (InvoiceReadException e)
            {
                // The reader's own code (too-deep, too-many-lines, unknown-format, empty…) is the reason people filter by.
                return new ReadAhead(null, name, length, null, null, null, null, $"{name}: {e.Message}", e.Code);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
            {
                // The reader promises InvoiceReadException only; should a document still break it, that document is
                // quarantined with the reason, never the run.
                return new ReadAhead(null, name, length, null, null, null, null, $"{name}: the invoice could not be read ({e.GetType().Name}: {e.Message}).");
            }
        }

        public PreparedItem Restore(string payload) =>
            Prepared(JsonSerializer.Deserialize(payload, InvoiceIntakeJson.Default.InvoiceDocument)!, payload);

        public ItemDecision Decide(PreparedItem item, DecisionContext decision) =>
            InvoiceIntakeKind.Decide((InvoiceDocument)item.Model, TypedSettings(decision.Settings));

        public async Task ActAsync(ActionContext action, PreparedItem item, ItemDecision decision, CancellationToken cancellationToken)
        {
            var document = (InvoiceDocument)item.Model;
            var posting = document.Posting(action.WorkItemId, action.IdempotencyKey);
            if (!string.IsNullOrWhiteSpace(_settings.WebhookUrl) && !await action.IsAppliedAsync("webhook", cancellationToken))
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(posting, InvoiceIntakeJson.Default.InvoicePosting);
                var status = await Poster.PostAsync(_settings.WebhookUrl, action.IdempotencyKey, body, cancellationToken,
                    string.IsNullOrEmpty(_settings.WebhookSecret) ? null : (_settings.WebhookSecretHeader, _settings.WebhookSecret));
                var detail = $"HTTP {status.ToString(CultureInfo.InvariantCulture)}";

                // Into the ledger at once, not only with the item's chunk: should the portal stop before the chunk is
                // stored, the next run finds the post and does not send it again.
                await action.RecordNowAsync("webhook-post", _settings.WebhookUrl, detail, "webhook", cancellationToken);
                action.Record("webhook-post", _settings.WebhookUrl, detail, keySuffix: "webhook");
            }

            // The export line goes into the ledger with the item; the run's file is written from the ledger at its end.
            _exportFile ??= InvoiceExport.FileFor(_folders.Outbox, _started, context.RunId);
            action.Record(InvoiceExport.LineType, _exportFile, posting.CsvLine(), keySuffix: InvoiceExport.KeySuffix);
        }

        /// <summary>
        /// Writes the run's export file from its lines in the ledger, and those of earlier runs that stopped before
        /// writing theirs (the engine hands them over); a file already there was renamed into place whole, so it is
        /// never written twice.
        /// </summary>
        public async Task CompleteAsync(RunCompletionContext completion, CancellationToken cancellationToken)
        {
            var exported = false;
            foreach (var run in completion.Runs)
            {
                // A run whose file was recorded complete before (by an earlier version) is left as it is.
                if (run != completion.RunId && (await completion.EffectsOfAsync(run, InvoiceExport.FileType, cancellationToken)).Count > 0)
                {
                    continue;
                }

                if (InvoiceExport.LinesOf(run, await completion.EffectsOfAsync(run, InvoiceExport.LineType, cancellationToken)) is not { } export)
                {
                    continue;
                }

                var written = await InvoiceExport.WriteAsync(export, cancellationToken);
                completion.Record(InvoiceExport.FileType, InvoiceExport.CompletionKey(context.AutomationId, run), export.File, $"{export.Lines.Count} line(s)");
                exported |= run == completion.RunId;
                context.Log(run == completion.RunId ? LogLevelName.Info : LogLevelName.Warning, run == completion.RunId
                    ? $"Exported {export.Lines.Count} invoice line(s) to {Path.GetFileName(export.File)}."
                    : $"{Path.GetFileName(export.File)}, whose run stopped before writing it, was {(written ? "written from the ledger" : "found complete")}.");
            }

            if (!exported)
            {
                context.Log(LogLevelName.Info, "Nothing new to export: no invoice was approved in this run.");
            }
        }

        /// <summary>
        /// A person's corrections, checked again: each value in its format, the invoice verified anew, and a corrected
        /// number refused when it repeats another invoice of the supplier. The checks and history facts of the invoice's
        /// arrival stay with it; a duplicate by number was settled by the correction.
        /// </summary>
        public async Task<EditedItem> EditAsync(Guid workItemId, PreparedItem item, IReadOnlyDictionary<string, string?> values, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(values);
            var document = (InvoiceDocument)item.Model;
            var invoice = document.Invoice;
            var errors = new List<SettingsError>();
            foreach (var (name, raw) in values)
            {
                var field = Editable.FirstOrDefault(f => f.Name == name);
                if (field is null)
                {
                    errors.Add(new SettingsError(name, $"This field cannot be corrected. Fields that can: {string.Join(", ", Editable.Select(f => f.Name))}."));
                    continue;
                }

                if (raw is { } given && (given.Length > field.MaxLength || FileNames.HasMisleadingCharacter(given)))
                {
                    errors.Add(new SettingsError(name, $"Give at most {field.MaxLength} characters, without line breaks, control or direction-changing characters."));
                    continue;
                }

                var value = raw?.Trim();

                DateOnly? date = null;
                if (field.Type == EditableFieldType.Date && value is { Length: > 0 })
                {
                    if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                    {
                        errors.Add(new SettingsError(name, "Give the date as yyyy-MM-dd, such as 2026-03-31."));
                        continue;
                    }

                    date = parsed;
                }

                switch (name)
                {
                    case "invoiceNumber" when string.IsNullOrEmpty(value):
                        errors.Add(new SettingsError(name, "An invoice needs its number."));
                        break;
                    case "invoiceNumber":
                        invoice = invoice with { Number = value };
                        break;
                    case "issueDate" when date is null:
                        errors.Add(new SettingsError(name, "An invoice needs its issue date."));
                        break;
                    case "issueDate":
                        invoice = invoice with { IssueDate = date };
                        break;
                    case "dueDate":
                        invoice = invoice with { DueDate = date };
                        break;
                    case "supplierName" when string.IsNullOrEmpty(value):
                        errors.Add(new SettingsError(name, "An invoice needs its supplier's name."));
                        break;
                    case "supplierName":
                        invoice = invoice with { Supplier = invoice.Supplier with { Name = value } };
                        break;
                    case "supplierVatId" when value is { Length: > 0 } && (value.Length < 4 || !char.IsAsciiLetterUpper(value[0]) || !char.IsAsciiLetterUpper(value[1]) || !value.All(char.IsAsciiLetterOrDigit)):
                        errors.Add(new SettingsError(name, "Give the VAT id with its country prefix in capitals, letters and digits only, such as DE123456789."));
                        break;
                    case "supplierVatId":
                        invoice = invoice with { Supplier = invoice.Supplier with { VatId = string.IsNullOrEmpty(value) ? null : value } };
                        break;
                }
            }

            if (errors.Count > 0)
            {
                return EditedItem.Refused([.. errors]);
            }

            // A number or supplier the correction changed must not repeat another invoice; one it left alone stays as
            // the checks found it.
            var supplierKey = invoice.Supplier.Identity;
            var renumbered = InvoiceHistory.NormaliseNumber(invoice.Number) != InvoiceHistory.NormaliseNumber(document.Invoice.Number) || supplierKey != document.SupplierKey;
            if (renumbered && InvoiceHistory.NormaliseNumber(invoice.Number) is { } number && supplierKey is not null)
            {
                var candidates = (await context.History.MatchingAsync(KindKey, null, supplierKey, invoice.Number, includeShadow: false, cancellationToken))
                    .Concat(number == invoice.Number ? [] : await context.History.MatchingAsync(KindKey, null, supplierKey, number, includeShadow: false, cancellationToken));
                if (candidates.FirstOrDefault(c => c.WorkItemId != workItemId && c.Summary.Type == document.DocumentType
                        && InvoiceHistory.NormaliseNumber(c.Summary.Reference) == number) is { } other)
                {
                    errors.Add(new SettingsError("invoiceNumber", $"The supplier's {InvoiceHistory.Describe(document.DocumentType)} {other.Summary.Reference} is already known (work item {other.WorkItemId}): a corrected number must not repeat another invoice."));
                    return EditedItem.Refused([.. errors]);
                }
            }

            var corrected = document with
            {
                Invoice = invoice,
                SupplierKey = supplierKey,
                ContentKey = InvoiceHistory.ContentKey(invoice),
                Findings = InvoiceVerifier.Verify(invoice),
                Checks = renumbered ? [.. document.Checks.Where(c => c.Code != "duplicate")] : document.Checks,
            };
            return new EditedItem(Prepared(corrected, JsonSerializer.Serialize(corrected, InvoiceIntakeJson.Default.InvoiceDocument)), []);
        }

        /// <summary>
        /// Undoes a posted invoice: a reversal line (amounts negated) in this run's export when the invoice was exported,
        /// and a reversal post under its own idempotency key when it was posted to the webhook, each at most once.
        /// </summary>
        public async Task CompensateAsync(ActionContext action, PreparedItem item, CancellationToken cancellationToken)
        {
            var document = (InvoiceDocument)item.Model;
            var reversal = document.Posting(action.WorkItemId, action.IdempotencyKey).Reversal($"{action.IdempotencyKey}:{ReversalSuffix}");
            if (!string.IsNullOrWhiteSpace(_settings.WebhookUrl) && await action.IsAppliedAsync("webhook", cancellationToken)
                && !await action.IsAppliedAsync($"{ReversalSuffix}:webhook", cancellationToken))
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(reversal, InvoiceIntakeJson.Default.InvoicePosting);
                var status = await Poster.PostAsync(_settings.WebhookUrl, reversal.IdempotencyKey, body, cancellationToken,
                    string.IsNullOrEmpty(_settings.WebhookSecret) ? null : (_settings.WebhookSecretHeader, _settings.WebhookSecret));
                var detail = $"HTTP {status.ToString(CultureInfo.InvariantCulture)}";
                await action.RecordNowAsync("webhook-reversal", _settings.WebhookUrl, detail, $"{ReversalSuffix}:webhook", cancellationToken);
                action.Record("webhook-reversal", _settings.WebhookUrl, detail, keySuffix: $"{ReversalSuffix}:webhook");
            }

            if (await action.IsAppliedAsync(InvoiceExport.KeySuffix, cancellationToken))
            {
                _exportFile ??= InvoiceExport.FileFor(_folders.Outbox, _started, context.RunId);
                action.Record(InvoiceExport.LineType, _exportFile, reversal.CsvLine(), keySuffix: $"{ReversalSuffix}:{InvoiceExport.KeySuffix}");
            }
        }

        private WebhookPoster Poster { get; } = poster;

        public Task<string?> AcknowledgeAsync(SourceItem item, SourceOutcome outcome, string? reason, CancellationToken cancellationToken) =>
            item.SourceState is ReadAhead { File: { } file } ? _folders.Folder.MoveAsync(file.Path, outcome, reason, cancellationToken) : Task.FromResult<string?>(null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static SourceItem Item(ReadAhead read) => new(read.File!.Key, read.File.Path, read.File.Content) { SourceState = read, HandedIn = read.HandedIn, Refusal = read.File.Refusal };

        private void Waiting(string message) => context.Log(LogLevelName.Info, message);

        private static PreparedItem Prepared(InvoiceDocument document, string payload)
        {
            var invoice = document.Invoice;
            return new PreparedItem(document, payload, new ItemSummary(
                Reference: invoice.Number,
                Party: invoice.Supplier.Name,
                PartyId: document.SupplierKey,
                Amount: document.SignedPayable,
                Currency: invoice.Currency,
                Type: document.DocumentType,
                Date: invoice.IssueDate,
                ContentKey: document.ContentKey));
        }

        /// <summary>
        /// Every invoice of every invoice-intake automation, except quarantined files. A live run compares with live
        /// invoices only (a shadow result is not a real invoice); a shadow run with both.
        /// </summary>
        private async Task<InvoiceHistory> LoadHistoryAsync(CancellationToken cancellationToken)
        {
            var history = new InvoiceHistory();
            await foreach (var item in context.History.OfKindAsync(KindKey, includeShadow: context.Mode.Lane() == Lane.Shadow, cancellationToken))
            {
                var summary = item.Summary;
                history.Add(summary.PartyId, summary.ContentKey, new InvoiceEvidence(item.WorkItemId, item.AutomationId, summary.Reference, summary.Party,
                    summary.Type ?? nameof(InvoiceDocumentType.Invoice), summary.Date, summary.Amount, summary.Currency, item.ReceivedAt));
            }

            return history;
        }
    }
}
