using System.Security.Claims;
using AutomationPortal.Web.Infrastructure.Hosting;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Users;

public sealed record CreateUserRequest(string? Email, string? DisplayName, Role? Role, string? Password);

public sealed record UserChangeRequest(long Version, Role? Role);

public static class UsersModule
{
    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<UserAdministration>();
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section);
        builder.Services.AddScoped<IStartupTask, BootstrapAdminTask>();
        return builder;
    }

    public static RouteGroupBuilder MapUserEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new MeResponse(
                user.Identity?.Name ?? "",
                user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order().ToList())))
            .WithTags("Account")
            .WithSummary("Who the caller is: a user's email or an API key's name, with the roles.");

        var users = api.MapGroup("/admin/users").RequireAuthorization(Policies.Admin).WithTags("Users");

        users.MapGet("", async Task<Results<Ok<UserPage>, ValidationProblem>> (UserAdministration admin, string? search, int? page, int? pageSize, CancellationToken ct) =>
        {
            var size = Math.Clamp(pageSize ?? 50, 1, 200);
            var number = Math.Max(page ?? 0, 0);
            if ((long)number * size > int.MaxValue)
            {
                return Invalid("page", $"Page {page} is beyond any list; pages count from 0.");
            }

            var (items, total) = await admin.ListAsync(search, number, size, ct);
            return TypedResults.Ok(new UserPage(items, total));
        });

        users.MapPost("", async Task<Results<Created<CreatedUser>, ValidationProblem>> (CreateUserRequest request, UserAdministration admin, CancellationToken ct) =>
        {
            if (request.Role is not { } role || !Enum.IsDefined(role))
            {
                return Invalid("role", $"Role is required: one of {string.Join(", ", Roles.All)}.");
            }

            var created = await admin.CreateAsync(new NewUser(request.Email ?? "", request.DisplayName ?? "", request.Role.Value, request.Password), ct);
            return TypedResults.Created($"/api/admin/users/{created.User.Id}", created);
        }).WithSummary("Creates a user. Without a password one is generated and returned once.");

        users.MapPost("/{id:guid}/role", (Guid id, UserChangeRequest request, UserAdministration admin, ClaimsPrincipal caller) =>
            request.Role is { } role
                ? Run(() => admin.SetRoleAsync(id, role, request.Version, CallerId(caller)))
                : Task.FromResult<Results<Ok<UserSummary>, ValidationProblem, ProblemHttpResult>>(Invalid("role", "Role is required.")));
        users.MapPost("/{id:guid}/lock", (Guid id, UserChangeRequest request, UserAdministration admin, ClaimsPrincipal caller) =>
            Run(() => admin.LockAsync(id, request.Version, CallerId(caller))));
        users.MapPost("/{id:guid}/unlock", (Guid id, UserChangeRequest request, UserAdministration admin) =>
            Run(() => admin.UnlockAsync(id, request.Version)));
        users.MapPost("/{id:guid}/deactivate", (Guid id, UserChangeRequest request, UserAdministration admin, ClaimsPrincipal caller) =>
            Run(() => admin.DeactivateAsync(id, request.Version, CallerId(caller))));
        users.MapPost("/{id:guid}/reset-two-factor", (Guid id, UserChangeRequest request, UserAdministration admin) =>
                Run(() => admin.ResetTwoFactorAsync(id, request.Version)))
            .WithSummary("Takes away a person's second factor (authenticator and recovery codes) and signs them out everywhere; they set it up again after signing in with their password.");
        users.MapPost("/{id:guid}/reactivate", (Guid id, UserChangeRequest request, UserAdministration admin) =>
            Run(() => admin.ReactivateAsync(id, request.Version)));
        return api;
    }

    internal static Guid? CallerId(ClaimsPrincipal principal)
    {
        var actor = Actor.FromPrincipal(principal);
        return actor.Kind == ActorKind.User ? actor.Id : null;
    }

    private static async Task<Results<Ok<UserSummary>, ValidationProblem, ProblemHttpResult>> Run(Func<Task<UserSummary>> action) =>
        TypedResults.Ok(await action());

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

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

public sealed record MeResponse(string Name, IReadOnlyList<string> Roles);

public sealed record UserPage(IReadOnlyList<UserSummary> Items, int Total);
