using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;

namespace AutomationPortal.Web.Features.Escalations.Pages;

/// <summary>
/// The words of each row's kind, for a page that lists escalations of many automations: the reasons with the
/// figures of their automation's settings ("Above the review threshold of 10,000.00 EUR"), and the column labels of
/// the kind when every row is of one kind ("Invoice number", "Supplier", "Payable"), else the neutral ones.
/// </summary>
public sealed class QueueWords(AutomationKindCatalog catalog)
{
    private readonly Dictionary<Guid, object?> _settings = [];

    /// <summary>Reads the settings of the rows' automations not known yet (once per automation and page).</summary>
    public async Task LearnAsync(AutomationQueries queries, IEnumerable<EscalationView> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var automationId in rows.Select(r => r.AutomationId).Distinct().Where(id => !_settings.ContainsKey(id)).ToList())
        {
            var stored = await queries.SettingsAsync(automationId, cancellationToken);
            _settings[automationId] = stored is not null && catalog.Find(stored.Kind) is { } kind ? KindSettings.Read(kind, stored.Settings) : null;
        }
    }

    public KindPresentation Presentation(string kind) => catalog.Find(kind)?.Presentation ?? KindPresentation.Neutral;

    /// <summary>A row's reason in its kind's words, with its automation's figures when they are known.</summary>
    public string Describe(EscalationView row, string code)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Presentation(row.Kind).DescribeReason(code, _settings.GetValueOrDefault(row.AutomationId));
    }

    /// <summary>The kind's labels when all the kinds given are one, else the neutral ones.</summary>
    public SummaryLabels Labels(IEnumerable<string> kinds)
    {
        var distinct = kinds.Distinct(StringComparer.Ordinal).Take(2).ToList();
        return distinct.Count == 1 ? Presentation(distinct[0]).Labels : KindPresentation.Neutral.Labels;
    }
}
