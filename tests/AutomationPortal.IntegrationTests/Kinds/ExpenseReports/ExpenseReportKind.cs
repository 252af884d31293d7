using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.IntegrationTests.Kinds.ExpenseReports;

/// <summary>Settings of the expense-report kind (a kind added the way docs/automation-kinds.md "Adding a kind" says).</summary>
public sealed class ExpenseReportSettings
{
    /// <summary>The watched folder of expense reports (JSON); uploads go into "uploads" beside it.</summary>
    public string InboxPath { get; set; } = "expenses/inbox";

    /// <summary>Reports above this go to a person (reason over-limit).</summary>
    [Range(typeof(decimal), "0", "1000000")]
    public decimal ApprovalLimit { get; set; } = 250m;

    [Range(1L, 10_485_760L)]
    public long MaxFileBytes { get; set; } = 1_048_576;
}

/// <summary>One expense report as read: who spent what on what.</summary>
public sealed record ExpenseReport(string Number, string Employee, decimal Amount, string Currency, string Purpose);

/// <summary>
/// Expense reports: a JSON report per file, approved up to a limit and reimbursed (an entry in the effects ledger),
/// escalated above it, quarantined when it cannot be read.
/// </summary>
public sealed class ExpenseReportKind : IAutomationKind, IAcceptsUploads
{
    public const string KindKey = "expense-report";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Key => KindKey;

    public string DisplayName => "Expense reports";

    public string Description => "Reads expense reports, reimburses those up to the approval limit and hands the rest to a person.";

    public Type SettingsType => typeof(ExpenseReportSettings);

    public KindPresentation Presentation => ExpensePresentation.Instance;

    public UploadWords UploadWords { get; } = new("Upload expense reports", "Expense reports as JSON", "Each report is read and checked against the approval limit at once", "expense reports");

    public IEnumerable<SettingsError> Validate(object settings, KindValidationContext context)
    {
        var errors = new List<SettingsError>();
        KindSettings.ResolveFolder("inboxPath", ((ExpenseReportSettings)settings).InboxPath, context, errors);
        return errors;
    }

    public IReadOnlyList<KindFolder> Folders(object settings, string dataFolder)
    {
        var inbox = Folder(settings, dataFolder);
        return [new("Inbox", inbox.Inbox), new("Archive", inbox.Archive), new("Quarantine", inbox.Quarantine), new("Uploads", UploadsFolder(settings, dataFolder))];
    }

    public string UploadsFolder(object settings, string dataFolder) => InboxFolder.Beside(Folder(settings, dataFolder).Inbox, "uploads");

    public long MaxFileBytes(object settings) => ((ExpenseReportSettings)settings).MaxFileBytes;

    /// <summary>The run is built by the portal, so its constructor could take any service it needs besides these.</summary>
    public IKindRun Start(KindRunContext context, IKindRunFactory runs) => runs.Create<Run>(this, context, (ExpenseReportSettings)context.Settings);

    private static InboxFolder Folder(object settings, string dataFolder)
    {
        var inbox = KindSettings.FullPath(((ExpenseReportSettings)settings).InboxPath, dataFolder);
        return new InboxFolder(inbox, InboxFolder.Beside(inbox, "archive"), InboxFolder.Beside(inbox, "quarantine"));
    }

    private sealed class Run(ExpenseReportKind kind, KindRunContext context, ExpenseReportSettings settings) : IKindRun
    {
        private readonly ExpenseReportSettings _settings = settings;
        private readonly InboxFolder _inbox = Folder(settings, context.DataFolder);

        public async IAsyncEnumerable<SourceItem> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // Handed-in files (held ones first), then the watched folder; each keyed by the SHA-256 of its bytes.
            var uploads = kind.UploadsFolder(_settings, context.DataFolder);
            var held = context.Mode == Web.Features.Automations.Model.RunMode.Test ? [] : HandedInFolder(UploadFolders.Held(uploads)).Settled(TimeSpan.Zero, Log, mustExist: false);
            var handed = held.Concat(HandedInFolder(uploads).Settled(TimeSpan.Zero, Log, mustExist: false))
                .Select(info => InboxFolder.Read(info, _settings.MaxFileBytes)).OfType<InboxFile>().Select(f => (File: f, HandedIn: true));
            foreach (var (file, handedIn) in handed.Concat(_inbox.ReadSettled(TimeSpan.FromSeconds(1), _settings.MaxFileBytes, Log).Select(f => (File: f, HandedIn: false))))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                yield return new SourceItem(file.Key, file.Path, file.Content) { SourceState = file.Path, Refusal = file.Refusal, HandedIn = handedIn };
            }
        }

        public PreparedItem Prepare(SourceItem item, Guid workItemId)
        {
            ExpenseReport? report;
            try
            {
                report = JsonSerializer.Deserialize<ExpenseReport>(item.Content.Span, Json);
            }
            catch (JsonException e)
            {
                throw new ItemRejectedException($"{FileNames.Safe(Path.GetFileName(item.OriginalRef))}: not an expense report ({e.Message})");
            }

            if (report is not { Number.Length: > 0, Employee.Length: > 0 })
            {
                throw new ItemRejectedException("An expense report needs a number and an employee.");
            }

            return Prepared(report);
        }

        public PreparedItem Restore(string payload) => Prepared(JsonSerializer.Deserialize<ExpenseReport>(payload, Json)!);

        public ItemDecision Decide(PreparedItem item, DecisionContext decision) =>
            ((ExpenseReport)item.Model).Amount > ((ExpenseReportSettings)decision.Settings).ApprovalLimit ? ItemDecision.EscalateFor("over-limit") : ItemDecision.Approve();

        public Task ActAsync(ActionContext action, PreparedItem item, ItemDecision decision, CancellationToken cancellationToken)
        {
            var report = (ExpenseReport)item.Model;
            action.Record("reimbursement", report.Employee, report.Amount.ToString(CultureInfo.InvariantCulture) + " " + report.Currency);
            return Task.CompletedTask;
        }

        public Task CompleteAsync(RunCompletionContext completion, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string?> AcknowledgeAsync(SourceItem item, SourceOutcome outcome, string? reason, CancellationToken cancellationToken) =>
            item.SourceState is string file ? _inbox.MoveAsync(file, outcome, reason, cancellationToken) : Task.FromResult<string?>(null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static PreparedItem Prepared(ExpenseReport report) =>
            new(report, JsonSerializer.Serialize(report, Json), new ItemSummary(Reference: report.Number, Party: report.Employee, Amount: report.Amount, Currency: report.Currency, Type: "expense-report"));

        private InboxFolder HandedInFolder(string path) => new(path, _inbox.Archive, _inbox.Quarantine);

        private void Log(string message) => context.Log(Web.Features.Automations.Model.LogLevelName.Info, message);
    }
}
