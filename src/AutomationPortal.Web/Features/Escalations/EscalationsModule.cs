namespace AutomationPortal.Web.Features.Escalations;

/// <summary>The escalation queue as a module: its reads, its actions, and the return of deferred items on time.</summary>
public static class EscalationsModule
{
    public static WebApplicationBuilder AddEscalations(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<EscalationOptions>().BindConfiguration(EscalationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddEscalationServices();
        services.AddHostedService<EscalationReturnService>();
        return builder;
    }

    public static IServiceCollection AddEscalationServices(this IServiceCollection services)
    {
        services.AddScoped<EscalationQueries>();
        services.AddScoped<EscalationActions>();
        services.AddScoped<EscalationReturns>();
        return services;
    }
}
