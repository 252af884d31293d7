using AutomationPortal.Web.Features.Users;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace AutomationPortal.Web.Components.Account;

internal static class IdentityEndpoints
{
    /// <summary>Sign-out is a POST with an antiforgery token, so no link or image can sign a person out.</summary>
    public static IEndpointConventionBuilder MapAdditionalIdentityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/Account");
        account.MapPost("/Logout", async Task<IResult> (HttpContext context, [FromServices] SignInManager<PortalUser> signInManager, [FromServices] IAntiforgery antiforgery) =>
        {
            // The form carries the antiforgery token; a post from another site has none and signs nobody out.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return TypedResults.Problem("The sign-out form has expired or came from another site. Reload the page and sign out again.", statusCode: StatusCodes.Status400BadRequest);
            }

            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        }).AllowAnonymous().DisableAntiforgery();
        return account;
    }
}
