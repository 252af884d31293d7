using System.Security.Claims;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Users;

public static class UsersModule
{
    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<UserAdministration>();
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section);
        builder.Services.AddScoped<IStartupTask, BootstrapAdminTask>();
        return builder;
    }

    /// <summary>The signed-in person acting, for the rules that stop Admins locking or demoting themselves; null for an API key.</summary>
    internal static Guid? CallerId(ClaimsPrincipal principal)
    {
        var actor = Actor.FromPrincipal(principal);
        return actor.Kind == ActorKind.User ? actor.Id : null;
    }

    private sealed class BootstrapAdminTask(
        IOptions<BootstrapOptions> options,
        UserAdministration admin,
        UserManager<PortalUser> users,
        SignInNotes notes,
        ILogger<BootstrapAdminTask> logger) : IStartupTask
    {
        public int Order => 10;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await admin.EnsureRolesAsync();
            var bootstrap = options.Value;
            if (await users.Users.AnyAsync(cancellationToken))
            {
                if (await users.FindByEmailAsync(bootstrap.AdminEmail) is not null)
                {
                    notes.Add(string.IsNullOrEmpty(bootstrap.AdminPassword)
                        ? $"Admin:   {bootstrap.AdminEmail} (the password printed on first start)"
                        : $"Admin:   {bootstrap.AdminEmail} with the password from Portal:Bootstrap:AdminPassword");
                }

                return;
            }

            var created = await admin.CreateAsync(new NewUser(bootstrap.AdminEmail, "Administrator", Role.Admin, bootstrap.AdminPassword), cancellationToken);
            logger.LogWarning("First start: created the Admin account {Email}.", bootstrap.AdminEmail);
            notes.Add(created.GeneratedPassword is null
                ? $"Admin:   {bootstrap.AdminEmail} with the password from Portal:Bootstrap:AdminPassword"
                : $"Admin:   {bootstrap.AdminEmail}  password {created.GeneratedPassword}  (generated now, shown this once: change it under Account)");
        }
    }
}
