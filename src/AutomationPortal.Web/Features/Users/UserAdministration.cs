using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Users;

public enum UserStatus
{
    Active,
    Locked,
    Deactivated,
}

public sealed record UserSummary(
    Guid Id,
    string Email,
    string DisplayName,
    IReadOnlyList<Role> Roles,
    UserStatus Status,
    DateTime CreatedAt,
    DateTime? LastSignInAt,
    DateTimeOffset? LockedUntil,
    int FailedAttempts,
    bool TwoFactorEnabled,
    long Version);

public sealed record NewUser(string Email, string DisplayName, Role Role, string? Password);

public sealed record CreatedUser(UserSummary User, string? GeneratedPassword);

/// <summary>A user action the portal refused, with a message that says what to do; the API names it under "user".</summary>
public sealed class UserAdministrationException(string message) : PortalValidationException("user", message);

/// <summary>The account changed since the caller read it (another Admin, or the person themselves); the API answers 409.</summary>
public sealed class UserChangedMeanwhileException(string message) : ConflictException(message, "Changed by someone else meanwhile.");

/// <summary>
/// What Admins do with accounts: create, change role, lock, unlock, deactivate, reactivate.
/// Every call re-checks that the caller is an Admin, so no page or endpoint can skip the rule.
/// </summary>
public sealed class UserAdministration(PortalDbContext db, UserManager<PortalUser> users, RoleManager<PortalRole> roles, TimeProvider time)
{
    public const int MinimumPasswordLength = 12;

    public async Task<(IReadOnlyList<UserSummary> Items, int Total)> ListAsync(string? search, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + search.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(u => EF.Functions.Like(u.Email!, pattern, "\\") || EF.Functions.Like(u.DisplayName, pattern, "\\"));
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderBy(u => u.NormalizedEmail).Skip(page * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var roleMap = await RolesOfAsync(rows.Select(u => u.Id).ToList(), cancellationToken);
        return (rows.Select(u => Summarise(u, roleMap.GetValueOrDefault(u.Id, []))).ToList(), total);
    }

    public async Task<UserSummary?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return null;
        }

