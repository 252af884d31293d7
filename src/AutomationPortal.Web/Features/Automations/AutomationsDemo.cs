using AutomationPortal.Web.Features.Automations.Kinds.Sample;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>
/// Demo mode: an automation of the sample kind that reads a demo inbox every five minutes, with two weeks of
/// run history, so every automation page has something to show. Its runs are stamped Demo and never count.
/// </summary>
internal sealed class AutomationsDemoTask(
    IOptions<DemoOptions> demo,
    PortalDbContext db,
    AutomationService automations,
    PortalDatabase database,
    TimeProvider time) : IStartupTask
{
    public const string DemoName = "Demo: numbers inbox";

    public int Order => 120;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!demo.Value.Enabled || await db.Set<Automation>().AnyAsync(a => a.Name == DemoName, cancellationToken))
        {
            return;
        }

        var settings = System.Text.Json.JsonDocument.Parse("""{"inboxPath":"demo/numbers/inbox","outboxPath":"demo/numbers/outbox","escalateAbove":500,"settleSeconds":0}""").RootElement;
        // The history is illustrative: fires before now are not reported as missed.
        var created = await automations.CreateAsync(new AutomationRequest(SampleInboxKind.KindKey, DemoName, settings, "0 */5 * * * ?", "Etc/UTC", AutomationState.Production,
            ImplementationCost: 1200m, MonthlyRunningCost: 25m), demo: true, cancellationToken);
        SeedHistory(created.Id);
        await db.SaveChangesAsync(cancellationToken);
        SeedInbox();
    }

    private void SeedHistory(Guid automationId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var random = new Random(20261126);
        for (var day = 14; day >= 1; day--)
        {
            foreach (var hour in new[] { 9, 15 })
            {
                var due = now.Date.AddDays(-day).AddHours(hour);
                var read = random.Next(8, 40);
                var escalated = random.Next(0, 4);
                var failed = random.Next(0, 10) == 0 ? random.Next(1, 3) : 0;
                var started = due.AddMilliseconds(random.Next(20, 400));
                db.Add(new AutomationRun
                {
                    AutomationId = automationId,
                    Trigger = RunTrigger.Schedule,
                    Mode = RunMode.Demo,
                    SettingsVersion = 1,
                    ScheduledFor = due,
                    QueuedAt = due,
                    StartedAt = started,
                    EndedAt = started.AddSeconds(random.Next(2, 30)),
                    Status = failed > 0 ? RunStatus.PartiallySucceeded : RunStatus.Succeeded,
                    ItemsRead = read,
                    ItemsEscalated = escalated,
                    ItemsFailed = failed,
                    ItemsDone = read - escalated - failed,
                });
            }
        }
    }

    private void SeedInbox()
    {
        var inbox = Path.Combine(database.DataFolder, "demo", "numbers", "inbox");
        Directory.CreateDirectory(inbox);
        var values = new[] { "12.50", "48", "230.10", "19.99", "740", "5", "-3", "88.40", "1200", "64", "not a number", "310" };
        for (var i = 0; i < values.Length; i++)
        {
            File.WriteAllText(Path.Combine(inbox, $"item-{i + 1:00}.txt"), values[i]);
        }
    }
}
