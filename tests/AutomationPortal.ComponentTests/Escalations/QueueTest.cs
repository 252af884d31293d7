using System.Security.Claims;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;

namespace AutomationPortal.ComponentTests.Escalations;

/// <summary>
/// The queue's pages over the real services and a seeded queue: three items nobody holds, two held by the signed-in
/// Agent, one held by a colleague, one deferred by the colleague, one resolved today and one resolved yesterday.
/// </summary>
public abstract class QueueTest : PortalDatabaseTest
{
    protected static readonly Guid AgentId = Guid.Parse("0195f000-0000-7000-8000-00000000a001");
    protected static readonly Guid ColleagueId = Guid.Parse("0195f000-0000-7000-8000-00000000a002");
    protected const string AgentName = "agent@portal.test";
    protected const string ColleagueName = "colleague@portal.test";

    protected DateTime Now { get; } = TimeProvider.System.GetUtcNow().UtcDateTime;

    /// <summary>Signs in a person with an id, as the portal's sign-in does: the queue knows whose items are whose by it.</summary>
    protected void SignInAsPerson(Role role, Guid id, string name)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(name);
        auth.SetRoles(role.ToString());
        auth.SetPolicies(role switch
        {
            Role.Admin => [Policies.Admin, Policies.Manager, Policies.Agent],
            Role.Manager => [Policies.Manager, Policies.Agent],
            _ => [Policies.Agent],
        });
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, id.ToString()));
    }

    /// <summary>The seeded queue of one sample automation ("Numbers inbox"), returning the automation's id.</summary>
    protected Guid SeedQueue()
    {
        var automation = CreateAutomation("Numbers inbox", AutomationState.Production);
        AddEscalation(automation, "N-001", "Acme", 120m, "over-threshold", EscalationStatus.Open, created: Now.AddHours(-5));
        AddEscalation(automation, "N-002", "Birch", 2500m, "over-threshold unreadable", EscalationStatus.Open, created: Now.AddDays(-3));
        AddEscalation(automation, "N-003", "Cedar", 40m, "over-threshold", EscalationStatus.Open, created: Now.AddMinutes(-30));
        AddEscalation(automation, "N-010", "Acme", 900m, "over-threshold", EscalationStatus.Claimed, created: Now.AddHours(-2), assignee: (AgentId, AgentName));
        AddEscalation(automation, "N-011", "Delta", 75.5m, "over-threshold", EscalationStatus.Claimed, created: Now.AddDays(-1), assignee: (AgentId, AgentName));
        AddEscalation(automation, "N-020", "Elm", 310m, "over-threshold", EscalationStatus.Claimed, created: Now.AddHours(-7), assignee: (ColleagueId, ColleagueName));
        AddEscalation(automation, "N-021", "Fir", 88m, "over-threshold", EscalationStatus.Deferred, created: Now.AddDays(-2), assignee: (ColleagueId, ColleagueName), deferredUntil: Now.AddDays(2));
        AddEscalation(automation, "N-030", "Acme", 61m, "over-threshold", EscalationStatus.Resolved, created: Now.AddHours(-9), resolved: ResolvedToday());
        AddEscalation(automation, "N-031", "Birch", 19m, "over-threshold", EscalationStatus.Resolved, created: Now.AddDays(-2), resolved: StartOfToday().AddHours(-2));
        return automation;
    }

    /// <summary>An escalated work item and its escalation, written as the engine writes them.</summary>
    protected Guid AddEscalation(
        Guid automationId, string reference, string party, decimal amount, string reasons, EscalationStatus status, DateTime created,
        (Guid Id, string Name)? assignee = null, DateTime? resolved = null, DateTime? deferredUntil = null)
    {
        var item = new WorkItem
        {
            AutomationId = automationId, SourceKey = $"{reference}.txt", Status = status == EscalationStatus.Resolved ? WorkItemStatus.Done : WorkItemStatus.Escalated,
            ReasonCodes = reasons, ReceivedAt = created, DecidedAt = created, SummaryReference = reference, SummaryParty = party, SummaryAmount = amount, SummaryCurrency = "EUR",
        };
        var escalation = new Escalation
        {
            WorkItemId = item.Id, AutomationId = automationId, Reasons = reasons, Status = status, CreatedAt = created,
            AssigneeId = assignee?.Id, AssigneeName = assignee?.Name, ClaimedAt = assignee is null ? null : created.AddMinutes(5),
            DeferredUntil = deferredUntil, ResolvedAt = resolved, ResolvedById = resolved is null ? null : ColleagueId,
        };
        using var db = NewContext();
        db.Add(item);
        db.Add(escalation);
        db.SaveChanges();
        return escalation.Id;
    }

    /// <summary>An automation of a kind the portal does not describe, with one open escalation: rows of two kinds.</summary>
    protected Guid AddOtherKindEscalation(string reference)
    {
        var automation = new Automation { Kind = "other-kind", Name = "Other inbox", Schedule = "0 0 3 * * ?", State = AutomationState.Production };
        using (var db = NewContext())
        {
            db.Add(automation);
            db.SaveChanges();
        }

        AddEscalation(automation.Id, reference, "Gamma", 10m, "needs-a-look", EscalationStatus.Open, Now.AddHours(-1));
        return automation.Id;
    }

    /// <summary>Midnight today in the organisation's time zone (Europe/Berlin in these tests), in UTC.</summary>
    protected DateTime StartOfToday()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var local = TimeZoneInfo.ConvertTimeFromUtc(Now, zone).Date;
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
    }

    private DateTime ResolvedToday()
    {
        var earlier = Now.AddMinutes(-1);
        return earlier >= StartOfToday() ? earlier : Now;
    }

    /// <summary>The references of the rows the queue's grid shows, in order.</summary>
    protected static List<string> Rows<TPage>(IRenderedComponent<TPage> page)
        where TPage : Microsoft.AspNetCore.Components.IComponent =>
        page.FindAll("[data-testid=queue] tbody tr [data-testid=escalation-link]").Select(a => a.TextContent.Trim()).ToList();
}