        var roleMap = await RolesOfAsync([id], cancellationToken);
        return Summarise(user, roleMap.GetValueOrDefault(id, []));
    }

    public async Task<CreatedUser> CreateAsync(NewUser request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var email = request.Email?.Trim() ?? "";
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            throw new UserAdministrationException($"'{email}' is not an email address.");
        }

        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new UserAdministrationException($"A user with the email {email} already exists. Reactivate or edit that account instead.");
        }

        if (!Enum.IsDefined(request.Role))
        {
            throw new UserAdministrationException($"'{request.Role}' is not a role: use one of {string.Join(", ", Roles.All)}.");
        }

        var generated = string.IsNullOrEmpty(request.Password) ? PasswordGenerator.Generate() : null;
        var user = new PortalUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? email : request.DisplayName.Trim(),
            LockoutEnabled = true,
        };
        // The account and its role are created together or not at all: never an active account without a role.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            Check(await users.CreateAsync(user, generated ?? request.Password!));
            Check(await users.AddToRoleAsync(user, request.Role.ToString()));
            await transaction.CommitAsync(cancellationToken);
        }

        return new CreatedUser((await FindAsync(user.Id, cancellationToken))!, generated);
    }

    public async Task<UserSummary> SetRoleAsync(Guid id, Role role, long expectedVersion, Guid? actingUserId)
    {
        var user = await LoadAsync(id, expectedVersion);
        var current = await users.GetRolesAsync(user);
        if (id == actingUserId && role != Role.Admin && current.Contains(Roles.Admin))
        {
            throw new UserAdministrationException("You cannot remove your own Admin role. Ask another Admin to do it.");
        }

        if (current.Contains(Roles.Admin) && role != Role.Admin)
        {
            await EnsureAnotherActiveAdminAsync(id);
        }

        var toRemove = current.Where(r => r != role.ToString()).ToList();
        if (toRemove.Count > 0)
        {
            Check(await users.RemoveFromRolesAsync(user, toRemove));
        }

        if (!current.Contains(role.ToString()))
        {
            Check(await users.AddToRoleAsync(user, role.ToString()));
        }

        // A role change takes effect in open sessions at their next revalidation.
        Check(await users.UpdateSecurityStampAsync(user));
        return (await FindAsync(id))!;
    }

    public async Task<UserSummary> LockAsync(Guid id, long expectedVersion, Guid? actingUserId)
    {
        if (id == actingUserId)
        {
            throw new UserAdministrationException("You cannot lock your own account.");
        }

        var user = await LoadAsync(id, expectedVersion);
        if (await users.IsInRoleAsync(user, Roles.Admin))
        {
            await EnsureAnotherActiveAdminAsync(id);
        }

        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
        Check(await users.UpdateSecurityStampAsync(user));
        return (await FindAsync(id))!;
    }

    public async Task<UserSummary> UnlockAsync(Guid id, long expectedVersion)
    {
        var user = await LoadAsync(id, expectedVersion);
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
        return (await FindAsync(id))!;
    }

    public async Task<UserSummary> DeactivateAsync(Guid id, long expectedVersion, Guid? actingUserId)
    {
        if (id == actingUserId)
        {
            throw new UserAdministrationException("You cannot deactivate your own account.");
        }

        var user = await LoadAsync(id, expectedVersion);
        if (!user.IsActive)
        {
            return (await FindAsync(id))!;
        }

        if (await users.IsInRoleAsync(user, Roles.Admin))
        {
            await EnsureAnotherActiveAdminAsync(id);
        }

        user.DeactivatedAt = time.GetUtcNow().UtcDateTime;
        Check(await users.UpdateAsync(user));
        Check(await users.UpdateSecurityStampAsync(user));
        return (await FindAsync(id))!;
    }

    public async Task<UserSummary> ReactivateAsync(Guid id, long expectedVersion)
    {
        var user = await LoadAsync(id, expectedVersion);
        user.DeactivatedAt = null;
        Check(await users.UpdateAsync(user));
        return (await FindAsync(id))!;
    }

    public async Task<string> ResetPasswordAsync(Guid id, long expectedVersion)
    {
        var user = await LoadAsync(id, expectedVersion);
        var password = PasswordGenerator.Generate();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        Check(await users.ResetPasswordAsync(user, token, password));
        return password;
    }

    /// <summary>
    /// Takes away a person's second factor when they lost their phone and their recovery codes: two-factor sign-in
    /// off, the authenticator key and the recovery codes gone, and a new security stamp, which ends every session at its
    /// next check and every "don't ask again on this browser" at once; in one change (one audit entry). They sign in with their password next and set it up again.
    /// </summary>
    public async Task<UserSummary> ResetTwoFactorAsync(Guid id, long expectedVersion)
    {
        var user = await LoadAsync(id, expectedVersion);
        var secrets = await db.UserTokens
            .Where(t => t.UserId == id && t.LoginProvider == TwoFactor.StoreProvider
                && (t.Name == TwoFactor.AuthenticatorKeyToken || t.Name == TwoFactor.RecoveryCodesToken || t.Name == AuthenticatorCodes.LastStepToken))
            .ToListAsync();
        db.UserTokens.RemoveRange(secrets);
        user.TwoFactorEnabled = false;
        // A new stamp signs out open sessions at their next check and voids "don't ask again on this browser".
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        Check(await users.UpdateAsync(user));
        return (await FindAsync(id))!;
    }

    /// <summary>Makes sure the portal's roles exist; safe to call at every start.</summary>
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role.ToString()))
            {
                Check(await roles.CreateAsync(new PortalRole(role.ToString())));
            }
        }
    }

    private async Task<PortalUser> LoadAsync(Guid id, long expectedVersion)
    {
        var user = await users.FindByIdAsync(id.ToString())
            ?? throw new UserAdministrationException("No account has that id: reload the list and choose the account again.");
        if (user.Version != expectedVersion)
        {
            throw new UserChangedMeanwhileException($"{user.Email} was changed by someone else meanwhile. Reload the list and try again.");
        }

        return user;
    }

    private async Task EnsureAnotherActiveAdminAsync(Guid exceptId)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        var now = time.GetUtcNow();
        if (!admins.Any(a => a.Id != exceptId && a.IsActive && (a.LockoutEnd is null || a.LockoutEnd <= now)))
        {
            throw new UserAdministrationException("This is the last active Admin. Make another user Admin first.");
        }
    }

    private async Task<Dictionary<Guid, List<Role>>> RolesOfAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var links = await (
                from link in db.UserRoles.AsNoTracking()
                join role in db.Roles.AsNoTracking() on link.RoleId equals role.Id
                where ids.Contains(link.UserId)
                select new { link.UserId, role.Name })
            .ToListAsync(cancellationToken);
        return links
            .Where(l => Enum.TryParse<Role>(l.Name, out _))
            .GroupBy(l => l.UserId)
            .ToDictionary(g => g.Key, g => g.Select(l => Enum.Parse<Role>(l.Name!)).OrderBy(r => r).ToList());
    }

    private UserSummary Summarise(PortalUser user, IReadOnlyList<Role> userRoles)
    {
        var now = time.GetUtcNow();
        var status = !user.IsActive ? UserStatus.Deactivated
            : user.LockoutEnd is { } end && end > now ? UserStatus.Locked
            : UserStatus.Active;
        return new UserSummary(user.Id, user.Email ?? "", user.DisplayName, userRoles, status, user.CreatedAt, user.LastSignInAt,
            status == UserStatus.Locked ? user.LockoutEnd : null, user.AccessFailedCount, user.TwoFactorEnabled, user.Version);
    }

    private static void Check(IdentityResult result)
    {
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure)))
        {
            throw new UserChangedMeanwhileException("The account was changed by someone else meanwhile. Reload the list and try again.");
        }

        if (!result.Succeeded)
        {
            throw new UserAdministrationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
