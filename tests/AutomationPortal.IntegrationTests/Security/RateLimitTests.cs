using System.Net;
using System.Text.RegularExpressions;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Security;

/// <summary>A portal with small limits, so a test reaches them in a few calls.</summary>
public sealed class SmallLimitsFixture : PortalAppFactory
{
    public SmallLimitsFixture()
        : base(null)
    {
        Settings["Portal:RateLimits:SignInPerAccount"] = "3";
        Settings["Portal:RateLimits:ApiPerCallerPerMinute"] = "20";
        Settings["Portal:RateLimits:ApiAnonymousPerAddressPerMinute"] = "10";
    }
}

public sealed class RateLimitTests(SmallLimitsFixture portal) : IClassFixture<SmallLimitsFixture>
{
    [Fact]
    public async Task SignInPostsOverTheAccountsLimitAnswer429WithRetryAfterAndSayWhen()
    {
        using var client = portal.CreateBrowserLikeClient();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await PortalAppFactory.SignInAsync(client, "limited@portal.test", "not the password at all");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        using var over = await PortalAppFactory.SignInAsync(client, "limited@portal.test", "not the password at all");
        var page = await over.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.True(int.Parse(over.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Matches(new Regex("Too many sign-in attempts for this account. Try again in [0-9]+ minute"), page);
    }

    [Fact]
    public async Task ApiCallsOverTheCallersLimitAnswer429WithRetryAfterAndOtherCallersGoOn()
    {
        using var key = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 21; i++)
        {
            using var response = await key.GetAsync(new Uri("/api/me", UriKind.Relative));
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotEmpty(response.Headers.GetValues("Retry-After"));
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        using var anonymous = portal.CreateBrowserLikeClient();
        using var other = await anonymous.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(20, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }
}
