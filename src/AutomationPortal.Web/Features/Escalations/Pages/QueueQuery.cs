using System.Globalization;
using AutomationPortal.Web.Features.Automations.Model;
using Microsoft.AspNetCore.WebUtilities;

namespace AutomationPortal.Web.Features.Escalations.Pages;

/// <summary>
/// The queue as a link names it: the quick view and every filter, so that a view survives a reload and can be sent to
/// a colleague (<c>escalations?view=unassigned&amp;min=1000&amp;q=acme</c>). A value the queue cannot read is left
/// out rather than refused: a mistyped link still opens the queue.
/// </summary>
public sealed record QueueQuery(
    QueueView? View = null,
    Guid? AutomationId = null,
    EscalationStatus? Status = null,
    string? Assignee = null,
    string? Reason = null,
    decimal? MinAmount = null,
    decimal? MaxAmount = null,
    string? Party = null,
    string? Search = null,
    int? OlderThanHours = null)
{
    public static QueueQuery Parse(string uri)
    {
        var query = new Uri(uri, UriKind.Absolute).Query;
        var values = QueryHelpers.ParseQuery(query);
        string? Text(string name) => values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value.ToString()) ? value.ToString().Trim() : null;
        return new QueueQuery(
            QueueUi.ParseView(Text("view")),
            Guid.TryParse(Text("automation"), out var automation) ? automation : null,
            Enum.TryParse<EscalationStatus>(Text("status"), ignoreCase: true, out var status) && Enum.IsDefined(status) ? status : null,
            ReadAssignee(Text("assignee")),
            Cut(Text("reason")),
            Amount(Text("min")),
            Amount(Text("max")),
            Cut(Text("party")),
            Cut(Text("q")),
            int.TryParse(Text("older"), NumberStyles.None, CultureInfo.InvariantCulture, out var older) ? older : null);
    }

    /// <summary>The filters besides the view and the search box, which the filter panel holds.</summary>
    public int PanelFilters =>
        new object?[] { AutomationId, Status, Assignee, Reason, MinAmount, MaxAmount, Party, OlderThanHours }.Count(v => v is not null);

    public bool HasFilters => PanelFilters > 0 || Search is not null;

    public QueueQuery WithoutFilters() => new(View);

    /// <summary>The filter the server applies, for the view shown.</summary>
    public EscalationFilter Filter(QueueView view) =>
        new(view, AutomationId, Status, Assignee, Reason, MinAmount, MaxAmount, Party, Search, OlderThanHours);

    /// <summary>The query-string values, null for those not set (which removes them from the link).</summary>
    public IReadOnlyDictionary<string, object?> ToQueryString() => new Dictionary<string, object?>
    {
        ["view"] = View is { } view ? QueueUi.Slug(view) : null,
        ["automation"] = AutomationId?.ToString(),
        ["status"] = Status?.ToString().ToLowerInvariant(),
        ["assignee"] = Assignee,
        ["reason"] = Reason,
        ["min"] = MinAmount?.ToString(CultureInfo.InvariantCulture),
        ["max"] = MaxAmount?.ToString(CultureInfo.InvariantCulture),
        ["party"] = Party,
        ["q"] = Search,
        ["older"] = OlderThanHours?.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary><c>me</c>, <c>none</c> or a person's id; anything else means anyone.</summary>
    private static string? ReadAssignee(string? text) => text?.ToLowerInvariant() switch
    {
        null => null,
        "me" or "none" => text.ToLowerInvariant(),
        _ => Guid.TryParse(text, out var id) ? id.ToString() : null,
    };

    private static decimal? Amount(string? text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : null;

    private static string? Cut(string? text) => text is { Length: > EscalationQueries.MaxTermLength } ? text[..EscalationQueries.MaxTermLength] : text;
}
