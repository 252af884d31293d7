using System.Diagnostics;
using System.Net;
using AutomationPortal.IntegrationTests.Automations;
using AutomationPortal.IntegrationTests.InvoiceIntake;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Escalations;

/// <summary>
/// The built portal as a child process, killed with SIGKILL between a person's approval and its action, and started
/// again: nobody does anything after the restart, yet within seconds the invoice is booked once (by its idempotency
/// key) and exported once.
/// </summary>
public sealed class EscalationCrashTests
{
    private static readonly TimeSpan AfterRestart = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AnApprovalWhosePostIsCutOffByAKillIsActedOnOnceAfterTheRestart()
    {
        // The accounting system books the post and then keeps the portal waiting for its answer, until the portal is gone.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort(), hold: answer.Task);
        await using var crash = await CrashedPortal.StartAsync("held");
        var (item, escalation) = await crash.EscalatedInvoiceAsync(receiver.Url);

        await Http.PostOkAsync(crash.Agent, $"api/escalations/{escalation}/claim");
        var resolved = await Http.PostOkAsync(crash.Agent, $"api/escalations/{escalation}/resolve", new { decision = "Approve", minutes = 2 });
        Assert.Equal("AwaitingAction", resolved.GetProperty("item").GetProperty("status").GetString());
        await AutomationApi.WaitUntilAsync(() => Task.FromResult(receiver.Received == 1), TimeSpan.FromSeconds(10), "the approval's post reached the receiver");
        await crash.KillAsync();
        Assert.Equal("AwaitingAction", await crash.StatusAsync(item));
        Assert.Equal(0, await crash.CountAsync("SELECT COUNT(*) FROM Effects"));
        answer.SetResult();

        await crash.RestartAndWaitUntilDoneAsync(item);

        // Booked once: the restart's post carried the same key and the receiver dropped it as a repeat.
        Assert.Single(receiver.Booked);
        Assert.Equal(1, receiver.Repeats);
        Assert.Equal(1, await crash.CountAsync("SELECT COUNT(*) FROM Effects WHERE Type = 'webhook-post'"));
        Assert.Equal(1, await crash.CountAsync("SELECT COUNT(*) FROM Effects WHERE Type = 'export-line' AND Status = 'Applied'"));
        Assert.Single(InvoiceQueue.LinesOf(crash.Outbox, "HELD-0"));
        Assert.Equal(1, await crash.CountAsync("SELECT COUNT(*) FROM AutomationRuns WHERE Trigger = 'Handling' AND Status = 'Cancelled'"));
    }

    [Fact]
    public async Task AnApprovalRecordedJustBeforeAKillIsActedOnAtTheRestartNotAtTheNextScheduledFire()
    {
        await using var receiver = new WebhookReceiver(ChildPortal.FreePort());
        await using var crash = await CrashedPortal.StartAsync("recorded");
        var (item, escalation) = await crash.EscalatedInvoiceAsync(receiver.Url);
        await Http.PostOkAsync(crash.Agent, $"api/escalations/{escalation}/claim");
        await crash.KillAsync();

        // What a resolve has committed when the portal dies before it starts the run that acts on it: the item approved
        // and waiting for its action, the escalation resolved, a run recorded but never handed to the scheduler.
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await crash.ExecuteAsync($"UPDATE WorkItems SET Status = 'AwaitingAction', Decision = 'approve' WHERE Id = '{Db(item)}'");
        await crash.ExecuteAsync($"UPDATE Escalations SET Status = 'Resolved', ResolvedAt = '{now}', Version = Version + 1 WHERE Id = '{Db(escalation)}'");
        await crash.ExecuteAsync($"""
            INSERT INTO AutomationRuns (Id, AutomationId, Trigger, Mode, Status, QueuedAt, RequestedBy, SettingsVersion, Misfired,
                ItemsRead, ItemsDone, ItemsEscalated, ItemsFailed, ItemsQuarantined, ItemsRetried, ItemsSkipped)
            VALUES ('{Db(Guid.CreateVersion7())}', '{Db(crash.AutomationId)}', 'Handling', 'Shadow', 'Queued', '{now}', 'agent', 1, 0, 0, 0, 0, 0, 0, 0, 0)
            """);
        Assert.Equal(0, receiver.Received);

        await crash.RestartAndWaitUntilDoneAsync(item);

        Assert.Single(receiver.Booked);
        Assert.Equal(0, receiver.Repeats);
        Assert.Equal(1, await crash.CountAsync("SELECT COUNT(*) FROM Effects WHERE Type = 'export-line' AND Status = 'Applied'"));
        Assert.Single(InvoiceQueue.LinesOf(crash.Outbox, "RECORDED-0"));

        // The run recorded before the kill never started: it says so, and is not left queued for later approvals to wait on.
        Assert.Equal(0, await crash.CountAsync("SELECT COUNT(*) FROM AutomationRuns WHERE Status = 'Queued'"));
        Assert.Equal(1, await crash.CountAsync("SELECT COUNT(*) FROM AutomationRuns WHERE Trigger = 'Handling' AND Status = 'Succeeded'"));
    }

