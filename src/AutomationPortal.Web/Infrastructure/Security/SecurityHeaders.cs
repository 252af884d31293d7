using System.Security.Cryptography;

namespace AutomationPortal.Web.Infrastructure.Security;

/// <summary>
/// Security headers on every answer. The Content-Security-Policy is enforced: scripts only from the portal itself and
/// the one inline import map, which carries this request's nonce; styles also inline (MudBlazor sets style
/// attributes); no framing by other sites; forms post only to the portal.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "portal:csp-nonce";

    /// <summary>This request's script nonce, for the import map.</summary>
    public static string Nonce(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[NonceKey] as string ?? "";
    }

    public static Task Apply(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        context.Items[NonceKey] = nonce;

        // Set as the answer starts: an error page, after the exception handler cleared the headers, carries them too.
        context.Response.OnStarting(() =>
        {
            Write(context.Response.Headers, nonce);
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static void Write(IHeaderDictionary headers, string nonce)
    {
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
            "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }
}
