using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>
/// The rules a create or change request must meet, field by field: name, schedule, time zone, state, guardrails, costs
/// and the kind's settings (secrets protected). Refusals are collected by field, so one answer names every bad field.
/// </summary>
public sealed class AutomationRequestRules(PortalDbContext db, IOptions<FilesOptions> files, PortalDatabase database, SecretSettings secrets, TimeProvider time)
{
    /// <summary>The longest an automation's decisions stay open to a person's override.</summary>
    public const int MaxOverrideWindowDays = 3650;

    public KindValidationContext ValidationContext => new(files.Value.AllowedRootsOrDefault(database.DataFolder), database.DataFolder);

    /// <summary>
    /// Applies what <paramref name="request"/> gives to <paramref name="automation"/>, each refused field into
    /// <paramref name="errors"/> instead. True when it paused a running automation (its going run must be told to stop).
    /// </summary>
    public bool Apply(Automation automation, IAutomationKind? kind, AutomationRequest request, Dictionary<string, string[]> errors, bool creating, string actorName)
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

        if (request.OverrideWindowDays is { } window)
        {
            if (window is < 0 or > MaxOverrideWindowDays)
            {
                errors["overrideWindowDays"] = [$"Between 0 (no overrides) and {MaxOverrideWindowDays} days."];
            }
            else
            {
                automation.OverrideWindowDays = window;
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

    public async Task EnsureUniqueNameAsync(Automation automation, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (!errors.ContainsKey("name") && await db.Set<Automation>().AnyAsync(a => a.Name == automation.Name && a.Id != automation.Id, cancellationToken))
        {
            errors["name"] = [$"Another automation is already called '{automation.Name}'."];
        }
    }

    public static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new AutomationValidationException(errors);
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
