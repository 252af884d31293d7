using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>
/// The names a kind gives the engine's neutral summary fields (reference, party, party id, amount, date, type), for
/// grid headers, filters and forms: "Invoice number" and "Supplier" for invoices.
/// </summary>
public sealed record SummaryLabels(
    string Reference = "Reference",
    string Party = "Party",
    string PartyId = "Party id",
    string Amount = "Amount",
    string Date = "Date",
    string Type = "Type")
{
    /// <summary>The words of the search box over reference and party: "Search number or supplier".</summary>
    public string Search => $"Search {Reference.ToLowerInvariant()} or {Party.ToLowerInvariant()}";
}

/// <summary>What one item of a kind is (one invoice, one expense report): for lists, and for ROI's minutes per item.</summary>
public sealed record ItemUnit(string Singular, string Plural)
{
    public string Count(long count) => $"{count:N0} {(count == 1 ? Singular : Plural)}";
}

/// <summary>
/// What the generic work-item page needs to show one item: its title and subtitle, each of its reasons in words with
/// the figures it was judged by, and whatever the kind's item view needs (<see cref="Model"/>, the kind's own type).
/// </summary>
public sealed record ItemExplanation(string Title, string? Subtitle, IReadOnlyDictionary<string, string> Reasons, object? Model = null);

/// <summary>What a kind may look up while it explains an item: where other items stand (evidence such as an earlier invoice).</summary>
public interface IItemLookup
{
    Task<IReadOnlyDictionary<Guid, WorkItemState>> StatesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);
}

/// <summary>One item to explain: the item with its payload, decisions and effects, and its automation's settings.</summary>
public sealed record ItemContext(WorkItemDetail Detail, object? Settings, IItemLookup Items);

/// <summary>
/// Everything a kind tells people about its items, in its own words: the generic pages, grids and API render what it
/// declares here and name no kind themselves. Every member has a neutral default, so a new kind starts with plain
/// pages and replaces what it wants.
/// </summary>
public class KindPresentation
{
    public static KindPresentation Neutral { get; } = new();

    public virtual ItemUnit Unit { get; } = new("item", "items");

    public virtual SummaryLabels Labels { get; } = new();

    /// <summary>
    /// A component that shows one item with its evidence, rendered by the work-item page with DynamicComponent. It
    /// receives <c>[Parameter] ItemExplanation Explanation</c> and <c>[Parameter] WorkItemDetail Detail</c>. Null: the
    /// page shows the stored payload as it is.
    /// </summary>
    public virtual Type? ItemView => null;

    /// <summary>A reason code in plain language; with <paramref name="settings"/> it names the figures they hold.</summary>
    public virtual string DescribeReason(string code, object? settings) => code switch
    {
        "not-a-file" => "Not a plain file (a link, a folder or a device): it was not read",
        "unreadable" => "The input could not be read",
        _ => code,
    };

    /// <summary>What a person should check for this reason, in one line; null when the reason says it all.</summary>
    public virtual string? ReasonHelp(string code) => null;

    /// <summary>A status in the kind's words ("Posting failed" for invoices).</summary>
    public virtual string StatusLabel(WorkItemStatus status) => status switch
    {
        WorkItemStatus.ActionFailed => "Action failed",
        WorkItemStatus.AwaitingAction => "Awaiting action",
        WorkItemStatus.AwaitingCompensation => "Being undone",
        WorkItemStatus.Compensated => "Undone",
        _ => status.ToString(),
    };

    /// <summary>What an item approved and acted on has become, in a sentence.</summary>
    public virtual string ActedOn => "Approved and acted on.";

    /// <summary>What becomes of an approved item while its automation is paused, in a sentence.</summary>
    public virtual string WaitsForResume => "It will be acted on when the automation is resumed.";

    /// <summary>What a failed act step means for the item, before its error.</summary>
    public virtual string ActionFailedPrefix => "The action failed";

    /// <summary>The verb of the act step, past tense, for a run's summary: "Posted" for invoices.</summary>
    public virtual string ActedVerb => "Acted on";

    /// <summary>Shown where an item has no effects yet.</summary>
    public virtual string NothingDoneYet => "Nothing yet. Approved items are acted on in their run; escalated ones wait for a person.";

    /// <summary>Explains one item for its page: title, subtitle, reasons with figures, and the item view's model.</summary>
    public virtual Task<ItemExplanation> ExplainAsync(ItemContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var detail = context.Detail;
        var item = detail.Item;
        var subtitle = item.FileName is { } file && file != item.Title ? $"{detail.AutomationName} · {file}" : detail.AutomationName;
        return Task.FromResult(new ItemExplanation(item.Title, subtitle, item.ReasonCodes.Distinct().ToDictionary(c => c, c => DescribeReason(c, context.Settings))));
    }

    /// <summary>
    /// The current value of each field a person may correct (<see cref="HumanActions.Editable"/>, by its name), read
    /// from the stored payload, so a correction starts from what the automation read. None by default.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string?> EditableValues(string? payload) => Empty;

    /// <summary>
    /// Fields the API adds to each of the kind's work items under the kind's own names (for invoices
    /// <c>invoiceNumber</c>, <c>supplierName</c>…), from the neutral summary. None by default.
    /// </summary>
    public virtual IReadOnlyDictionary<string, object?> ApiFields(WorkItemView item) => EmptyFields;

    private static readonly IReadOnlyDictionary<string, object?> EmptyFields = new Dictionary<string, object?>();

    private static readonly IReadOnlyDictionary<string, string?> Empty = new Dictionary<string, string?>();
}
