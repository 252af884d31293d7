using Microsoft.Extensions.Diagnostics.HealthChecks;
using System.Text.Json.Serialization;
using AutomationPortal.Web.Components;
using AutomationPortal.Web.Components.Account;
using AutomationPortal.Web.Features.ApiKeys;
using AutomationPortal.Web.Features.Audit;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace AutomationPortal.Web.Infrastructure;

public static class PortalSetup
{
    /// <summary>Options, database, Identity, authentication, Blazor and MudBlazor, OpenAPI and health.</summary>
    public static WebApplicationBuilder AddPortalInfrastructure(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Library assets (_content/MudBlazor/…) come from the build's static web assets manifest under `dotnet run`
        // in every environment; published output carries them in wwwroot/ and has no manifest, which makes this a no-op.
        builder.WebHost.UseStaticWebAssets();
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OrganisationOptions>().BindConfiguration(OrganisationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddSingleton<SignInNotes>();
        services.AddSingleton<StartupState>();
        services.AddHostedService<PortalInitializer>();

        AddDatabase(builder);
        AddIdentityAndAuth(services);

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<UnitOfWorkFactory>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails();
        services.AddExceptionHandler<PortalExceptionHandler>();
        services.AddPortalRateLimits();
        services.AddOpenApi();

        services.AddHealthChecks()
            .AddCheck<StartupHealthCheck>("startup")
            .AddDbContextCheck<PortalDbContext>("database")
            .AddCheck<DatabaseWritesHealthCheck>("database-writes");

        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        return builder;
    }

    private static void AddDatabase(WebApplicationBuilder builder)
    {
        var database = PortalDatabase.For(builder);
        // Sign-in cookies and antiforgery tokens survive restarts: the keys live beside the database.
        builder.Services.AddDataProtection()
            .SetApplicationName("AutomationPortal")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(database.DataFolder, "keys")));
        builder.Services.AddPortalDbContext(database);
        builder.Services.AddHostedService<WalCheckpointer>();
    }

    /// <summary>
    /// The portal's DbContext on its SQLite file, with the connection pragmas and the audit interceptor, acting as
    /// the <see cref="CurrentActor"/> of the scope. Also used by tests and benchmarks that host parts of the portal.
    /// </summary>
    public static IServiceCollection AddPortalDbContext(this IServiceCollection services, PortalDatabase database)
    {
        services.TryAddSingleton(database);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddSingleton<SqliteConnectionInterceptor>();
        services.TryAddSingleton<DatabaseWrites>();
        services.AddSingleton<DatabaseWritesInterceptor>();
        services.AddScoped<CurrentActor>();
        services.AddScoped<AuditSaveChangesInterceptor>();
        services.AddDbContextFactory<PortalDbContext>(
            (sp, options) => options
                .UseSqlite(database.ConnectionString)
                .AddInterceptors(sp.GetRequiredService<SqliteConnectionInterceptor>(), sp.GetRequiredService<AuditSaveChangesInterceptor>(), sp.GetRequiredService<DatabaseWritesInterceptor>()),
            ServiceLifetime.Scoped);
        return services;
    }

    private static void AddIdentityAndAuth(IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = PortalAuth.Scheme;
                o.DefaultChallengeScheme = PortalAuth.Scheme;
                o.DefaultForbidScheme = PortalAuth.Scheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddPolicyScheme(PortalAuth.Scheme, "Sign-in cookie or API key", o =>
                o.ForwardDefaultSelector = ctx => ctx.Request.Headers.ContainsKey(ApiKeyDefaults.HeaderName)
                    ? ApiKeyDefaults.Scheme
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "AutomationPortal.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Works over plain HTTP on loopback and behind TLS termination; secure whenever the request is HTTPS.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = ctx => PortalAuth.ApiOrRedirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => PortalAuth.ApiOrRedirect(ctx, StatusCodes.Status403Forbidden);
        });

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.SignIn.RequireConfirmedAccount = false;
                o.User.RequireUniqueEmail = true;
                // OWASP ASVS 6.2: length, not composition.
                o.Password.RequiredLength = UserAdministration.MinimumPasswordLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                // The slow limit for the account itself, from anywhere; addresses are locked out after five (SignInGuard).
                o.Lockout.MaxFailedAccessAttempts = 50;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Stores.SchemaVersion = PortalDbContext.IdentitySchemaVersion;
            })
            .AddRoles<PortalRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            // Authenticator codes: each taken once, within one step of now (Identity's own takes any of five steps, again and again).
            .AddTokenProvider<AuthenticatorCodes>(TokenOptions.DefaultAuthenticatorProvider);
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        Policies.Configure(services.AddAuthorizationBuilder());
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.Use(Security.SecurityHeaders.Apply);
        // Always: API callers get problem details in development too (pages then still show the developer page above it).
        app.UseExceptionHandler("/Error", createScopeForErrors: true);

        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        // API callers get bare status codes and problem details, never HTML pages.
        app.Use((context, next) =>
        {
            if (PortalAuth.IsApi(context.Request))
            {
                context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            }

            return next(context);
        });
        app.Use(Security.SameSiteApiWrites.Check);
        app.UseAuthentication();
        app.Use(TwoFactor.Enforce);
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapPortal(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        app.MapOpenApi();
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = async (context, report) =>
            {
                // The status, and for what is unhealthy its reason (never a path or a secret).
                context.Response.ContentType = "text/plain";
                var reasons = report.Entries.Values.Where(e => e.Status != HealthStatus.Healthy && e.Description is not null).Select(e => e.Description);
                await context.Response.WriteAsync(report.Status == HealthStatus.Healthy ? "Healthy" : string.Join(" ", [report.Status.ToString() + ":", .. reasons]));
            },
        }).AllowAnonymous();

        var api = app.MapGroup("/api").RequireAuthorization().WithTags("Portal");
        api.MapUsersApi();
        api.MapApiKeysApi();
        api.MapAuditApi();
        api.MapAutomationsApi();
        api.MapEscalationsApi();
        app.MapFallback("/api/{**rest}", () => TypedResults.NotFound());

        SignInNotes.PrintWhenStarted(app);
        return app;
    }
}

public static class PortalAuth
{
    public const string Scheme = "Portal";

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    internal static Task ApiOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int apiStatus)
    {
        if (IsApi(context.Request))
        {
            context.Response.StatusCode = apiStatus;
            return Task.CompletedTask;
        }

        if (apiStatus == StatusCodes.Status403Forbidden)
        {
            // Pages answer 403 too; the status page explains it to the person.
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