    private static string Db(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>A child portal on a data folder of its own, with an invoice automation and an Agent's API key.</summary>
    private sealed class CrashedPortal : IAsyncDisposable
    {
        private readonly string _folder;
        private readonly string _name;
        private readonly int _port = ChildPortal.FreePort();
        private readonly HttpClient _admin;
        private Process? _process;

        private CrashedPortal(string name)
        {
            _name = name;
            _folder = Path.Combine(Path.GetTempPath(), "portal-escalation-crash-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            _admin = ChildPortal.ClientFor(_port);
        }

        public HttpClient Agent { get; private set; } = null!;

        public Guid AutomationId { get; private set; }

        public string Outbox => InvoiceQueue.Outbox(_folder, _name);

        public static async Task<CrashedPortal> StartAsync(string name)
        {
            var portal = new CrashedPortal(name);
            portal._process = ChildPortal.Start(portal._folder, portal._port);
            await ChildPortal.WaitHealthyAsync(portal._admin, portal._process);
            var (status, key) = await Http.PostAsync(portal._admin, "api/admin/api-keys", new { name = "agent's script", role = "Agent" });
            Assert.Equal(HttpStatusCode.Created, status);
            portal.Agent = new HttpClient { BaseAddress = portal._admin.BaseAddress };
            portal.Agent.DefaultRequestHeaders.Add("X-Api-Key", key.GetProperty("key").GetString());
            return portal;
        }

        /// <summary>One invoice read by a run and waiting for a person: its work item and escalation.</summary>
        public async Task<(Guid Item, Guid Escalation)> EscalatedInvoiceAsync(string webhookUrl)
        {
            AutomationId = await InvoiceQueue.CreateAsync(_folder, _admin, _name, 1, new { inboxPath = $"{_name}/inbox", outboxPath = $"{_name}/outbox", webhookUrl, flagNewSuppliers = false, reviewThreshold = 1 });
            var api = new AutomationApi(_admin, _folder);
            await api.WaitForRunAsync(await api.RunNowAsync(AutomationId));
            var escalation = Assert.Single((await InvoiceQueue.EscalationsAsync(Agent, AutomationId, 1)).Values);
            return (escalation.GetProperty("workItemId").GetGuid(), Queue.Id(escalation));
        }

        public async Task KillAsync() => await ChildPortal.KillAsync(_process);

        /// <summary>Starts the portal again and waits, doing nothing else, until the item is done: within seconds.</summary>
        public async Task RestartAndWaitUntilDoneAsync(Guid item)
        {
            _process = ChildPortal.Start(_folder, _port);
            await ChildPortal.WaitHealthyAsync(_admin, _process);
            var watch = Stopwatch.StartNew();
            await AutomationApi.WaitUntilAsync(async () => await StatusAsync(item) == "Done", AfterRestart, "the item was acted on after the restart");
            Assert.True(watch.Elapsed < AfterRestart, $"Acted on {watch.Elapsed} after the restart.");

            // Whatever runs the restart started have ended: nothing else is on its way to the receiver.
            await AutomationApi.WaitUntilAsync(async () => await CountAsync("SELECT COUNT(*) FROM AutomationRuns WHERE Status IN ('Queued', 'Running')") == 0,
                AfterRestart, "the runs after the restart have ended");
        }

        /// <summary>The item's status as the database holds it (the portal may be down).</summary>
        public async Task<string?> StatusAsync(Guid item)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "portal.db")};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT Status FROM WorkItems WHERE Id = $id";
            command.Parameters.AddWithValue("$id", Db(item));
            return (string?)await command.ExecuteScalarAsync();
        }

        public Task<long> CountAsync(string sql) => ChildPortal.CountAsync(_folder, sql);

        public async Task ExecuteAsync(string sql)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "portal.db")};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // the test's own statements
            command.CommandText = sql;
#pragma warning restore CA2100
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await ChildPortal.KillAsync(_process);
            _admin.Dispose();
            Agent?.Dispose();
            PortalAppFactory.DeleteFolder(_folder);
        }
    }
}
