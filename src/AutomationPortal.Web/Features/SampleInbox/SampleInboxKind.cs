using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.Web.Features.SampleInbox;

/// <summary>Settings of the sample kind. Every default is the initialiser here and in docs/automation-kinds.md.</summary>
public sealed class SampleInboxSettings
{
    /// <summary>Folder read for files holding one number each; relative to the data folder.</summary>
    [FolderSetting, Display(Name = "Inbox folder", Description = "Read for files that each hold one number. Relative to the data folder.")]
    public string InboxPath { get; set; } = "sample/inbox";

    /// <summary>Folder the act step writes one result file per approved item into.</summary>
    [FolderSetting, Display(Name = "Result folder", Description = "The act step writes one result file per approved item here.")]
    public string OutboxPath { get; set; } = "sample/outbox";

    /// <summary>Values above this go to a person (reason over-threshold).</summary>
    [Display(Name = "Escalate above", Description = "Values above this go to a person.")]
    [Range(typeof(decimal), "0", "1000000000")]
    public decimal EscalateAbove { get; set; } = 1000m;

    /// <summary>Also yield this many generated items (keys gen-0 … gen-N), for demos and measurements.</summary>
    [Display(Name = "Generated items", Description = "Also make this many items (gen-0 …), for demos and measurements.")]
    [Range(0, 10_000_000)]
    public int GenerateItems { get; set; }

    /// <summary>Milliseconds of simulated work per item.</summary>
    [Display(Name = "Work per item (ms)", Description = "Simulated work per item, in milliseconds.")]
    [Range(0, 60_000)]
    public int DelayMs { get; set; }

    /// <summary>A file changed within this many seconds is still being written and waits for the next run.</summary>
    [Display(Name = "Settle time (s)", Description = "A file changed this recently is still being written and waits for the next run.")]
    [Range(0, 3600)]
    public int SettleSeconds { get; set; } = 2;

    /// <summary>When false the act step records its effect in the ledger only and writes no file.</summary>
    [Display(Name = "Write result files", Description = "Off: the act step records its effect in the ledger only.")]
    public bool WriteOutbox { get; set; } = true;
}

/// <summary>
/// The sample kind that proves the engine's contract: numbers in files are approved, escalated above a threshold,
/// rejected when negative, and unreadable files are quarantined; approved items become result files.
/// </summary>
public sealed class SampleInboxKind : AutomationKind<SampleInboxSettings>
{
    public const string KindKey = "sample-inbox";

    public override string Key => KindKey;

    public override string DisplayName => "Sample: numbers inbox";

    public override string Description => "Reads files that each hold one number. Approves them, escalates values above a threshold, rejects negatives, quarantines anything unreadable, and writes a result file per approved item.";

    public override bool IsSample => true;

    protected override IEnumerable<SettingsError> Validate(SampleInboxSettings settings, KindValidationContext context)
    {
        var s = settings;
        var errors = new List<SettingsError>();
        KindSettings.ResolveFolder("inboxPath", s.InboxPath, context, errors);
        KindSettings.ResolveFolder("outboxPath", s.OutboxPath, context, errors);
        return errors;
    }

    protected override IKindRun Start(KindRunContext context, SampleInboxSettings settings, IKindRunFactory runs) => runs.Create<Run>(context, settings);

    public override KindPresentation Presentation => SamplePresentation.Instance;

    protected override IReadOnlyList<KindFolder> Folders(SampleInboxSettings settings, string dataFolder)
    {
        var s = settings;
        var folder = Folder(KindSettings.FullPath(s.InboxPath, dataFolder));
        return [new("Inbox", folder.Inbox), new("Archive", folder.Archive), new("Quarantine", folder.Quarantine), new("Outbox", KindSettings.FullPath(s.OutboxPath, dataFolder))];
    }

    /// <summary>The item: its name (the file name, or the generated key) and its value.</summary>
    internal sealed record Number(string Key, decimal Value);

    private static InboxFolder Folder(string inbox) => new(inbox, InboxFolder.Beside(inbox, "archive"), InboxFolder.Beside(inbox, "quarantine"));

