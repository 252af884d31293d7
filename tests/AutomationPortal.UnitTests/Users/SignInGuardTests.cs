using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AutomationPortal.UnitTests.Users;

public sealed class SignInGuardTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private SignInGuard Guard(RateLimitOptions? options = null) => new(Options.Create(options ?? new RateLimitOptions()), _time);

    [Fact]
    public void FailuresFromOneAddressLockThatAddressOutNotTheAccountForEveryone()
    {
        var guard = Guard();
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(guard.Refuse("admin@localhost", "203.0.113.9"));
            guard.Failed("admin@localhost", "203.0.113.9");
        }

        Assert.NotNull(guard.LockedFor("ADMIN@localhost", "203.0.113.9"));
        Assert.Null(guard.LockedFor("admin@localhost", "198.51.100.7"));
        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(guard.LockedFor("admin@localhost", "203.0.113.9"));
    }

    [Fact]
    public void ASuccessInBetweenStartsTheFailuresAgain()
    {
        var guard = Guard();
        for (var i = 0; i < 4; i++)
        {
            guard.Failed("a@example.com", "203.0.113.9");
        }

        guard.Succeeded("a@example.com", "203.0.113.9");
        guard.Failed("a@example.com", "203.0.113.9");

        Assert.Null(guard.LockedFor("a@example.com", "203.0.113.9"));
    }

    [Fact]
    public void TheEleventhAttemptForAnAccountWithinFiveMinutesWaitsAndSaysHowLong()
    {
        var guard = Guard();
        for (var i = 0; i < 10; i++)
        {
            Assert.Null(guard.Refuse("a@example.com", $"203.0.113.{i}"));
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        var refused = guard.Refuse("a@example.com", "203.0.113.99");

        Assert.NotNull(refused);
        Assert.Equal(TimeSpan.FromMinutes(3), refused.Value.RetryAfter);
        Assert.Contains("Try again in 3 minute(s)", refused.Value.Message, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Null(guard.Refuse("a@example.com", "203.0.113.99"));
    }

    [Fact]
    public void OneAddressTryingManyAccountsIsLimitedPerMinute()
    {
        var guard = Guard();
        for (var i = 0; i < 30; i++)
        {
            Assert.Null(guard.Refuse($"user{i}@example.com", "203.0.113.9"));
        }

        Assert.Contains("from this address", guard.Refuse("user31@example.com", "203.0.113.9")?.Message, StringComparison.Ordinal);
        Assert.Null(guard.Refuse("user31@example.com", "198.51.100.7"));
    }

    [Fact]
    public void ASprayOfMadeUpNamesKeepsMemoryBounded()
    {
        var guard = Guard(new RateLimitOptions { SignInPerAddressPerMinute = 1_000_000 });
        for (var i = 0; i < 120_000; i++)
        {
            guard.Refuse($"u{i}@example.com", "203.0.113.9");
        }

        Assert.InRange(guard.Counters, 1, 50_000);
        Assert.Null(guard.Refuse("u119999@example.com", "203.0.113.9"));
    }
}
