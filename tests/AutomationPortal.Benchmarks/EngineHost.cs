using Microsoft.AspNetCore.DataProtection;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Scheduling;
using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace AutomationPortal.Benchmarks;

/// <summary>The automation engine with one kind on a migrated SQLite file in WAL mode, without the web host.</summary>
internal static class EngineHost
{
    public static ServiceProvider Build<TKind>(string folder, out PortalDatabase database, Action<IServiceCollection>? kindServices = null)
        where TKind : class, IAutomationKind
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(folder, "portal.db")}",
        }).Build();
        database = PortalDatabase.Resolve(configuration, folder);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(database);
        services.AddPortalDbContext(database);
        services.AddQuartz(new System.Collections.Specialized.NameValueCollection { ["quartz.scheduler.instanceName"] = "bench-" + Guid.NewGuid().ToString("N") }, _ => { });
        services.AddSingleton<IAutomationKind, TKind>();
        services.AddSingleton<AutomationKindCatalog>();
        services.AddSingleton<AutomationScheduler>();
        services.AddSingleton<GuardrailMonitor>();
        services.AddSingleton<RunStops>();
        services.AddSingleton<RunCompletions>();
        services.AddDataProtection();
        services.AddSingleton<SecretSettings>();
        services.AddSingleton(new AutomationPortal.Web.Infrastructure.Files.PortalFolders([database.DataFolder], database.DataFolder));
        services.AddRunLeases();
        services.AddScoped<AutomationEngine>();
        kindServices?.Invoke(services);
        var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Database.Migrate();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode = WAL;");
        return provider;
    }
}
