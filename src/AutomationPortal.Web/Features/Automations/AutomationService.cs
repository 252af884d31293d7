using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>What a person sends to create or change an automation. Missing values take their defaults.</summary>
public sealed record AutomationRequest(
    string? Kind,
    string? Name,
    System.Text.Json.JsonElement? Settings,
    string? Schedule,
    string? TimeZone,
    AutomationState? State,
    GuardrailsRequest? Guardrails = null,
    decimal? ImplementationCost = null,
    decimal? MonthlyRunningCost = null,
    string? CostCurrency = null,
    long? Version = null);

public sealed record GuardrailsRequest(decimal? MaxFailureRate, int? FailureRateWindow, int? MaxConsecutiveFailedRuns, decimal? MaxQuarantineRate = null, int? QuarantineRateWindow = null);

public sealed record AutomationRef(Guid Id, string Name);

/// <summary>An automation an emergency stop or its undoing left paused, and why.</summary>
public sealed record PausedAutomation(Guid Id, string Name, AutomationState State, string? PausedBy, DateTime? PausedAt, string Reason);

/// <summary>What Pause all or Resume all did: how many and which automations, and which it left paused and why.</summary>
public sealed record EmergencyStopResult(int Count, IReadOnlyList<AutomationRef> Automations, IReadOnlyList<PausedAutomation> LeftPaused);

/// <summary>States in words for sentences.</summary>
public static class AutomationStateWords
{
    public static string Of(AutomationState state) => state == AutomationState.AutoPaused ? "auto-paused" : state.ToString().ToLowerInvariant();
}

/// <summary>Refused input to an automation, by field (camelCase, settings fields as settings.x).</summary>
public sealed class AutomationValidationException(IReadOnlyDictionary<string, string[]> errors) : PortalValidationException(errors)
{
    public static AutomationValidationException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

public sealed class AutomationNotFoundException(Guid id) : NotFoundException($"No automation has the id {id}: check the link or the id you used.");

public sealed record AutomationSummary(
    Guid Id,
    string Kind,
    string Name,
    AutomationState State,
    string Schedule,
    string? ScheduleDescription,
    string TimeZone,
    DateTime? NextRunAt,
    RunSummary? LastRun,
    double? SuccessRate7Days,
    int OpenAlerts,
    bool IsDemo,
    long Version);

/// <summary>
/// A run's outcome and counts. ItemsRead counts what the run read for the first time; ItemsSkipped what it had seen
/// before; ItemsFailed faults (failed actions); ItemsQuarantined unreadable input put aside with its reason;
/// ItemsRetried earlier runs' items whose action was tried again (each also counted as done or failed).
/// </summary>
public sealed record RunSummary(Guid Id, RunTrigger Trigger, RunMode Mode, RunStatus Status, DateTime QueuedAt, DateTime? StartedAt, DateTime? EndedAt, int ItemsRead, int ItemsDone, int ItemsEscalated, int ItemsFailed, int ItemsSkipped, bool Misfired, string? SkipReason, int ItemsQuarantined = 0, string? StopReason = null, int ItemsRetried = 0);

public sealed record AutomationDetail(
    Guid Id,
    string Kind,
    string KindName,
    string Name,
    AutomationState State,
    AutomationState? StateBeforePause,
    System.Text.Json.JsonElement Settings,
    int SettingsVersion,
    string Schedule,
    string? ScheduleDescription,
    string TimeZone,
    IReadOnlyList<DateTime> NextRuns,
    Guardrails Guardrails,
    decimal ImplementationCost,
    decimal MonthlyRunningCost,
    string CostCurrency,
    string OwnerName,
    bool IsDemo,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    long Version,
    IReadOnlyList<KindFolder> Folders,
    string? PausedBy = null,
    DateTime? PausedAt = null,
    string? PauseDescription = null);

/// <summary>
/// Everything people do with automations: create, change, pause, resume, run now, emergency stop. Every call that
/// changes something checks on the server that the caller is an Admin; every change is audited by the save interceptor.
/// </summary>
public sealed class AutomationService(
    PortalDbContext db,
    AutomationKindCatalog kinds,
    AutomationScheduler scheduler,
    CurrentActor currentActor,
    IOptions<OrganisationOptions> organisation,
    IOptions<FilesOptions> files,
    PortalDatabase database,
    RunStops stops,
    SecretSettings secrets,
    IServiceProvider services,
    TimeProvider time,
    ILogger<AutomationService> logger)
{
    public KindValidationContext ValidationContext => new(files.Value.AllowedRootsOrDefault(database.DataFolder), database.DataFolder);

    public async Task<IReadOnlyList<AutomationSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var automations = await db.Set<Automation>().AsNoTracking().OrderBy(a => a.Name).ToListAsync(cancellationToken);
        var since = Now.AddDays(-7);
        var runs = await db.Set<AutomationRun>().AsNoTracking()
            .Where(r => r.QueuedAt >= since && r.SkipReason == null
                && (r.Status == RunStatus.Succeeded || r.Status == RunStatus.PartiallySucceeded || r.Status == RunStatus.Failed || r.Status == RunStatus.Stopped))
            .Select(r => new { r.AutomationId, r.Status, Work = r.ItemsDone + r.ItemsEscalated + r.ItemsFailed + r.ItemsQuarantined, Faults = r.ItemsFailed })
            .ToListAsync(cancellationToken);
        var alerts = await db.Set<Alert>().AsNoTracking().Where(a => a.AcknowledgedAt == null).GroupBy(a => a.AutomationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        // Each automation's latest run that was not skipped, in one query.
        var latest = (await db.Set<AutomationRun>().AsNoTracking()
                .Where(r => r.SkipReason == null && r.QueuedAt == db.Set<AutomationRun>()
                    .Where(x => x.AutomationId == r.AutomationId && x.SkipReason == null).Max(x => x.QueuedAt))
                .ToListAsync(cancellationToken))
            .GroupBy(r => r.AutomationId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Id).First());
        var summaries = new List<AutomationSummary>(automations.Count);
        foreach (var a in automations)
        {
            var last = latest.GetValueOrDefault(a.Id);
            var rate = SuccessRate(runs.Where(r => r.AutomationId == a.Id).Select(r => (r.Status, r.Work, r.Faults)));
            summaries.Add(new AutomationSummary(a.Id, a.Kind, a.Name, a.State, a.Schedule, CronSchedule.Describe(a.Schedule), a.TimeZone,
                await scheduler.NextFireAsync(a.Id, cancellationToken), last is null ? null : Summarise(last), rate, alerts.GetValueOrDefault(a.Id), a.IsDemo, a.Version));
        }

        return summaries;
    }

