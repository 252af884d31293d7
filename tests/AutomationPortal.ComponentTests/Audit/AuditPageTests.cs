using AutomationPortal.Web.Features.Audit;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.ComponentTests.Audit;

public sealed class AuditPageTests : PortalDatabaseTest
{
    public AuditPageTests() => Services.AddScoped<AuditLog>();

    [Fact]
    public void ARunIsNamedByItsAutomationAndTimeNotByItsId()
    {
        SignInAs(Role.Admin);
        var automationId = CreateAutomation("Nightly numbers", AutomationState.Production);
        var run = new AutomationRun { AutomationId = automationId, Trigger = RunTrigger.Manual, Mode = RunMode.Production, QueuedAt = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc) };
        using (var db = NewContext())
        {
            db.Add(run);
            // As older portals wrote it: the run and its automation by id.
            db.Add(new AuditEntry
            {
                At = run.QueuedAt, ActorKind = ActorKind.ApiKey, ActorName = "nightly key", Action = AuditAction.Created,
                EntityType = "Run", EntityId = run.Id.ToString(), Summary = $"Manual run of automation {automationId} requested",
            });
            db.SaveChanges();
        }

        RenderPopoverProvider();
        var page = Render<AuditPage>();

        var row = page.WaitForElement("[data-testid=audit-run]");
        Assert.Equal("Manual run of Nightly numbers at 2026-03-01 13:00, requested", string.Join(' ', row.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain(automationId.ToString(), page.Find("[data-testid=audit-run]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"runs/{run.Id}", row.QuerySelectorAll("a")[1].GetAttribute("href"));
        Assert.Contains("API key", page.Markup, StringComparison.Ordinal);
    }
}
