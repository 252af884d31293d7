using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Infrastructure.Security;

/// <summary>How often sign-in and the API may be used; over a limit the answer is 429 with Retry-After.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Portal:RateLimits";

    /// <summary>Sign-in posts for one account within <see cref="SignInAccountWindowMinutes"/>.</summary>
    [Range(1, 10_000)]
    public int SignInPerAccount { get; set; } = 10;

    [Range(1, 1440)]
    public int SignInAccountWindowMinutes { get; set; } = 5;

    /// <summary>Sign-in posts from one client address per minute, whatever the account.</summary>
    [Range(1, 100_000)]
    public int SignInPerAddressPerMinute { get; set; } = 30;

    /// <summary>Failed sign-ins in a row from one address that lock that address out of the account for <see cref="LockoutMinutes"/>.</summary>
    [Range(1, 1000)]
    public int FailuresPerAddress { get; set; } = 5;

    [Range(1, 1440)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>API calls per minute for one API key or signed-in person.</summary>
    [Range(1, 1_000_000)]
    public int ApiPerCallerPerMinute { get; set; } = 600;

    /// <summary>Unauthenticated API calls per minute from one client address.</summary>
    [Range(1, 1_000_000)]
    public int ApiAnonymousPerAddressPerMinute { get; set; } = 300;
}

public static class RateLimits
{
    public static IServiceCollection AddPortalRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Features.Users.SignInGuard>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per caller, and per address for calls with a key: the key is not checked yet here, so a new made-up key
            // on every call must not buy a fresh allowance.
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(ApiPartition),
                PartitionedRateLimiter.Create<HttpContext, string>(KeyedAddressPartition));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retry.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsJsonAsync(new
                {
                    title = "Too many requests.",
                    status = 429,
                    detail = $"This caller sent more API calls than allowed per minute. Try again in {Math.Ceiling(retry.TotalSeconds):0} s.",
                }, options: null, contentType: "application/problem+json", cancellationToken);
            };
        });
        return services;
    }

    /// <summary>Calls with an API key, counted per client address too: four keys' worth from one address at most.</summary>
    private static RateLimitPartition<string> KeyedAddressPartition(HttpContext context)
    {
        if (!PortalAuth.IsApi(context.Request) || !context.Request.Headers.ContainsKey(Features.ApiKeys.ApiKeyDefaults.HeaderName))
        {
            return RateLimitPartition.GetNoLimiter("not keyed");
        }

        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        return RateLimitPartition.GetFixedWindowLimiter("keyed-address:" + context.Connection.RemoteIpAddress, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = (int)Math.Min(int.MaxValue, limits.ApiPerCallerPerMinute * 4L),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }

    /// <summary>API calls are counted per API key, else per signed-in person, else per client address.</summary>
    private static RateLimitPartition<string> ApiPartition(HttpContext context)
    {
        if (!PortalAuth.IsApi(context.Request))
        {
            return RateLimitPartition.GetNoLimiter("pages");
        }

        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var (key, limit) = context.Request.Headers[Features.ApiKeys.ApiKeyDefaults.HeaderName].FirstOrDefault() is { Length: > 0 } apiKey
            ? ("key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)))[..16], limits.ApiPerCallerPerMinute)
            : context.User.Identity?.IsAuthenticated == true
                ? ("user:" + context.User.Identity.Name, limits.ApiPerCallerPerMinute)
                : ("address:" + context.Connection.RemoteIpAddress, limits.ApiAnonymousPerAddressPerMinute);
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }
}
