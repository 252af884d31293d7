using System.Globalization;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace AutomationPortal.IntegrationTests.Kinds.ExpenseReports;

/// <summary>Expense reports in people's words.</summary>
public sealed class ExpensePresentation : KindPresentation
{
    public static ExpensePresentation Instance { get; } = new();

    public override ItemUnit Unit { get; } = new("expense report", "expense reports");

    public override SummaryLabels Labels { get; } = new(Reference: "Report", Party: "Employee");

    public override Type ItemView => typeof(ExpenseReportView);

    public override string DescribeReason(string code, object? settings) => code switch
    {
        "over-limit" => settings is ExpenseReportSettings s
            ? $"Above the approval limit of {s.ApprovalLimit.ToString("#,##0.00", CultureInfo.InvariantCulture)}"
            : "Above the approval limit",
        _ => base.DescribeReason(code, settings),
    };

    public override string? ReasonHelp(string code) => code == "over-limit" ? "Check the receipts, then approve or reject." : null;

    public override string StatusLabel(WorkItemStatus status) => status == WorkItemStatus.ActionFailed ? "Reimbursement failed" : base.StatusLabel(status);

    public override string ActedOn => "Approved and reimbursed.";

    public override string ActedVerb => "Reimbursed";

    public override async Task<ItemExplanation> ExplainAsync(ItemContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plain = await base.ExplainAsync(context, cancellationToken);
        var item = context.Detail.Item;
        return item.Reference is null ? plain : plain with
        {
            Title = $"Expense report {item.Reference}",
            Subtitle = $"{item.Party} · {item.Amount?.ToString("#,##0.00", CultureInfo.InvariantCulture)} {item.Currency} · {context.Detail.AutomationName}",
            Model = context.Detail.Payload,
        };
    }

    public override IReadOnlyDictionary<string, object?> ApiFields(WorkItemView item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new Dictionary<string, object?> { ["reportNumber"] = item.Reference, ["employee"] = item.Party };
    }
}

/// <summary>The item view: the report's figures, written as a component in C# (no Razor needed in a kind's module).</summary>
public sealed class ExpenseReportView : ComponentBase
{
    [Parameter, EditorRequired]
    public ItemExplanation Explanation { get; set; } = default!;

    [Parameter, EditorRequired]
    public WorkItemDetail Detail { get; set; } = default!;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.OpenElement(0, "section");
        builder.AddAttribute(1, "data-testid", "expense-report");
        builder.AddContent(2, $"{Detail.Item.Party} spent {Detail.Item.Amount?.ToString("0.00", CultureInfo.InvariantCulture)} {Detail.Item.Currency}");
        builder.CloseElement();
    }
}
