namespace AutomationPortal.Web.Infrastructure.Security;

/// <summary>
/// A browser sends its sign-in cookie with a cross-site form post or fetch, so a cookie-authenticated API write
/// (uploads included) is accepted only from the portal's own pages: its Origin (or, lacking it, its Referer) must
/// name this site. Calls with an API key carry no cookie and are exempt; a call with neither header is accepted,
/// as browsers always send Origin on cross-site posts and scripts use keys.
/// </summary>
public static class SameSiteApiWrites
{
    public static Task Check(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.Request;
        if (!PortalAuth.IsApi(request) || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || request.Headers.ContainsKey(Features.ApiKeys.ApiKeyDefaults.HeaderName))
        {
            return next(context);
        }

        var origin = request.Headers.Origin.FirstOrDefault() ?? request.Headers.Referer.FirstOrDefault();
        if (string.IsNullOrEmpty(origin) || IsSameSite(origin, request))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsJsonAsync(new
        {
            title = "Not allowed from another site.",
            status = 403,
            detail = $"This change came from {origin}, not from the portal's own pages. Scripts call the API with an API key (X-Api-Key).",
        }, options: null, contentType: "application/problem+json");
    }

    /// <summary>
    /// The same host name as the request's: scheme and port are left out, as a TLS proxy in front changes both
    /// (https on 443 outside, http on the portal's port inside) while browsers send the outside ones.
    /// </summary>
    private static bool IsSameSite(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase);
}
