using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Demo;

/// <summary>
/// Demo mode (<c>--demo</c>): adds a demo Manager and a demo Agent after the bootstrap admin, and prints
/// how to sign in as each. Features add their own demo data as further <see cref="IStartupTask"/>s.
/// </summary>
public static class DemoModule
{
    public const string ManagerEmail = "manager@demo.local";
    public const string AgentEmail = "agent@demo.local";

    public static WebApplicationBuilder AddDemo(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<IStartupTask, DemoAccountsTask>();
        return builder;
    }

    private sealed class DemoAccountsTask(
        IOptions<DemoOptions> options,
        UserAdministration admin,
        UserManager<PortalUser> users,
        SignInNotes notes) : IStartupTask
    {
        public int Order => 100;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var demo = options.Value;
            if (!demo.Enabled)
            {
                return;
            }

            // Demo accounts get a known password at every demo start, so the printed one always works.
            var password = string.IsNullOrEmpty(demo.Password) ? PasswordGenerator.Generate(16) : demo.Password;
            await EnsureAsync(ManagerEmail, "Morgan Manager", Role.Manager, password, cancellationToken);
            await EnsureAsync(AgentEmail, "Alex Agent", Role.Agent, password, cancellationToken);
            notes.Add($"Manager: {ManagerEmail}  password {password}  (demo)");
            notes.Add($"Agent:   {AgentEmail}  password {password}  (demo)");
        }

        private async Task EnsureAsync(string email, string name, Role role, string password, CancellationToken cancellationToken)
        {
            var user = await users.FindByEmailAsync(email);
            if (user is null)
            {
                await admin.CreateAsync(new NewUser(email, name, role, password), cancellationToken);
                return;
            }

            var token = await users.GeneratePasswordResetTokenAsync(user);
            var result = await users.ResetPasswordAsync(user, token, password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Could not set the demo password for {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
            }
        }
    }
}
