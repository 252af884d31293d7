using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Users;

/// <summary>
/// Refuses sign-in to deactivated accounts and records each successful sign-in on the user (which the audit
/// log then shows); everything else is Identity's own behaviour.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation,
    TimeProvider time)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    /// <summary>A stand-in account whose password hash unknown names are checked against, so they take as long as known ones.</summary>
    private static readonly PortalUser StandIn = new() { UserName = "stand-in" };

    private static string? _standInHash;

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            // Timing tells nothing: the same hash work as for a real account, then the same answer as a wrong password.
            _standInHash ??= UserManager.PasswordHasher.HashPassword(StandIn, Guid.NewGuid().ToString("N"));
            UserManager.PasswordHasher.VerifyHashedPassword(StandIn, _standInHash, password ?? "");
            return SignInResult.Failed;
        }

        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    /// <summary>
    /// "Don't ask again on this browser" holds only while the account's security stamp is the one it was given with:
    /// a reset of the second factor, a new phone or two-factor turned off ends it at once, not at the next periodic check.
    /// </summary>
    public override async Task<bool> IsTwoFactorClientRememberedAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var remembered = await Context.AuthenticateAsync(IdentityConstants.TwoFactorRememberMeScheme);
        return remembered.Principal is { } principal
            && principal.FindFirstValue(System.Security.Claims.ClaimTypes.Name) == await UserManager.GetUserIdAsync(user)
            && principal.FindFirstValue(Options.ClaimsIdentity.SecurityStampClaimType) is { Length: > 0 } stamp
            && string.Equals(stamp, await UserManager.GetSecurityStampAsync(user), StringComparison.Ordinal);
    }

    public override async Task<bool> CanSignInAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsActive && await base.CanSignInAsync(user);
    }

    public override async Task SignInWithClaimsAsync(PortalUser user, AuthenticationProperties? authenticationProperties, IEnumerable<System.Security.Claims.Claim> additionalClaims)
    {
        ArgumentNullException.ThrowIfNull(user);
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
        // The password step, or the second step after it (authenticator or recovery code): a sign-in by the person.
        if (Context.Request.Path.Value?.StartsWith("/Account/Login", StringComparison.OrdinalIgnoreCase) == true)
        {
            user.LastSignInAt = time.GetUtcNow().UtcDateTime;
            await UserManager.UpdateAsync(user);
        }
    }
}
