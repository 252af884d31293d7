using System.Globalization;
using AutomationPortal.Web.Features.Automations.Model;
using MudBlazor;

namespace AutomationPortal.Web.Features.Escalations.Pages;

/// <summary>How the queue's views, statuses, ages and reasons read, the same on the queue and on the Agent's home.</summary>
public static class QueueUi
{
    /// <summary>The quick views in the order people work them: their own items first, then what waits for someone.</summary>
    public static IReadOnlyList<QueueView> Views { get; } = [QueueView.Mine, QueueView.Unassigned, QueueView.Deferred, QueueView.ResolvedToday, QueueView.All];

    public static string ViewLabel(QueueView view) => view switch
    {
        QueueView.Mine => "Mine",
        QueueView.Unassigned => "Unassigned",
        QueueView.Deferred => "Deferred",
        QueueView.ResolvedToday => "Resolved today",
        _ => "All open",
    };

    /// <summary>The view as it stands in a link: <c>?view=resolved-today</c>.</summary>
    public static string Slug(QueueView view) => view switch
    {
        QueueView.Mine => "mine",
        QueueView.Unassigned => "unassigned",
        QueueView.Deferred => "deferred",
        QueueView.ResolvedToday => "resolved-today",
        _ => "all",
    };

    /// <summary>The view a link names (its slug or its name, any case); null when it names none.</summary>
    public static QueueView? ParseView(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var name = text.Trim().Replace("-", "", StringComparison.Ordinal);
        return Enum.TryParse<QueueView>(name, ignoreCase: true, out var view) && Enum.IsDefined(view) ? view : null;
    }

    public static int Count(QueueCounts counts, QueueView view)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return view switch
        {
            QueueView.Mine => counts.Mine,
            QueueView.Unassigned => counts.Unassigned,
            QueueView.Deferred => counts.Deferred,
            QueueView.ResolvedToday => counts.ResolvedToday,
            _ => counts.All,
        };
    }

    /// <summary>Where a person starts: with what they hold, or else with what waits for someone.</summary>
    public static QueueView DefaultView(QueueCounts counts) => counts?.Mine > 0 ? QueueView.Mine : QueueView.Unassigned;

    /// <summary>The column a grid header sorts by, from the property it shows.</summary>
    public static EscalationSortField? SortField(string? property) => property switch
    {
        nameof(EscalationView.Reference) => EscalationSortField.Reference,
        nameof(EscalationView.Party) => EscalationSortField.Party,
        nameof(EscalationView.Amount) => EscalationSortField.Amount,
        nameof(EscalationView.AutomationName) => EscalationSortField.Automation,
        nameof(EscalationView.CreatedAt) => EscalationSortField.Age,
        nameof(EscalationView.Status) => EscalationSortField.Status,
        nameof(EscalationView.Assignee) => EscalationSortField.Assignee,
        _ => null,
    };

    /// <summary>How long an item has waited since it was escalated: "12 min", "3 h", "2 d".</summary>
    public static string Age(DateTime since, DateTime now)
    {
        var waited = now - since;
        if (waited < TimeSpan.FromHours(1))
        {
            return $"{Math.Max(1, (int)waited.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min";
        }

        return waited < TimeSpan.FromHours(48)
            ? $"{((int)waited.TotalHours).ToString(CultureInfo.InvariantCulture)} h"
            : $"{((int)waited.TotalDays).ToString(CultureInfo.InvariantCulture)} d";
    }

    public static string StatusLabel(EscalationStatus status) => status switch
    {
        EscalationStatus.Open => "Unassigned",
        EscalationStatus.Claimed => "Claimed",
        EscalationStatus.Deferred => "Deferred",
        _ => "Resolved",
    };

    public static Color StatusColor(EscalationStatus status) => status switch
    {
        EscalationStatus.Open => Color.Warning,
        EscalationStatus.Claimed => Color.Info,
        EscalationStatus.Deferred => Color.Default,
        _ => Color.Success,
    };

    /// <summary>
    /// A reason's words short enough for a chip: the part before the colon ("Possible duplicate"), the whole when it
    /// has none. The chip's tooltip carries the whole.
    /// </summary>
    public static string ShortReason(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var colon = description.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? description[..colon] : description;
    }

    /// <summary>What an empty view means and what to do next.</summary>
    public static (string Title, string Text) Empty(QueueView view) => view switch
    {
        QueueView.Mine => ("Nothing held by you", "Claim an item from Unassigned. It stays yours until you decide it, defer it or release it."),
        QueueView.Unassigned => ("Nothing waits for a person", "Every item was decided by the automations. New escalations appear here as runs meet what they cannot decide."),
        QueueView.Deferred => ("Nothing is deferred", "An item put aside until a date waits here and comes back to its holder then."),
        QueueView.ResolvedToday => ("Nothing resolved today yet", "Items you and your team decide today are listed here until midnight."),
        _ => ("No open escalations", "When an automation meets something it cannot decide, such as an unusual amount or a possible duplicate, it hands the item to the team here with its evidence."),
    };
}
