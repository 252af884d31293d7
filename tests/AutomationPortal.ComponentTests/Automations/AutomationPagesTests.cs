using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Kinds.Sample;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Pages;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace AutomationPortal.ComponentTests.Automations;

/// <summary>The automation pages over the real services on a temporary SQLite file, with an unstarted scheduler.</summary>
public sealed class AutomationPagesTests : PortalComponentTest
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-bunit-" + Guid.NewGuid().ToString("N"));

    public AutomationPagesTests()
    {
        Directory.CreateDirectory(_folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(_folder, "portal.db")}",
        }).Build();
        var database = PortalDatabase.Resolve(configuration, _folder);
        Services.AddPortalDbContext(database);
        // Quartz's in-memory store, never started: the pages only schedule, pause and read next fire times.
        Services.AddQuartz(new System.Collections.Specialized.NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "bunit-" + Guid.NewGuid().ToString("N"),
        }, _ => { });
        Services.AddSingleton<IAutomationKind, SampleInboxKind>();
        Services.AddSingleton<AutomationKindCatalog>();
        Services.AddSingleton<AutomationScheduler>();
        Services.AddSingleton<AutomationPortal.Web.Features.Automations.Engine.RunStops>();
        Services.AddSingleton(Options.Create(new FilesOptions()));
        Services.AddScoped<AutomationService>();
        Services.AddScoped<AutomationQueries>();
        Services.AddScoped<UnitOfWorkFactory>();
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(database.ConnectionString).Options);
        db.Database.Migrate();
    }

    [Fact]
    public void WithoutAutomationsAnAdminIsToldToCreateOne()
    {
        SignInAs(Role.Admin);

        var page = Render<AutomationsPage>();

        page.WaitForAssertion(() => Assert.Contains("No automations yet", page.Markup, StringComparison.Ordinal));
        Assert.Contains("Create one with New automation", page.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=new-automation]"));
    }

    [Fact]
    public void AnAgentSeesAutomationsButNoControls()
    {
        SignInAs(Role.Agent, "agent@portal.test");
        CreateAutomation("Nightly numbers", AutomationState.Production);
        RenderPopoverProvider();

        var page = Render<AutomationsPage>();

        page.WaitForAssertion(() => Assert.Contains("Nightly numbers", page.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=new-automation]"));
        Assert.Empty(page.FindAll("[data-testid=run-now]"));
        Assert.Empty(page.FindAll("[data-testid=pause-all]"));
        Assert.Empty(page.FindAll("input.mud-switch-input"));
        Assert.Equal("On", page.Find("[data-testid=on-off]").TextContent.Trim());
    }

    [Fact]
    public void AnAdminSwitchesAnAutomationOffAndTheNextRunGoesAway()
    {
        SignInAs(Role.Admin, "admin@portal.test");
        CreateAutomation("Hourly numbers", AutomationState.Production, "0 0 * * * ?");
        RenderPopoverProvider();
        var page = Render<AutomationsPage>();
        page.WaitForAssertion(() => Assert.Equal("Production", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.DoesNotContain("off", page.Find("[data-testid=next-run]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Every hour, on the hour", page.Find("td[data-label=Schedule] p").TextContent.Trim());

        page.Find("input.mud-switch-input").Change(false);

        page.WaitForAssertion(() => Assert.Equal("Paused", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.Contains("off", page.Find("[data-testid=next-run]").TextContent, StringComparison.Ordinal);

        page.Find("input.mud-switch-input").Change(true);

        page.WaitForAssertion(() => Assert.Equal("Production", page.Find("[data-testid=state]").TextContent.Trim()));
    }

    [Fact]
    public async Task TheServiceRefusesAnAgentWhateverThePageShows()
    {
        var id = CreateAutomation("Guarded", AutomationState.Production);
        await using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(new Actor(ActorKind.User, Guid.NewGuid(), "agent@portal.test") { Roles = [Role.Agent] });
        var service = scope.ServiceProvider.GetRequiredService<AutomationService>();

        await Assert.ThrowsAsync<ForbiddenException>(() => service.PauseAsync(id));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.RunNowAsync(id));
        await Assert.ThrowsAsync<ForbiddenException>(() => service.PauseAllAsync());
    }

    [Fact]
    public void TheSuccessFigureCountsRunsThatHadWorkAndSaysOnHoverWhatItCounts()
    {
        SignInAs(Role.Manager, "manager@portal.test");
        var id = CreateAutomation("Counted numbers", AutomationState.Production);
        using (var db = Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            var now = DateTime.UtcNow;
            db.AddRange(
                new AutomationRun { AutomationId = id, QueuedAt = now.AddHours(-3), Status = RunStatus.Succeeded, ItemsRead = 3, ItemsDone = 2, ItemsQuarantined = 1 },
                new AutomationRun { AutomationId = id, QueuedAt = now.AddHours(-2), Status = RunStatus.Succeeded },
                new AutomationRun { AutomationId = id, QueuedAt = now.AddHours(-1), Status = RunStatus.PartiallySucceeded, ItemsRead = 2, ItemsDone = 1, ItemsFailed = 1 });
            db.SaveChanges();
        }

        var popovers = RenderPopoverProvider();
        var page = Render<AutomationsPage>();

        // The quarantined file is no fault and the empty run is left out: one good run of two that had work.
        page.WaitForAssertion(() => Assert.Equal("50%", page.Find("[data-testid=success-rate]").TextContent.Replace(" ", "", StringComparison.Ordinal).Trim()));
        page.Find("td[data-label='7-day success'] .mud-tooltip-root").PointerEnter();
        page.WaitForAssertion(() => Assert.Contains("share that finished without a fault", popovers.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task APausedAutomationOffersResumeInsteadOfRunNow()
    {
        SignInAs(Role.Admin, "admin@portal.test");
        var id = CreateAutomation("Held numbers", AutomationState.Production);
        await using (var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("test");
            await scope.ServiceProvider.GetRequiredService<AutomationService>().PauseAsync(id);
        }

        RenderPopoverProvider();
        var page = Render<AutomationsPage>();

        page.WaitForAssertion(() => Assert.Equal("Paused", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=run-now]"));
        page.Find("[data-testid=resume]").Click();
        page.WaitForAssertion(() => Assert.Equal("Production", page.Find("[data-testid=state]").TextContent.Trim()));
        Assert.NotEmpty(page.FindAll("[data-testid=run-now]"));
    }

    [Fact]
    public void TheScheduleEditorChecksDescribesAndListsTheNextFiveRuns()
    {
        var editor = Render<ScheduleEditor>(p => p.Add(e => e.Schedule, "0 0 3 * * ?").Add(e => e.TimeZone, "Europe/Berlin"));

        Assert.Equal("Every day at 03:00", editor.Find("[data-testid=schedule-description]").TextContent.Trim());
        Assert.Equal(5, editor.FindAll("[data-testid=next-fires] .mud-chip").Count);
        Assert.All(editor.FindAll("[data-testid=next-fires] .mud-chip"), chip => Assert.Contains("03:00:00", chip.TextContent, StringComparison.Ordinal));

        editor.Render(p => p.Add(e => e.Schedule, "0 0 25 * * ?"));

        Assert.Contains("Not a valid schedule", editor.Markup, StringComparison.Ordinal);
        Assert.Empty(editor.FindAll("[data-testid=next-fires]"));
        Assert.False(editor.Instance.IsValid);
    }

    [Fact]
    public void AnOpenAlertShowsAsABannerWithItsLink()
    {
        var id = Guid.NewGuid();
        var banner = Render<AlertBanner>(p => p.Add(b => b.Alerts, [new AlertView(Guid.NewGuid(), id, "Invoices", "auto-paused:failure-rate", "Invoices paused itself: 6 of the last 10 items failed (60 %).", DateTime.UtcNow, null, null)]));

        Assert.Contains("An automation paused itself", banner.Markup, StringComparison.Ordinal);
        Assert.Equal($"automations/{id}", banner.Find("a").GetAttribute("href"));
    }

    private Guid CreateAutomation(string name, AutomationState state, string schedule = "0 0 3 * * ?")
    {
        using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("test");
        var service = scope.ServiceProvider.GetRequiredService<AutomationService>();
        var settings = System.Text.Json.JsonDocument.Parse("""{"inboxPath":"in"}""").RootElement;
        return service.CreateAsync(new AutomationRequest(SampleInboxKind.KindKey, name, settings, schedule, "Europe/Berlin", state)).GetAwaiter().GetResult().Id;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
