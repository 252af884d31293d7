using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using AutomationPortal.Web.Features.Users;

namespace AutomationPortal.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri)
    {
        uri ??= "";

        // No open redirects: an address of another site (https://evil.example/, //evil.example, /\evil.example) leads
        // home instead; the portal's own absolute addresses are made relative.
        if (!IsLocal(uri))
        {
            uri = Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
                && navigationManager.BaseUri.StartsWith(absolute.GetLeftPart(UriPartial.Authority) + "/", StringComparison.OrdinalIgnoreCase)
                    ? navigationManager.ToBaseRelativePath(uri)
                    : "";
        }

        navigationManager.NavigateTo(uri);
    }

    /// <summary>Whether an address stays on this site: relative, and not one that browsers read as another host.</summary>
    public static bool IsLocal(string? uri) =>
        uri is not null
        && Uri.IsWellFormedUriString(uri, UriKind.Relative)
        && !uri.StartsWith("//", StringComparison.Ordinal)
        && !uri.StartsWith("/\\", StringComparison.Ordinal)
        && !uri.Contains('\\', StringComparison.Ordinal);

    /// <summary>An address to link back to: the given one when it is local, else the home page.</summary>
    public static string LocalOrHome(string? uri) => IsLocal(uri) && uri!.Length > 0 ? uri : "/";

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<PortalUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}
