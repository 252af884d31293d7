using System.Security.Claims;
using AngleSharp.Dom;
using AutomationPortal.Web.Features.Automations.Handling;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Pages;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Features.Escalations.Pages;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;

namespace AutomationPortal.ComponentTests.Escalations;

/// <summary>The escalation's detail view and the work item's override over the real services, with a clock the tests move.</summary>
public sealed class EscalationPageTests : PortalDatabaseTest
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private readonly Guid _me = Guid.NewGuid();

    public EscalationPageTests()
    {
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton(Options.Create(new EscalationOptions { MaxMinutes = 45 }));
        Services.AddEscalationServices();
        Services.AddScoped<ItemHandling>();
    }

    [Fact]
    public void TheDetailShowsWhyItWasEscalatedWhatEachActionDoesEarlierItemsNotesAndTheTimeline()
    {
        SignInAsPerson(Role.Agent, "agent@portal.test");
        var scene = Seed();
        RenderProviders();

        var page = Render<EscalationPage>(p => p.Add(e => e.Id, scene.EscalationId));

        page.WaitForAssertion(() => Assert.Equal("N-0042", page.Find("h1").TextContent.Trim()));
        var reason = page.Find("[data-testid=reason]");
        Assert.Equal("over-threshold", reason.GetAttribute("data-code"));
        Assert.Contains("Above 1,000 (escalateAbove)", reason.QuerySelector("[data-testid=reason-text]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("What to check: Check the value and approve it if it is right.", reason.QuerySelector("[data-testid=reason-check]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Runs the automation's action for the item", page.Find("[data-testid=preview-approve]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Closes the item without action.", page.Find("[data-testid=preview-reject]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=correct]"));

        var earlier = page.Find("[data-testid=earlier-item]");
        Assert.Equal($"work-items/{scene.EarlierId}", earlier.QuerySelector("[data-testid=earlier-link]")!.GetAttribute("href"));
        Assert.Contains("N-0007", earlier.TextContent, StringComparison.Ordinal);
        Assert.Contains("900.00", earlier.TextContent, StringComparison.Ordinal);
        Assert.Contains("lead@portal.test", earlier.TextContent, StringComparison.Ordinal);
        Assert.NotNull(earlier.QuerySelector("[data-testid=earlier-overridden]"));
        Assert.Contains("Agreed with Acme on the phone", earlier.TextContent, StringComparison.Ordinal);

        Assert.Contains("Acme confirmed the amount by mail.", page.Find("[data-testid=note]").TextContent, StringComparison.Ordinal);
        var timeline = page.FindAll("[data-testid=timeline-entry]").Select(e => e.GetAttribute("data-type")).ToList();
        Assert.Equal(["read", "escalated", "note"], timeline);
        Assert.Contains("Escalated: Above escalateAbove", page.Find("[data-testid=timeline]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"runs/{scene.RunId}", page.Find("[data-testid=run-link]").GetAttribute("href"));
        Assert.Equal($"work-items/{scene.ItemId}", page.Find("[data-testid=work-item-link]").GetAttribute("href"));
    }

    [Fact]
    public void TheDecisionButtonsAreOffUntilThePersonClaimsTheItem()
    {
        SignInAsPerson(Role.Agent, "agent@portal.test");
        var scene = Seed();
        RenderProviders();
        var page = Render<EscalationPage>(p => p.Add(e => e.Id, scene.EscalationId));
        page.WaitForElement("[data-testid=claim]");

        foreach (var action in new[] { "approve", "reject", "defer" })
        {
            Assert.True(Button(page, action).HasAttribute("disabled"), $"{action} is on before the claim");
        }

        Assert.Equal("Claim it to decide", page.Find("[data-testid=decide-hint]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=assign]"));

        Button(page, "claim").Click();

        page.WaitForAssertion(() => Assert.False(Button(page, "approve").HasAttribute("disabled")));
        Assert.False(Button(page, "reject").HasAttribute("disabled"));
        Assert.False(Button(page, "defer").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=decide-hint]"));
        Assert.Empty(page.FindAll("[data-testid=claim]"));
        Assert.NotEmpty(page.FindAll("[data-testid=release]"));
        Assert.Equal("Held by you", page.Find("[data-testid=assignee]").TextContent.Trim());
        Assert.Contains("claimed", page.FindAll("[data-testid=timeline-entry]").Select(e => e.GetAttribute("data-type")));
    }

    [Fact]
    public void AnItemSomeoneElseHoldsSaysWhoHasItAndOffersNoDecision()
    {
        SignInAsPerson(Role.Agent, "agent@portal.test");
        var scene = Seed(holder: (Guid.NewGuid(), "colleague@portal.test"));
        RenderProviders();

        var page = Render<EscalationPage>(p => p.Add(e => e.Id, scene.EscalationId));

        page.WaitForAssertion(() => Assert.Equal("colleague@portal.test has it", page.Find("[data-testid=decide-hint]").TextContent.Trim()));
        Assert.True(Button(page, "approve").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=claim]"));
        Assert.Empty(page.FindAll("[data-testid=release]"));
    }

    [Fact]
    public void TheResolveDialogStartsWithTheMinutesMeasuredSinceTheClaim()
    {
        SignInAsPerson(Role.Agent, "agent@portal.test");
        var scene = Seed();
        var dialogs = RenderProviders();
        var page = Render<EscalationPage>(p => p.Add(e => e.Id, scene.EscalationId));
        Button(page.WaitForElement("[data-testid=claim]")).Click();
        page.WaitForAssertion(() => Assert.False(Button(page, "approve").HasAttribute("disabled")));

        _clock.Advance(TimeSpan.FromMinutes(6.5));
        Button(page, "approve").Click();

        var minutes = dialogs.WaitForElement("input[data-testid=resolve-minutes], [data-testid=resolve-minutes] input");
        Assert.Equal("7", minutes.GetAttribute("value"));
        Assert.Contains("Measured since you claimed it, at most 45", dialogs.Markup, StringComparison.Ordinal);
        Assert.Contains("Runs the automation's action for the item", dialogs.Find("[data-testid=resolve-preview]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectingWithoutAReasonIsRefusedOnTheReasonFieldAndNothingIsSaved()
    {
        SignInAsPerson(Role.Agent, "agent@portal.test");
        var scene = Seed();
        var dialogs = RenderProviders();
        var page = Render<EscalationPage>(p => p.Add(e => e.Id, scene.EscalationId));
        Button(page.WaitForElement("[data-testid=claim]")).Click();
        page.WaitForAssertion(() => Assert.False(Button(page, "reject").HasAttribute("disabled")));

        Button(page, "reject").Click();
        Button(dialogs.WaitForElement("[data-testid=resolve-submit]")).Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Give the reason", dialogs.Find("[data-testid=resolve-dialog]").TextContent, StringComparison.Ordinal));
        Assert.Contains("mud-input-error", dialogs.Find("[data-testid=resolve-reason]").ParentElement!.OuterHtml, StringComparison.Ordinal);
        await using var db = NewContext();
        Assert.False(await db.Set<DecisionRecord>().AnyAsync(d => d.WorkItemId == scene.ItemId && d.DecidedBy == DecidedBy.Person));
        Assert.Equal(WorkItemStatus.Escalated, (await db.Set<WorkItem>().SingleAsync(w => w.Id == scene.ItemId)).Status);
        Assert.Equal(EscalationStatus.Claimed, (await db.Set<Escalation>().SingleAsync(e => e.Id == scene.EscalationId)).Status);
    }

    [Fact]
    public async Task ApprovingInTheDialogRecordsTheDecisionWithTheMinutesChosenAndSaysWhatHappensNext()
    {
        SignInAsPerson(Role.Agent, "agent@portal.test");
        var scene = Seed();
        var dialogs = RenderProviders();
        var page = Render<EscalationPage>(p => p.Add(e => e.Id, scene.EscalationId));
        Button(page.WaitForElement("[data-testid=claim]")).Click();
        page.WaitForAssertion(() => Assert.False(Button(page, "approve").HasAttribute("disabled")));
        _clock.Advance(TimeSpan.FromMinutes(4));

        Button(page, "approve").Click();
        var minutes = dialogs.WaitForElement("input[data-testid=resolve-minutes], [data-testid=resolve-minutes] input");
        Assert.Equal("4", minutes.GetAttribute("value"));
        minutes.Change("12");
        dialogs.Find("textarea[data-testid=resolve-note], [data-testid=resolve-note] textarea").Input("Value checked against the order.");
        Button(dialogs.Find("[data-testid=resolve-submit]")).Click();

        page.WaitForElement("[data-testid=resolved-banner]");
        var snackbars = _snackbars!;
        snackbars.WaitForAssertion(() => Assert.Contains("Numbers is acting on the item in a run started now.", snackbars.Markup, StringComparison.Ordinal));
        Assert.Contains("Next item", snackbars.Markup, StringComparison.Ordinal);
        await using var db = NewContext();
        var decision = await db.Set<DecisionRecord>().SingleAsync(d => d.WorkItemId == scene.ItemId && d.DecidedBy == DecidedBy.Person);
        Assert.Equal("approve", decision.Decision);
        Assert.Equal(12m, decision.HumanMinutes);
        Assert.Equal(_me, decision.PersonId);
        Assert.Equal("Value checked against the order.", decision.Note);
        Assert.Equal(EscalationStatus.Resolved, (await db.Set<Escalation>().SingleAsync(e => e.Id == scene.EscalationId)).Status);
        Assert.True(Button(page, "approve").HasAttribute("disabled"));
        Assert.Contains("resolved", page.FindAll("[data-testid=timeline-entry]").Select(e => e.GetAttribute("data-type")));
    }

    [Fact]
    public async Task DeferringUntilTomorrowMorningMeansNineInTheOrganisationsTimeZone()
    {
        SignInAsPerson(Role.Agent, "agent@portal.test");
        var scene = Seed();
        var dialogs = RenderProviders();
        var page = Render<EscalationPage>(p => p.Add(e => e.Id, scene.EscalationId));
        Button(page.WaitForElement("[data-testid=claim]")).Click();
        page.WaitForAssertion(() => Assert.False(Button(page, "defer").HasAttribute("disabled")));

        Button(page, "defer").Click();
        dialogs.WaitForElement("[data-testid=defer-quick] .mud-chip").Click();
        Button(dialogs.Find("[data-testid=defer-submit]")).Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Say why the item waits", dialogs.Find("[data-testid=defer-dialog]").TextContent, StringComparison.Ordinal));
        dialogs.Find("textarea[data-testid=defer-note], [data-testid=defer-note] textarea").Input("Waiting for the supplier's credit note.");
        Button(dialogs.Find("[data-testid=defer-submit]")).Click();

        // 30 November, 10:00 in Berlin: tomorrow at 09:00 there (winter time, UTC+1) is 08:00 UTC.
        page.WaitForAssertion(() => Assert.Contains("Deferred until 2026-12-01 09:00", page.Find("[data-testid=escalation-status]").TextContent, StringComparison.Ordinal));
        await using var db = NewContext();
        var escalation = await db.Set<Escalation>().SingleAsync(e => e.Id == scene.EscalationId);
        Assert.Equal(EscalationStatus.Deferred, escalation.Status);
        Assert.Equal(new DateTime(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc), escalation.DeferredUntil);
        Assert.Contains("Waiting for the supplier's credit note.", page.Find("[data-testid=timeline]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOverrideOutsideTheWindowIsOffAndSaysWhy()
    {
        SignInAsPerson(Role.Manager, "manager@portal.test");
        var automationId = CreateAutomation("Numbers", AutomationState.Production);
        var itemId = AddDecided(automationId, decidedDaysAgo: 40);
        RenderProviders();

        var page = Render<WorkItemPage>(p => p.Add(w => w.Id, itemId));

        var why = page.WaitForElement("[data-testid=override-why]");
        Assert.True(Button(page, "override").HasAttribute("disabled"));
        Assert.Contains("outside Numbers's override window of 30 days", why.TextContent, StringComparison.Ordinal);
        Assert.Contains("decided", page.FindAll("[data-testid=timeline-entry]").Select(e => e.GetAttribute("data-type")));
    }

    [Fact]
    public async Task AnOverrideWithinTheWindowSaysWhatWillHappenAndWantsAReasonToReject()
    {
        SignInAsPerson(Role.Manager, "manager@portal.test");
        var automationId = CreateAutomation("Numbers", AutomationState.Production);
        var itemId = AddDecided(automationId, decidedDaysAgo: 2);
        var dialogs = RenderProviders();
        var page = Render<WorkItemPage>(p => p.Add(w => w.Id, itemId));
        page.WaitForAssertion(() => Assert.False(Button(page, "override").HasAttribute("disabled")));
        Assert.Empty(page.FindAll("[data-testid=override-why]"));

        Button(page, "override").Click();

        var happens = dialogs.WaitForElement("[data-testid=override-what-happens]");
        Assert.Contains("Nothing was done for the item yet: its action is cancelled and it is closed.", happens.TextContent, StringComparison.Ordinal);
        Button(dialogs.Find("[data-testid=override-submit]")).Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Give the reason", dialogs.Find("[data-testid=override-dialog]").TextContent, StringComparison.Ordinal));
        await using var db = NewContext();
        Assert.False(await db.Set<DecisionRecord>().AnyAsync(d => d.WorkItemId == itemId && d.Override));
    }

    /// <summary>A signed-in person with an id, as the queue needs one to hold items.</summary>
    private void SignInAsPerson(Role role, string name)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(name);
        auth.SetRoles(role.ToString());
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, _me.ToString()));
        auth.SetPolicies(role == Role.Manager ? [Policies.Manager, Policies.Agent] : [Policies.Agent]);
    }

    private IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        RenderPopoverProvider();
        _snackbars = Render<MudSnackbarProvider>();
        return Render<MudDialogProvider>();
    }

    private IRenderedComponent<MudSnackbarProvider>? _snackbars;

    private static IElement Button<T>(IRenderedComponent<T> page, string testId)
        where T : Microsoft.AspNetCore.Components.IComponent => Button(page.Find($"[data-testid={testId}]"));

    private static IElement Button(IElement element) => element.TagName == "BUTTON" ? element : element.QuerySelector("button")!;

    private sealed record Scene(Guid EscalationId, Guid ItemId, Guid EarlierId, Guid RunId);

    /// <summary>
    /// An escalated number of the party Acme, with an earlier one of Acme a person overrode, a note, and optionally
    /// someone holding it.
    /// </summary>
    private Scene Seed((Guid Id, string Name)? holder = null)
    {
        var automationId = CreateAutomation("Numbers", AutomationState.Production);
        var now = _clock.GetUtcNow().UtcDateTime;
        var run = new AutomationRun { AutomationId = automationId, QueuedAt = now.AddHours(-3), Status = RunStatus.Succeeded, Trigger = RunTrigger.Manual };
        var item = new WorkItem
        {
            AutomationId = automationId, SourceKey = "n-0042", RunId = run.Id, LastRunId = run.Id, Status = WorkItemStatus.Escalated, Decision = "escalate",
            ReasonCodes = "over-threshold", Payload = "1500", ReceivedAt = now.AddHours(-3), DecidedAt = now.AddHours(-3),
            SummaryReference = "N-0042", SummaryParty = "Acme", SummaryAmount = 1500m, SummaryCurrency = "EUR",
        };
        var earlier = new WorkItem
        {
            AutomationId = automationId, SourceKey = "n-0007", RunId = run.Id, LastRunId = run.Id, Status = WorkItemStatus.Done, Decision = "approve",
            ReceivedAt = now.AddDays(-20), DecidedAt = now.AddDays(-20), SummaryReference = "N-0007", SummaryParty = "Acme", SummaryAmount = 900m, SummaryCurrency = "EUR",
        };
        var escalation = new Escalation
        {
            WorkItemId = item.Id, AutomationId = automationId, Reasons = "over-threshold", CreatedAt = now.AddHours(-3),
            Status = holder is null ? EscalationStatus.Open : EscalationStatus.Claimed, AssigneeId = holder?.Id, AssigneeName = holder?.Name, ClaimedAt = holder is null ? null : now.AddMinutes(-10),
        };
        using var db = NewContext();
        db.AddRange(run, item, earlier, escalation,
            new DecisionRecord { WorkItemId = item.Id, RunId = run.Id, At = now.AddHours(-3), DecidedBy = DecidedBy.Automation, Decision = "escalate", ReasonCodes = "over-threshold" },
            new DecisionRecord { WorkItemId = earlier.Id, RunId = run.Id, At = now.AddDays(-20), DecidedBy = DecidedBy.Automation, Decision = "approve" },
            new DecisionRecord
            {
                WorkItemId = earlier.Id, At = now.AddDays(-19), DecidedBy = DecidedBy.Person, PersonName = "lead@portal.test", Decision = "approve", Override = true,
                Note = "Agreed with Acme on the phone.", HumanMinutes = 5,
            },
            new ItemEvent { WorkItemId = item.Id, EscalationId = escalation.Id, At = now.AddHours(-1), Type = ItemEventType.Note, ActorName = "colleague@portal.test", Text = "Acme confirmed the amount by mail." });
        db.SaveChanges();
        return new Scene(escalation.Id, item.Id, earlier.Id, run.Id);
    }

    /// <summary>A number the automation approved some days ago; nothing was done for it yet.</summary>
    private Guid AddDecided(Guid automationId, int decidedDaysAgo)
    {
        var at = _clock.GetUtcNow().UtcDateTime.AddDays(-decidedDaysAgo);
        var run = new AutomationRun { AutomationId = automationId, QueuedAt = at, Status = RunStatus.Succeeded, Trigger = RunTrigger.Manual };
        var item = new WorkItem
        {
            AutomationId = automationId, SourceKey = $"n-old-{decidedDaysAgo}", RunId = run.Id, LastRunId = run.Id, Status = WorkItemStatus.AwaitingAction, Decision = "approve",
            Payload = "12", ReceivedAt = at, DecidedAt = at, SummaryReference = "N-0100", SummaryAmount = 12m,
        };
        using var db = NewContext();
        db.AddRange(run, item, new DecisionRecord { WorkItemId = item.Id, RunId = run.Id, At = at, DecidedBy = DecidedBy.Automation, Decision = "approve" });
        db.SaveChanges();
        return item.Id;
    }
}
