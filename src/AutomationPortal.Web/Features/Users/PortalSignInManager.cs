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
    public override async Task<bool> CanSignInAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsActive && await base.CanSignInAsync(user);
    }

    public override async Task SignInWithClaimsAsync(PortalUser user, AuthenticationProperties? authenticationProperties, IEnumerable<System.Security.Claims.Claim> additionalClaims)
    {
        ArgumentNullException.ThrowIfNull(user);
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
        if (Context.Request.Path.StartsWithSegments("/Account/Login"))
        {
            user.LastSignInAt = time.GetUtcNow().UtcDateTime;
            await UserManager.UpdateAsync(user);
        }
    }
}
