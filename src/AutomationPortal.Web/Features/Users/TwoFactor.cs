using System.Globalization;
using System.Security.Claims;
using System.Text;
using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Users;

/// <summary>Sign-in rules for the whole installation (<c>Portal:Security</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Portal:Security";

    /// <summary>Admins must set up an authenticator app at their next sign-in and cannot turn it off.</summary>
    public bool RequireTwoFactorForAdmins { get; set; }
}

/// <summary>
/// Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and one-time recovery codes, on ASP.NET Core
/// Identity's own token providers. The sign-in cookie carries whether the person has it on, so the rule that Admins
/// must set it up is checked on every request without a database read.
/// </summary>
public static class TwoFactor
{
    /// <summary>Present (value "on") on a signed-in person whose account has two-factor sign-in turned on.</summary>
    public const string ClaimType = "portal:two-factor";

    public const string ManagePath = "/Account/Manage/TwoFactor";

    public const string SetupPath = "/Account/Manage/EnableAuthenticator";

    public const int RecoveryCodeCount = 10;

    /// <summary>Where Identity keeps a person's authenticator key and recovery codes (its own token store).</summary>
    public const string StoreProvider = "[AspNetUserStore]";

    public const string AuthenticatorKeyToken = "AuthenticatorKey";

    public const string RecoveryCodesToken = "RecoveryCodes";

    /// <summary>Recovery codes left at or below which the person is asked to make new ones.</summary>
    public const int FewRecoveryCodes = 3;

    /// <summary>The name authenticator apps show beside the code.</summary>
    public const string Issuer = "AutomationPortal";

    /// <summary>Whether this signed-in person (never an API key) must set up two-factor sign-in before anything else.</summary>
    public static bool MustSetUp(ClaimsPrincipal user, SecurityOptions options) =>
        options.RequireTwoFactorForAdmins
        && user.Identity?.IsAuthenticated == true
        && Actor.FromPrincipal(user).Kind == ActorKind.User
        && user.IsInRole(Roles.Admin)
        && !IsOn(user);

    public static bool IsOn(ClaimsPrincipal user) => user.HasClaim(ClaimType, "on");

    /// <summary>
    /// Holds an Admin who must set up two-factor sign-in at the setup page: pages redirect there, API calls and the
    /// interactive connection answer 403. Sign-in, sign-out, the account pages and static files stay open.
    /// </summary>
    public static Task Enforce(HttpContext context, RequestDelegate next)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var path = context.Request.Path;
        if (!MustSetUp(context.User, options)
            || path.StartsWithSegments("/Account")
            || path.StartsWithSegments("/Error")
            || path.StartsWithSegments("/status")
            || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return next(context);
        }

        const string Detail = "Two-factor sign-in is required for Admins on this portal. Set it up under Account, Two-factor sign-in, then try again.";
        if (PortalAuth.IsApi(context.Request) || path.StartsWithSegments("/_blazor") || !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsJsonAsync(
                new { title = "Set up two-factor sign-in first.", status = 403, detail = Detail },
                options: null,
                contentType: "application/problem+json");
        }

        var back = context.Request.Path + context.Request.QueryString;
        context.Response.Redirect($"{SetupPath}?returnUrl={Uri.EscapeDataString(back)}");
        return Task.CompletedTask;
    }

    /// <summary>The key as people type it: lower case in groups of four.</summary>
    public static string FormatKey(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return text.ToString().TrimEnd().ToLowerInvariant();
    }

    /// <summary>The <c>otpauth://</c> address authenticator apps read from the QR code (Key URI format).</summary>
    public static string AuthenticatorUri(string account, string key) =>
        string.Create(CultureInfo.InvariantCulture, $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(account)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period=30");

    /// <summary>The address as a QR code, an SVG drawn on the server (no script, nothing leaves the portal).</summary>
    public static string QrCodeSvg(string uri)
    {
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCoder.QRCodeGenerator.ECCLevel.M);
        return new QRCoder.SvgQRCode(data).GetGraphic(new System.Drawing.Size(220, 220), "#000000", "#ffffff", drawQuietZones: true, QRCoder.SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    /// <summary>What people type: digits, perhaps with spaces or a dash in the middle.</summary>
    public static string NormaliseCode(string? code) =>
        new((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
}

/// <summary>Adds <see cref="TwoFactor.ClaimType"/> to the sign-in cookie, refreshed with the rest whenever the cookie is.</summary>
public sealed class PortalClaimsPrincipalFactory(UserManager<PortalUser> users, RoleManager<PortalRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser, PortalRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = await base.GenerateClaimsAsync(user);
        if (user.TwoFactorEnabled)
        {
            identity.AddClaim(new Claim(TwoFactor.ClaimType, "on"));
        }

        return identity;
    }
}
