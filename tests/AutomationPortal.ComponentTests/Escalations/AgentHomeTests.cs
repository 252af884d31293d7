using AutomationPortal.Web.Features.Dashboard;
using AutomationPortal.Web.Features.Escalations.Pages;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.ComponentTests.Escalations;

/// <summary>The Agent's home as their queue: Mine first, then Unassigned, with the counts the queue shows.</summary>
public sealed class AgentHomeTests : QueueTest
{
    [Fact]
    public void TheHomeShowsMineThenUnassignedWithTheQueuesOwnCounts()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();

        var home = Render<Home>();

        home.WaitForAssertion(() => Assert.Equal(["N-011", "N-010"], Items(home, "mine-items")));
        Assert.Equal("My work", home.Find("h1").TextContent.Trim());
        Assert.Equal(["N-002", "N-001", "N-003"], Items(home, "unassigned-items"));
        Assert.True(home.Markup.IndexOf("data-testid=\"home-mine\"", StringComparison.Ordinal) < home.Markup.IndexOf("data-testid=\"home-unassigned\"", StringComparison.Ordinal));
        Assert.Equal("All of mine (2)", home.Find("[data-testid=all-mine]").TextContent.Trim());
        Assert.Equal("All unassigned (3)", home.Find("[data-testid=all-unassigned]").TextContent.Trim());
        Assert.Equal(3, home.FindAll("[data-testid=unassigned-items] [data-testid=claim]").Count);
        Assert.Empty(home.FindAll("[data-testid=mine-items] [data-testid=claim]"));
        Assert.Empty(home.FindAll("[data-testid=home-empty]"));

        // The queue, for the same person, counts the same.
        Services.GetRequiredService<NavigationManager>().NavigateTo("escalations");
        var queue = Render<EscalationsPage>();
        queue.WaitForAssertion(() => Assert.Equal(2, queue.FindAll("[data-testid=queue] tbody tr").Count));
        foreach (var view in new[] { "mine", "unassigned", "deferred", "resolved-today" })
        {
            Assert.Equal(queue.Find($"[data-testid=view-{view}] [data-testid=view-count]").TextContent.Trim(), Stat(home, view));
        }

        Assert.Equal(["2", "3", "1", "1"], new[] { "mine", "unassigned", "deferred", "resolved-today" }.Select(v => Stat(home, v)));
    }

    [Fact]
    public void ClaimingFromTheHomeMovesTheItemUnderMine()
    {
        SignInAsPerson(Role.Agent, AgentId, AgentName);
        SeedQueue();
        RenderPopoverProvider();
        var home = Render<Home>();
        home.WaitForAssertion(() => Assert.Equal(3, Items(home, "unassigned-items").Count));

        home.FindAll("[data-testid=unassigned-items] [data-testid=queue-item]")
            .Single(i => i.TextContent.Contains("N-002", StringComparison.Ordinal))
            .QuerySelector("[data-testid=claim]")!.Click();

        home.WaitForAssertion(() => Assert.Equal(["N-002", "N-011", "N-010"], Items(home, "mine-items")));
        Assert.Equal(["N-001", "N-003"], Items(home, "unassigned-items"));
        Assert.Equal("3", Stat(home, "mine"));
        Assert.Equal("2", Stat(home, "unassigned"));
        Assert.Equal("All of mine (3)", home.Find("[data-testid=all-mine]").TextContent.Trim());
    }

    [Fact]
    public void WithNothingHeldMineSaysWhereToClaimAndOnlyAnEmptyQueueShowsTheEmptyState()
    {
        SignInAsPerson(Role.Agent, Guid.NewGuid(), "newcomer@portal.test");
        SeedQueue();
        RenderPopoverProvider();

        var home = Render<Home>();

        home.WaitForAssertion(() => Assert.Equal(3, Items(home, "unassigned-items").Count));
        Assert.Contains("Claim an item from Unassigned", home.Find("[data-testid=mine-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(home.FindAll("[data-testid=home-empty]"));
    }

    private static List<string> Items(IRenderedComponent<Home> home, string list) =>
        home.FindAll($"[data-testid={list}] [data-testid=escalation-link]").Select(a => a.TextContent.Trim()).ToList();

    private static string Stat(IRenderedComponent<Home> home, string view) => home.Find($"[data-testid=stat-{view}] h5").TextContent.Trim();
}