    /// <summary>
    /// The success figure: of the finished (or stopped) runs that had work (read something new, retried an action, or
    /// failed outright), the share that finished without a fault. Empty runs are left out; quarantined bad input is the
    /// automation doing its job and no fault. Null when no run had work.
    /// </summary>
    public static double? SuccessRate(IEnumerable<(RunStatus Status, int Work, int Faults)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var counted = runs.Where(r => r.Work > 0 || r.Status == RunStatus.Failed).ToList();

        // A run stopped by a pause did what it did: without a failed action it counts as a success.
        return counted.Count == 0 ? null
            : (double)counted.Count(r => r.Status == RunStatus.Succeeded || (r.Status == RunStatus.Stopped && r.Faults == 0)) / counted.Count;
    }

    /// <summary>What the success figure counts, for its tooltip.</summary>
    public const string SuccessRateExplained =
        "Of the last 7 days' runs that had work, the share that finished without a fault (a failed action or error). Empty runs are left out, and quarantined bad input is not a fault.";

    public async Task<AutomationDetail> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var a = await db.Set<Automation>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken) ?? throw new AutomationNotFoundException(id);
        var kind = kinds.Find(a.Kind);
        using var settings = System.Text.Json.JsonDocument.Parse(SecretSettings.Masked(kind, a.Settings));
        var next = Automation.IsRunnable(a.State) ? CronSchedule.NextFireTimes(a.Schedule, a.TimeZone, time.GetUtcNow(), 5) : [];
        return new AutomationDetail(a.Id, a.Kind, kind?.DisplayName ?? a.Kind, a.Name, a.State, a.StateBeforePause, settings.RootElement.Clone(), a.SettingsVersion,
            a.Schedule, CronSchedule.Describe(a.Schedule), a.TimeZone, next, a.Guardrails, a.ImplementationCost, a.MonthlyRunningCost, a.CostCurrency,
            a.OwnerName, a.IsDemo, a.CreatedAt, a.UpdatedAt, a.Version, FoldersOf(kind, a), a.PausedBy, a.PausedAt, a.PauseDescription);
    }

    private IReadOnlyList<KindFolder> FoldersOf(IAutomationKind? kind, Automation automation)
    {
        try
        {
            return kind is null ? [] : kind.Folders(KindSettings.Read(kind, automation.Settings), database.DataFolder);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    /// <summary>Missing folders are created when an automation is saved, so files can be dropped in at once.</summary>
    private void CreateFolders(IAutomationKind? kind, Automation automation)
    {
        foreach (var folder in FoldersOf(kind, automation))
        {
            try
            {
                Directory.CreateDirectory(folder.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not create {Folder} folder {Path} of automation {Name}: {Message}. Runs try again.", folder.Name, folder.Path, automation.Name, e.Message);
            }
        }
    }

    public Task<AutomationDetail> CreateAsync(AutomationRequest request, CancellationToken cancellationToken = default) =>
        CreateAsync(request, demo: false, cancellationToken);

    /// <summary>Creates an automation; a demo one's runs are stamped Demo and its earlier (seeded) fires are not missed ones.</summary>
    internal async Task<AutomationDetail> CreateAsync(AutomationRequest request, bool demo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("create automations");
        var errors = new Dictionary<string, string[]>();
        var kind = string.IsNullOrWhiteSpace(request.Kind) ? null : kinds.Find(request.Kind.Trim());
        if (kind is null)
        {
            errors["kind"] = [$"Choose a built-in kind: {string.Join(", ", kinds.All.Select(k => k.Key))}."];
        }

        var automation = new Automation
        {
            Kind = kind?.Key ?? "",
            Name = "",
            Schedule = "0 0 * * * ?",
            TimeZone = organisation.Value.TimeZone,
            CostCurrency = organisation.Value.BaseCurrency,
            OwnerId = actor.Kind == ActorKind.User ? actor.Id : null,
            OwnerName = actor.Name,
        };
        Apply(automation, kind, request, errors, creating: true, actor.Name);
        await EnsureUniqueNameAsync(automation, errors, cancellationToken);
        ThrowIfAny(errors);
        if (demo)
        {
            automation.IsDemo = true;
            automation.ResumedAt = Now;
        }

        db.Add(automation);
        await db.SaveChangesAsync(cancellationToken);
        CreateFolders(kind, automation);
        await scheduler.ScheduleAsync(automation, cancellationToken);
        return await GetAsync(automation.Id, cancellationToken);
    }

    public async Task<AutomationDetail> UpdateAsync(Guid id, AutomationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("change automations");
        if (request.Version is null)
        {
            throw AutomationValidationException.For("version", "Give the version you read (from GET /api/automations/{id}), so a change made meanwhile by someone else is not overwritten.");
        }

        var automation = await LoadAsync(id, request.Version, cancellationToken);
        var wasPaused = automation.IsPaused;
        var wasDraft = automation.State == AutomationState.Draft;
        var pausedAt = automation.PausedAt;
        var errors = new Dictionary<string, string[]>();
        if (request.Kind is not null && request.Kind != automation.Kind)
        {
            errors["kind"] = ["The kind of an automation cannot change; create a new automation instead."];
        }

        var pausing = Apply(automation, kinds.Find(automation.Kind), request, errors, creating: false, actor.Name);
        await EnsureUniqueNameAsync(automation, errors, cancellationToken);
        ThrowIfAny(errors);
        if (wasPaused && !automation.IsPaused)
        {
            await AcknowledgeAlertsAsync(automation.Id, actor.Name, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        CreateFolders(kinds.Find(automation.Kind), automation);
        await scheduler.ScheduleAsync(automation, cancellationToken);
        if (pausing)
        {
            stops.RequestStop(automation.Id, automation.PauseDescription ?? $"paused by {actor.Name}");
        }
        else if ((wasPaused || wasDraft) && Automation.IsRunnable(automation.State))
        {
            // Switched on: what was handed in while it was off (held uploads) is processed now.
            await RunHeldInputAsync(automation, pausedAt, actor.Name, cancellationToken);
        }

        return await GetAsync(automation.Id, cancellationToken);
    }

    /// <summary>
    /// Switches the automation off: the schedule stops, nothing is deleted, the state becomes Paused, and a going
    /// run stops after the item it is on.
    /// </summary>
    public async Task<AutomationDetail> PauseAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("pause automations");
        await LoadAsync(id, null, cancellationToken);

        // A pause is an intent, not an edit of what someone read: a change at the same moment is no reason to refuse it.
        if (await ChangeAsync(id, a => a.Pause(actor.Name, Now), cancellationToken) is { } automation)
        {
            await scheduler.ApplyStateAsync(automation, cancellationToken);
            stops.RequestStop(automation.Id, automation.PauseDescription ?? $"paused by {actor.Name}");
        }

        return await GetAsync(id, cancellationToken);
    }

    /// <summary>
    /// Switches the automation back on in the state it had before the pause. The resume is the acknowledgement:
    /// open alerts are acknowledged and the guardrails count only what happens from now on. Input held while it was
    /// paused is processed at once.
    /// </summary>
    public async Task<AutomationDetail> ResumeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("resume automations");
        await LoadAsync(id, null, cancellationToken);
        DateTime? pausedAt = null;
        if (await ChangeAsync(id, a =>
            {
                pausedAt = a.PausedAt;
                return a.Resume(Now);
            }, cancellationToken, acknowledgeAlertsBy: actor.Name) is { } automation)
        {
            await scheduler.ApplyStateAsync(automation, cancellationToken);
            await RunHeldInputAsync(automation, pausedAt, actor.Name, cancellationToken);
        }

        return await GetAsync(id, cancellationToken);
    }

    /// <summary>
    /// Emergency stop: pauses every automation that runs, recorded as one stop that Resume all undoes. Each automation is
    /// paused on its own and tried again when someone changed it at the same moment, so one edit cannot keep the rest
    /// running; pressing it again pauses whatever a stop in the middle left running.
    /// </summary>
    public async Task<EmergencyStopResult> PauseAllAsync(CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("pause all automations");
        var stop = new EmergencyStop { PausedBy = actor.Name };
        db.Add(stop);
        await db.SaveChangesAsync(cancellationToken);
        var candidates = (await db.Set<Automation>().AsNoTracking().Select(a => new { a.Id, a.State }).ToListAsync(cancellationToken))
            .Where(a => Automation.IsRunnable(a.State)).Select(a => a.Id).ToList();
        var paused = new List<Automation>();
        foreach (var id in candidates)
        {
            if (await ChangeAsync(id, a => Automation.IsRunnable(a.State) && a.Pause(actor.Name, Now, stop.Id), cancellationToken) is { } automation)
            {
                paused.Add(automation);
                await scheduler.ApplyStateAsync(automation, cancellationToken);
                stops.RequestStop(automation.Id, automation.PauseDescription ?? $"paused by {actor.Name} with Pause all");
            }
        }

        await ChangeStopAsync(stop.Id, s => s.AutomationsPaused = paused.Count, cancellationToken);
        return new EmergencyStopResult(paused.Count, paused.Select(a => new AutomationRef(a.Id, a.Name)).ToList(), await LeftPausedAsync(paused.Select(a => a.Id).ToHashSet(), cancellationToken));
    }

    /// <summary>
    /// Undoes the emergency stops: resumes exactly the automations Pause all paused and that are still paused by it.
    /// Those paused on their own, before or after, and those that paused themselves stay paused, each with its reason.
    /// </summary>
    public async Task<EmergencyStopResult> ResumeAllAsync(CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("resume all automations");
        var stopIds = await db.Set<EmergencyStop>().AsNoTracking().Where(s => s.ResumedAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        var candidates = await db.Set<Automation>().AsNoTracking()
            .Where(a => a.State == AutomationState.Paused && a.EmergencyStopId != null && stopIds.Contains(a.EmergencyStopId.Value))
            .Select(a => a.Id).ToListAsync(cancellationToken);
        var resumed = new List<Automation>();
        foreach (var id in candidates)
        {
            DateTime? pausedAt = null;
            var automation = await ChangeAsync(id, a =>
            {
                pausedAt = a.PausedAt;
                return a.State == AutomationState.Paused && a.EmergencyStopId is { } by && stopIds.Contains(by) && a.Resume(Now);
            }, cancellationToken, acknowledgeAlertsBy: actor.Name);
            if (automation is not null)
            {
                resumed.Add(automation);
                await scheduler.ApplyStateAsync(automation, cancellationToken);
                await RunHeldInputAsync(automation, pausedAt, actor.Name, cancellationToken);
            }
        }

        foreach (var stopId in stopIds)
        {
            await ChangeStopAsync(stopId, s =>
            {
                s.ResumedAt ??= Now;
                s.ResumedBy ??= actor.Name;
            }, cancellationToken);
        }

        return new EmergencyStopResult(resumed.Count, resumed.Select(a => new AutomationRef(a.Id, a.Name)).ToList(), await LeftPausedAsync(resumed.Select(a => a.Id).ToHashSet(), cancellationToken));
    }

    /// <summary>
    /// Changes one automation and saves it; when someone changed it at the same moment, starts again from the fresh row.
    /// Returns the saved automation, or null when <paramref name="change"/> found nothing to do.
    /// </summary>
    private async Task<Automation?> ChangeAsync(Guid id, Func<Automation, bool> change, CancellationToken cancellationToken, string? acknowledgeAlertsBy = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var automation = await db.Set<Automation>().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
            if (automation is null || !change(automation))
            {
                return null;
            }

            if (acknowledgeAlertsBy is not null)
            {
                await AcknowledgeAlertsAsync(id, acknowledgeAlertsBy, cancellationToken);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return automation;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                logger.LogInformation("Automation {Id} was changed at the same moment; trying again.", id);
            }
        }
    }

    private async Task ChangeStopAsync(Guid id, Action<EmergencyStop> change, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        if (await db.Set<EmergencyStop>().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is { } stop)
        {
            change(stop);
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>The automations that are paused and not part of <paramref name="handled"/>, each with why it is paused.</summary>
    private async Task<IReadOnlyList<PausedAutomation>> LeftPausedAsync(HashSet<Guid> handled, CancellationToken cancellationToken) =>
        (await db.Set<Automation>().AsNoTracking().Where(a => a.State == AutomationState.Paused || a.State == AutomationState.AutoPaused).OrderBy(a => a.Name).ToListAsync(cancellationToken))
            .Where(a => !handled.Contains(a.Id))
            .Select(a => new PausedAutomation(a.Id, a.Name, a.State, a.PausedBy, a.PausedAt, a.State == AutomationState.AutoPaused
                ? "It paused itself (guardrails): look at its alert, then resume it on its page."
                : a.EmergencyStopId is null
                    ? $"Paused on its own by {a.PausedBy ?? "an Admin"}, not by Pause all: resume it on its page."
                    : "Paused by Pause all."))
            .ToList();

    /// <summary>
    /// After a resume: a run now for what waited during the pause (files handed in, runs held or stopped by it), so
    /// held work does not wait for the next scheduled fire.
    /// </summary>
    private async Task RunHeldInputAsync(Automation automation, DateTime? pausedAt, string actorName, CancellationToken cancellationToken)
    {
        var kind = kinds.Find(automation.Kind);
        if (kind is not null)
        {
            try
            {
                kind.Resumed(KindSettings.Read(kind, automation.Settings), services);
            }
            catch (System.Text.Json.JsonException e)
            {
                logger.LogWarning("Could not tell {Name}'s kind of its resume: {Message}", automation.Name, e.Message);
            }
        }

        // Runs stopped or held by this pause (ended since it), a run still going (it may be stopping: the new one waits
        // behind it), or files handed in meanwhile.
        var since = pausedAt ?? DateTime.MinValue;
        var held = await db.Set<AutomationRun>().AnyAsync(r => r.AutomationId == automation.Id
                && ((r.Status == RunStatus.Stopped && r.EndedAt >= since) || r.Status == RunStatus.Running || r.Status == RunStatus.Queued), cancellationToken)
            || (kind is not null && HasHeldInput(kind, automation));
        if (!held)
        {
            return;
        }

        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Resume, QueuedAt = Now, RequestedBy = actorName };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(automation.Id, run.Id, cancellationToken);
    }

    private bool HasHeldInput(IAutomationKind kind, Automation automation)
    {
        try
        {
            return kind.HasHeldInput(KindSettings.Read(kind, automation.Settings), database.DataFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Could not look for held input of {Name}: {Message}", automation.Name, e.Message);
            return false;
        }
    }

    private async Task AcknowledgeAlertsAsync(Guid automationId, string by, CancellationToken cancellationToken)
    {
        foreach (var alert in await db.Set<Alert>().Where(a => a.AutomationId == automationId && a.AcknowledgedAt == null).ToListAsync(cancellationToken))
        {
            alert.AcknowledgedAt = Now;
            alert.AcknowledgedBy = by;
        }
    }

    /// <summary>
    /// Queues a run now. When a run is going, this one waits for it (runs never overlap). A paused automation
    /// decides nothing: the request is refused with the reason, and Resume is the way on.
    /// </summary>
    public async Task<Guid> RunNowAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("start runs");
        var automation = await LoadAsync(id, null, cancellationToken);
        if (automation.IsPaused)
        {
            throw new ConflictException($"{automation.Name} is {AutomationStateWords.Of(automation.State)}: it was {automation.PauseDescription}. A paused automation decides nothing; resume it to run it.");
        }

        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Manual, QueuedAt = Now, RequestedBy = actor.Name };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await scheduler.TriggerNowAsync(automation.Id, run.Id, cancellationToken);
        return run.Id;
    }

    public async Task AcknowledgeAlertAsync(Guid alertId, CancellationToken cancellationToken = default)
    {
        var actor = await currentActor.GetAsync();
        actor.RequireAdmin("acknowledge alerts");
        var alert = await db.Set<Alert>().FirstOrDefaultAsync(a => a.Id == alertId, cancellationToken)
            ?? throw new NotFoundException($"No alert has the id {alertId}: check the link or the id you used.");
        if (alert is { AcknowledgedAt: null })
        {
            alert.AcknowledgedAt = Now;
            alert.AcknowledgedBy = actor.Name;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public static RunSummary Summarise(AutomationRun r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new RunSummary(r.Id, r.Trigger, r.Mode, r.Status, r.QueuedAt, r.StartedAt, r.EndedAt, r.ItemsRead, r.ItemsDone, r.ItemsEscalated, r.ItemsFailed, r.ItemsSkipped, r.Misfired, r.SkipReason, r.ItemsQuarantined, r.StopReason, r.ItemsRetried);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private async Task<Automation> LoadAsync(Guid id, long? expectedVersion, CancellationToken cancellationToken)
    {
        var automation = await db.Set<Automation>().FirstOrDefaultAsync(a => a.Id == id, cancellationToken) ?? throw new AutomationNotFoundException(id);
        if (expectedVersion is { } version && version != automation.Version)
        {
            throw new ConflictException($"{automation.Name} was changed by someone else meanwhile (version {automation.Version}, yours {version}). Reload it and try again.");
        }

        return automation;
    }

    private bool Apply(Automation automation, IAutomationKind? kind, AutomationRequest request, Dictionary<string, string[]> errors, bool creating, string actorName)
    {
        var pausing = false;
        if (request.Name is not null || creating)
        {
            var name = request.Name?.Trim() ?? "";
            if (name.Length is 0 or > 200)
            {
                errors["name"] = ["Give the automation a name of 1 to 200 characters."];
            }
            else
            {
                automation.Name = name;
            }
        }

        if (request.Schedule is not null)
        {
            if (CronSchedule.Validate(request.Schedule, time.GetUtcNow()) is { } problem)
            {
                errors["schedule"] = [problem];
            }
            else if (automation.Schedule != request.Schedule.Trim())
            {
                automation.Schedule = request.Schedule.Trim();
                automation.ResumedAt = Now;
            }
        }

        if (request.TimeZone is not null)
        {
            if (!TimeZones.IsIana(request.TimeZone))
            {
                errors["timeZone"] = [$"'{request.TimeZone}' is not an IANA time zone id (for example Europe/Berlin)."];
            }
            else if (automation.TimeZone != request.TimeZone)
            {
                automation.TimeZone = request.TimeZone;
                automation.ResumedAt = Now;
            }
        }

        if (request.State is { } state)
        {
            if (state is AutomationState.AutoPaused)
            {
                errors["state"] = ["Only the guardrails set AutoPaused. Use Paused to switch the automation off."];
            }
            else if (!Enum.IsDefined(state))
            {
                errors["state"] = ["Unknown state."];
            }
            else if (state != automation.State)
            {
                if (state == AutomationState.Paused)
                {
                    if (automation.IsPaused)
                    {
                        // AutoPaused to Paused: a person takes over the pause; what it restores stays.
                        automation.State = AutomationState.Paused;
                        automation.PausedBy = actorName;
                        automation.PausedAt = Now;
                        automation.EmergencyStopId = null;
                    }
                    else
                    {
                        automation.Pause(actorName, Now);
                        pausing = true;
                    }
                }
                else
                {
                    if (automation.IsPaused)
                    {
                        automation.ClearPause(Now);
                    }

                    automation.State = state;
                }
            }
        }

        if (request.Guardrails is { } g)
        {
            var limits = automation.Guardrails;
            limits.MaxFailureRate = Checked("guardrails.maxFailureRate", g.MaxFailureRate, limits.MaxFailureRate, 0m, 1m, "A share between 0 and 1, for example 0.2 for 20 %.", errors);
            limits.FailureRateWindow = Checked("guardrails.failureRateWindow", g.FailureRateWindow, limits.FailureRateWindow, 1, 10_000, "Between 1 and 10000 items.", errors);
            limits.MaxConsecutiveFailedRuns = Checked("guardrails.maxConsecutiveFailedRuns", g.MaxConsecutiveFailedRuns, limits.MaxConsecutiveFailedRuns, 1, 1000, "Between 1 and 1000 runs.", errors);
            limits.MaxQuarantineRate = Checked("guardrails.maxQuarantineRate", g.MaxQuarantineRate, limits.MaxQuarantineRate, 0m, 1m, "A share between 0 and 1, for example 0.5 for 50 %.", errors);
            limits.QuarantineRateWindow = Checked("guardrails.quarantineRateWindow", g.QuarantineRateWindow, limits.QuarantineRateWindow, 1, 10_000, "Between 1 and 10000 items.", errors);
        }

        if (request.ImplementationCost is { } implementation)
        {
            if (implementation < 0)
            {
                errors["implementationCost"] = ["A cost cannot be negative."];
            }
            else
            {
                automation.ImplementationCost = implementation;
            }
        }

        if (request.MonthlyRunningCost is { } monthly)
        {
            if (monthly < 0)
            {
                errors["monthlyRunningCost"] = ["A cost cannot be negative."];
            }
            else
            {
                automation.MonthlyRunningCost = monthly;
            }
        }

        if (request.CostCurrency is not null)
        {
            if (!Currency.IsKnown(request.CostCurrency))
            {
                errors["costCurrency"] = [$"'{request.CostCurrency}' is not an ISO 4217 currency code."];
            }
            else
            {
                automation.CostCurrency = Currency.Normalise(request.CostCurrency);
            }
        }

        if (kind is not null && (request.Settings is not null || creating))
        {
            var json = request.Settings is { ValueKind: not System.Text.Json.JsonValueKind.Null and not System.Text.Json.JsonValueKind.Undefined } element ? element.GetRawText() : null;
            var (settings, problems) = KindSettings.Bind(kind, json, ValidationContext);
            foreach (var group in problems.GroupBy(p => p.Field))
            {
                errors[group.Key] = group.Select(p => p.Message).ToArray();
            }

            if (settings is not null)
            {
                foreach (var problem in secrets.Protect(settings, creating ? null : KindSettings.Read(kind, automation.Settings)))
                {
                    errors["settings." + problem.Field] = [problem.Message];
                }

                var serialized = KindSettings.Serialize(settings);
                if (serialized != automation.Settings)
                {
                    automation.Settings = serialized;
                    if (!creating)
                    {
                        automation.SettingsVersion++;
                    }
                }
            }
        }

        return pausing;
    }

    /// <summary>A limit from a request: the new value when given and within its range, else the current one and an error.</summary>
    private static T Checked<T>(string field, T? given, T current, T min, T max, string problem, Dictionary<string, string[]> errors)
        where T : struct, IComparable<T>
    {
        if (given is not { } value)
        {
            return current;
        }

        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            errors[field] = [problem];
            return current;
        }

        return value;
    }

    private async Task EnsureUniqueNameAsync(Automation automation, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (!errors.ContainsKey("name") && await db.Set<Automation>().AnyAsync(a => a.Name == automation.Name && a.Id != automation.Id, cancellationToken))
        {
            errors["name"] = [$"Another automation is already called '{automation.Name}'."];
        }
    }

    private static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new AutomationValidationException(errors);
        }
    }
}

/// <summary>Which folders automations may read and write.</summary>
public sealed class FilesOptions
{
    public const string Section = "Portal:Files";

    /// <summary>Every folder setting must lie under one of these; empty means the data folder only.</summary>
    public List<string> AllowedRoots { get; set; } = [];

    public IReadOnlyList<string> AllowedRootsOrDefault(string dataFolder) =>
        AllowedRoots.Count == 0 ? [dataFolder] : AllowedRoots.Select(r => Path.GetFullPath(Path.IsPathRooted(r) ? r : Path.Combine(dataFolder, r))).ToList();
}
