using System.Security.Claims;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AutomationPortal.Web.Features.Users;

public sealed record CreateUserRequest(string? Email, string? DisplayName, Role? Role, string? Password);

public sealed record UserChangeRequest(long Version, Role? Role);

public sealed record MeResponse(string Name, IReadOnlyList<string> Roles);

public sealed record UserPage(IReadOnlyList<UserSummary> Items, int Total);

/// <summary>
/// The caller's own identity, and user administration for Admins. Each change names the version the Admin read, so a
/// change made meanwhile is refused rather than overwritten.
/// </summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/me", GetMe)
            .WithTags("Account")
            .WithSummary("Who the caller is: a user's email or an API key's name, with the roles.");

        var users = app.MapGroup("/admin/users").RequireAuthorization(Policies.Admin).WithTags("Users");

        users.MapGet("", GetUsers);
        users.MapPost("", CreateUser)
            .WithSummary("Creates a user. Without a password one is generated and returned once.");
        users.MapPost("/{id:guid}/role", SetRole);
        users.MapPost("/{id:guid}/lock", Lock).ProducesValidationProblem();
        users.MapPost("/{id:guid}/unlock", Unlock).ProducesValidationProblem();
        users.MapPost("/{id:guid}/deactivate", Deactivate).ProducesValidationProblem();
        users.MapPost("/{id:guid}/reset-two-factor", ResetTwoFactor).ProducesValidationProblem()
            .WithSummary("Takes away a person's second factor (authenticator and recovery codes) and signs them out everywhere; they set it up again after signing in with their password.");
        users.MapPost("/{id:guid}/reactivate", Reactivate).ProducesValidationProblem();
        return app;
    }

    public static Ok<MeResponse> GetMe(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return TypedResults.Ok(new MeResponse(
            user.Identity?.Name ?? "",
            user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order().ToList()));
    }

    public static async Task<Results<Ok<UserPage>, ValidationProblem>> GetUsers(UserAdministration admin, string? search, int? page, int? pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var size = Math.Clamp(pageSize ?? 50, 1, 200);
        var number = Math.Max(page ?? 0, 0);
        if ((long)number * size > int.MaxValue)
        {
            return Invalid("page", $"Page {page} is beyond any list; pages count from 0.");
        }

        var (items, total) = await admin.ListAsync(search, number, size, ct);
        return TypedResults.Ok(new UserPage(items, total));
    }

    public static async Task<Results<Created<CreatedUser>, ValidationProblem>> CreateUser(CreateUserRequest request, UserAdministration admin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        if (request.Role is not { } role || !Enum.IsDefined(role))
        {
            return Invalid("role", $"Role is required: one of {string.Join(", ", Roles.All)}.");
        }

        var created = await admin.CreateAsync(new NewUser(request.Email ?? "", request.DisplayName ?? "", role, request.Password), ct);
        return TypedResults.Created($"/api/admin/users/{created.User.Id}", created);
    }

    public static async Task<Results<Ok<UserSummary>, ValidationProblem>> SetRole(Guid id, UserChangeRequest request, UserAdministration admin, ClaimsPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        return request.Role is { } role
            ? TypedResults.Ok(await admin.SetRoleAsync(id, role, request.Version, UsersModule.CallerId(caller)))
            : Invalid("role", "Role is required.");
    }

    public static async Task<Ok<UserSummary>> Lock(Guid id, UserChangeRequest request, UserAdministration admin, ClaimsPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        return TypedResults.Ok(await admin.LockAsync(id, request.Version, UsersModule.CallerId(caller)));
    }

    public static async Task<Ok<UserSummary>> Unlock(Guid id, UserChangeRequest request, UserAdministration admin)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        return TypedResults.Ok(await admin.UnlockAsync(id, request.Version));
    }

    public static async Task<Ok<UserSummary>> Deactivate(Guid id, UserChangeRequest request, UserAdministration admin, ClaimsPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        return TypedResults.Ok(await admin.DeactivateAsync(id, request.Version, UsersModule.CallerId(caller)));
    }

    public static async Task<Ok<UserSummary>> ResetTwoFactor(Guid id, UserChangeRequest request, UserAdministration admin)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        return TypedResults.Ok(await admin.ResetTwoFactorAsync(id, request.Version));
    }

    public static async Task<Ok<UserSummary>> Reactivate(Guid id, UserChangeRequest request, UserAdministration admin)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        return TypedResults.Ok(await admin.ReactivateAsync(id, request.Version));
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
