using AutomationPortal.Web.Features.Automations;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.Kinds.ExpenseReports;

/// <summary>The expense-report kind as a module: the one registration line its host adds.</summary>
public static class ExpenseReportsModule
{
    public static IServiceCollection AddExpenseReports(this IServiceCollection services) => services.AddAutomationKind<ExpenseReportKind>();
}
