using System.Collections.Concurrent;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Users;

/// <summary>
/// Limits sign-in attempts per account and per client address, and locks out an address (not the account) after
/// repeated failures, so nobody can lock a known account with a few posts. Counts are kept in memory, bounded: the
/// oldest windows are dropped when many addresses or names are tried.
/// </summary>
public sealed class SignInGuard(IOptions<RateLimitOptions> options, TimeProvider time)
{
    /// <summary>How many counters are kept at most; a spray of made-up names cannot grow memory beyond this.</summary>
    private const int MaxCounters = 50_000;

    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>How many counters are kept now (for tests of the bound).</summary>
    internal int Counters => _counters.Count;

    /// <summary>Why this attempt may not be made now and when it may, or null when it may.</summary>
    public (string Message, TimeSpan RetryAfter)? Refuse(string account, string address)
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        var normal = account.Trim().ToUpperInvariant();
        if (Count($"account:{normal}", now, TimeSpan.FromMinutes(limits.SignInAccountWindowMinutes), limits.SignInPerAccount) is { } accountWait)
        {
            return ($"Too many sign-in attempts for this account. Try again in {Minutes(accountWait)}.", accountWait);
        }

        if (Count($"address:{address}", now, TimeSpan.FromMinutes(1), limits.SignInPerAddressPerMinute) is { } addressWait)
        {
            return ($"Too many sign-in attempts from this address. Try again in {Minutes(addressWait)}.", addressWait);
        }

        return null;
    }

    /// <summary>The client address sign-in attempts are counted by.</summary>
    public static string AddressOf(HttpContext context) => context?.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>
    /// For a sign-in form's post (password, authenticator code or recovery code): when this attempt is over a limit,
    /// the answer becomes 429 with Retry-After and the returned message says when to try again; null when it may go on.
    /// </summary>
    public string? RefuseRequest(HttpContext context, string account)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Refuse(account, AddressOf(context)) is not { } refusal)
        {
            return null;
        }

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Ceiling(refusal.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return refusal.Message;
    }

    /// <summary>How long this address stays locked out of the account, or null when it is not.</summary>
    public TimeSpan? LockedFor(string account, string address) =>
        Remaining($"lock:{account.Trim().ToUpperInvariant()}|{address}", time.GetUtcNow());

    /// <summary>Records a failed attempt; enough in a row from one address lock that address out of the account.</summary>
    public void Failed(string account, string address)
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        var normal = account.Trim().ToUpperInvariant();
        var failures = _counters.AddOrUpdate($"failures:{normal}|{address}", _ => new Counter(now, 1), (_, c) => c with { Count = c.Count + 1 });
        if (failures.Count >= limits.FailuresPerAddress)
        {
            _counters[$"lock:{normal}|{address}"] = new Counter(now + TimeSpan.FromMinutes(limits.LockoutMinutes), 0);
            _counters.TryRemove($"failures:{normal}|{address}", out _);
        }

        Trim();
    }

    public void Succeeded(string account, string address) => _counters.TryRemove($"failures:{account.Trim().ToUpperInvariant()}|{address}", out _);

    /// <summary>Takes one attempt from a window; returns how long to wait when the window is full.</summary>
    private TimeSpan? Count(string key, DateTimeOffset now, TimeSpan window, int limit)
    {
        var counter = _counters.AddOrUpdate(key, _ => new Counter(now, 1), (_, c) => now - c.Since >= window ? new Counter(now, 1) : c with { Count = c.Count + 1 });
        Trim();
        return counter.Count > limit ? counter.Since + window - now : null;
    }

    private TimeSpan? Remaining(string key, DateTimeOffset now)
    {
        if (_counters.TryGetValue(key, out var counter) && counter.Since > now)
        {
            return counter.Since - now;
        }

        _counters.TryRemove(key, out _);
        return null;
    }

    private void Trim()
    {
        if (_counters.Count <= MaxCounters)
        {
            return;
        }

        foreach (var old in _counters.OrderBy(c => c.Value.Since).Take(_counters.Count - (MaxCounters * 9 / 10)).Select(c => c.Key).ToList())
        {
            _counters.TryRemove(old, out _);
        }
    }

    private static string Minutes(TimeSpan wait) => wait.TotalSeconds < 60 ? $"{Math.Ceiling(wait.TotalSeconds):0} seconds" : $"{Math.Ceiling(wait.TotalMinutes):0} minute(s)";

    /// <summary>A window's start (or, for a lock, its end) and its count.</summary>
    private sealed record Counter(DateTimeOffset Since, int Count);
}