    /// <summary>One run of the sample kind: its inbox, its generated items, its outbox.</summary>
    private sealed class Run(KindRunContext context, SampleInboxSettings settings) : IKindRun
    {
        private readonly SampleInboxSettings _settings = settings;
        private readonly InboxFolder _folder = Folder(KindSettings.FullPath(settings.InboxPath, context.DataFolder));
        private readonly string _outbox = KindSettings.FullPath(settings.OutboxPath, context.DataFolder);

        public async IAsyncEnumerable<SourceItem> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var file in _folder.ReadSettled(TimeSpan.FromSeconds(_settings.SettleSeconds), long.MaxValue, m => context.Log(LogLevelName.Info, m)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new SourceItem(file.Key[..32], file.Path, file.Content) { SourceState = file.Path, Refusal = file.Refusal };
            }

            for (var i = 0; i < _settings.GenerateItems; i++)
            {
                yield return new SourceItem($"gen-{i}", null, Encoding.UTF8.GetBytes((i % 1500).ToString(CultureInfo.InvariantCulture)));
            }
        }

        public PreparedItem Prepare(SourceItem item, Guid workItemId)
        {
            if (_settings.DelayMs > 0)
            {
                Thread.Sleep(_settings.DelayMs);
            }

            var text = Encoding.UTF8.GetString(item.Content.Span).Trim();
            if (text.Length == 0)
            {
                throw new ItemRejectedException("The file is empty: it should hold one number, such as 42.50.");
            }

            // No thousands separators: "1,5" must not quietly become 15.
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                var shown = text.Length > 40 ? text[..40] + "…" : text;
                throw new ItemRejectedException($"Line 1, column 1: '{shown}' is not a number; the file should hold one number, such as 42.50.");
            }

            var number = new Number(item.OriginalRef is { } file ? Path.GetFileName(file) : item.Key, value);
            return new PreparedItem(number, JsonSerializer.Serialize(number, SampleJson.Default.Number), new ItemSummary(Reference: number.Key, Amount: value, Type: "number"));
        }

        public PreparedItem Restore(string payload)
        {
            var number = JsonSerializer.Deserialize(payload, SampleJson.Default.Number)!;
            return new PreparedItem(number, payload, new ItemSummary(Reference: number.Key, Amount: number.Value, Type: "number"));
        }

        public ItemDecision Decide(PreparedItem item, DecisionContext decision)
        {
            var value = ((Number)item.Model).Value;
            var settings = TypedSettings(decision.Settings);
            if (value < 0)
            {
                return ItemDecision.RejectFor("negative-value");
            }

            return value > settings.EscalateAbove ? ItemDecision.EscalateFor("over-threshold") : ItemDecision.Approve();
        }

        public async Task ActAsync(ActionContext action, PreparedItem item, ItemDecision decision, CancellationToken cancellationToken)
        {
            var number = (Number)item.Model;
            if (!_settings.WriteOutbox)
            {
                action.Record("ledger-entry", "ledger", number.Value.ToString(CultureInfo.InvariantCulture));
                return;
            }

            // Idempotent by key: the file name is the item's key, written whole under a temporary name and renamed.
            Directory.CreateDirectory(_outbox);
            var target = Path.Combine(_outbox, $"{action.IdempotencyKey.Split(':')[^1]}.json");
            var temp = target + ".tmp";
            await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(new { item = number.Key, value = number.Value, decision = decision.Decision, idempotencyKey = action.IdempotencyKey }), cancellationToken);
            File.Move(temp, target, overwrite: true);
            action.Record("result-file", target);
        }

        public Task CompleteAsync(RunCompletionContext completion, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string?> AcknowledgeAsync(SourceItem item, SourceOutcome outcome, string? reason, CancellationToken cancellationToken) =>
            item.SourceState is string file ? _folder.MoveAsync(file, outcome, reason, cancellationToken) : Task.FromResult<string?>(null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>Compiled JSON for the sample's payload: no reflection per item.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(SampleInboxKind.Number))]
internal sealed partial class SampleJson : System.Text.Json.Serialization.JsonSerializerContext;
