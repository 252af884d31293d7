using Microsoft.AspNetCore.DataProtection;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.SampleInbox;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;

namespace AutomationPortal.ComponentTests;

/// <summary>Pages over the real services on a temporary SQLite file, with an unstarted scheduler.</summary>
public abstract class PortalDatabaseTest : PortalComponentTest
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-bunit-" + Guid.NewGuid().ToString("N"));

    protected PortalDatabaseTest()
    {
        Directory.CreateDirectory(_folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(_folder, "portal.db")}",
        }).Build();
        Database = PortalDatabase.Resolve(configuration, _folder);
        Services.AddPortalDbContext(Database);
        // Quartz's in-memory store, never started: the pages only schedule, pause and read next fire times.
        Services.AddQuartz(new System.Collections.Specialized.NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "bunit-" + Guid.NewGuid().ToString("N"),
        }, _ => { });
        Services.AddSingleton<IAutomationKind, SampleInboxKind>();
        Services.AddSingleton<AutomationKindCatalog>();
        Services.AddSingleton<AutomationScheduler>();
        Services.AddSingleton<AutomationPortal.Web.Features.Automations.Engine.RunStops>();
        Services.AddSingleton<AutomationPortal.Web.Features.Automations.Engine.RunCompletions>();
        Services.AddDataProtection();
        Services.AddSingleton<AutomationPortal.Web.Features.Automations.Kinds.SecretSettings>();
        Services.AddSingleton(new AutomationPortal.Web.Infrastructure.Files.PortalFolders([Database.DataFolder], Database.DataFolder));
        Services.AddSingleton(Options.Create(new FilesOptions()));
        Services.AddAutomationUseCases();
        Services.AddScoped<AutomationQueries>();
        Services.AddScoped<AutomationPortal.Web.Features.Automations.Handling.ItemHandling>();
        Services.AddSingleton(Options.Create(new EscalationOptions()));
        Services.AddEscalationServices();
        Services.AddScoped<UnitOfWorkFactory>();
        using var db = NewContext();
        db.Database.Migrate();
    }

    protected PortalDatabase Database { get; }

    /// <summary>A context of its own, for arranging rows directly (as the portal's own system actor).</summary>
    protected PortalDbContext NewContext() => new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(Database.ConnectionString).Options);

    protected Guid CreateAutomation(string name, AutomationState state, string schedule = "0 0 3 * * ?")
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
