using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.SampleInbox;

/// <summary>
/// The sample kind's demo: an automation that reads a demo inbox every five minutes, with two weeks of run history, so
/// every automation page has something to show.
/// </summary>
internal sealed class SampleInboxDemo : IKindDemo
{
    public const string DemoName = "Demo: numbers inbox";

    public int Order => 10;

    public async Task SeedAsync(AutomationDemo demo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(demo);
        var settings = System.Text.Json.JsonDocument.Parse("""{"inboxPath":"demo/numbers/inbox","outboxPath":"demo/numbers/outbox","escalateAbove":500,"settleSeconds":0}""").RootElement;
        // The history is illustrative: fires before now are not reported as missed.
        if (await demo.CreateOnceAsync(new AutomationRequest(SampleInboxKind.KindKey, DemoName, settings, "0 */5 * * * ?", "Etc/UTC", AutomationState.Production,
                ImplementationCost: 1200m, MonthlyRunningCost: 25m), cancellationToken) is not { } id)
        {
            return;
        }

        await demo.AddHistoryAsync(History(id, demo.Now), cancellationToken);
        SeedInbox(demo.DataFolder);
    }

    private static IEnumerable<AutomationRun> History(Guid automationId, DateTime now)
    {
        var random = new Random(20261126);
        for (var day = 14; day >= 1; day--)
        {
            foreach (var hour in new[] { 9, 15 })
            {
                var due = now.Date.AddDays(-day).AddHours(hour);
                var read = random.Next(8, 40);
                var escalated = random.Next(0, 4);
                // Now and then an unreadable file (quarantined: no fault) and, rarely, an action that failed (a fault).
                var quarantined = random.Next(0, 6) == 0 ? random.Next(1, 3) : 0;
                var failed = random.Next(0, 30) == 0 ? 1 : 0;
                var started = due.AddMilliseconds(random.Next(20, 400));
                yield return new AutomationRun
                {
                    AutomationId = automationId,
                    Trigger = RunTrigger.Schedule,
                    SettingsVersion = 1,
                    ScheduledFor = due,
                    QueuedAt = due,
                    StartedAt = started,
                    EndedAt = started.AddSeconds(random.Next(2, 30)),
                    Status = failed > 0 ? RunStatus.PartiallySucceeded : RunStatus.Succeeded,
                    ItemsRead = read,
                    ItemsEscalated = escalated,
                    ItemsFailed = failed,
                    ItemsQuarantined = quarantined,
                    ItemsDone = read - escalated - failed - quarantined,
                };
            }
        }
    }

    private static void SeedInbox(string dataFolder)
    {
        var inbox = Path.Combine(dataFolder, "demo", "numbers", "inbox");
        Directory.CreateDirectory(inbox);
        var values = new[] { "12.50", "48", "230.10", "19.99", "740", "5", "-3", "88.40", "1200", "64", "not a number", "310" };
        for (var i = 0; i < values.Length; i++)
        {
            File.WriteAllText(Path.Combine(inbox, $"item-{i + 1:00}.txt"), values[i]);
        }
    }
}
