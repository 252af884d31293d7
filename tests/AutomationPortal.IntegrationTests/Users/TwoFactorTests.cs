using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutomationPortal.TestSupport;

namespace AutomationPortal.IntegrationTests.Users;

/// <summary>Two-factor sign-in with an authenticator app, as a person sets it up and signs in with it.</summary>
public sealed partial class TwoFactorTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task APersonTurnsOnAnAuthenticatorAndThenSignsInWithItsCode()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        Assert.True((await UserAsync(admin, person.Id)).GetProperty("twoFactorEnabled").GetBoolean());

        using var client = portal.CreateBrowserLikeClient();
        using var password = await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        var second = password.Headers.Location!;
        Assert.StartsWith("/Account/LoginWith2fa", second.IsAbsoluteUri ? second.PathAndQuery : second.OriginalString, StringComparison.Ordinal);
        // The right password alone opens nothing.
        using (var halfway = await client.GetAsync(new Uri("/api/me", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, halfway.StatusCode);
        }

        using var wrong = await PortalAppFactory.PostFormAsync(client, PathOf(second), "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = Totp.Wrong(person.Key) });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var stillOut = await client.GetAsync(new Uri("/api/me", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stillOut.StatusCode);
        }

        // Spaces as the app shows them are fine.
        var code = Totp.Next(person.Key);
        using var right = await PortalAppFactory.PostFormAsync(client, PathOf(second), "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = code[..3] + " " + code[3..] });

        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        using var me = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.NotNull((await UserAsync(admin, person.Id)).GetProperty("lastSignInAt").GetString());
    }

    [Fact]
    public async Task ARecoveryCodeSignsInOnceAndTheCountGoesDown()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Manager");
        Assert.Equal(10, person.RecoveryCodes.Count);
        Assert.Equal(10, person.RecoveryCodes.Distinct().Count());

        using (var first = portal.CreateBrowserLikeClient())
        {
            await PortalAppFactory.SignInAsync(first, person.Email, person.Password);
            using var used = await PortalAppFactory.PostFormAsync(first, "/Account/LoginWithRecoveryCode", "login-with-recovery-code",
                new Dictionary<string, string> { ["Input.RecoveryCode"] = person.RecoveryCodes[0] });
            Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);
            var manage = await first.GetStringAsync(new Uri("/Account/Manage/TwoFactor", UriKind.Relative));
            Assert.Contains("9 of 10", manage, StringComparison.Ordinal);
        }

        using var again = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(again, person.Email, person.Password);
        using var reused = await PortalAppFactory.PostFormAsync(again, "/Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = person.RecoveryCodes[0] });

        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("used before", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var me = await again.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task WrongCodesLockThisAddressOutAsWrongPasswordsDo()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, person.Email, person.Password);

        HttpResponseMessage? last = null;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            last?.Dispose();
            last = await PortalAppFactory.PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = Totp.Wrong(person.Key) });
        }

        Assert.Equal(HttpStatusCode.Redirect, last!.StatusCode);
        Assert.EndsWith("/Account/Lockout", last.Headers.Location!.OriginalString, StringComparison.Ordinal);
        // Now even the right code is refused from here.
        using var right = await PortalAppFactory.PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = Totp.Now(person.Key) });
        Assert.EndsWith("/Account/Lockout", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var me = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        last.Dispose();
    }

    [Fact]
    public async Task ACodeSignsInOnceAndACodeFromLongAgoNever()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        var code = Totp.Next(person.Key);
        using var first = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(first, person.Email, person.Password);
        using var used = await PortalAppFactory.PostFormAsync(first, "/Account/LoginWith2fa", "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = code });
        Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);

        // Someone who saw the code (or a second post of the same form) gets nowhere with it.
        using var second = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(second, person.Email, person.Password);
        using var replayed = await PortalAppFactory.PostFormAsync(second, "/Account/LoginWith2fa", "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = code });
        using var stale = await PortalAppFactory.PostFormAsync(second, "/Account/LoginWith2fa", "login-with-2fa",
            new Dictionary<string, string> { ["Input.Code"] = Totp.Code(person.Key, DateTimeOffset.UtcNow.AddSeconds(-95)) });

        Assert.Contains("That code is not right", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("That code is not right", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var me = await second.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    /// <summary>Two sessions past the password post the same code at the same moment: exactly one signs in with it.</summary>
    [Fact]
    public async Task TheSameCodePostedTwiceAtOnceSignsInOnlyOnce()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        var code = Totp.Next(person.Key);
        var clients = Enumerable.Range(0, 4).Select(_ => portal.CreateBrowserLikeClient()).ToList();
        var forms = new List<(HttpClient Client, FormUrlEncodedContent Form)>();
        foreach (var client in clients)
        {
            await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
            var page = await client.GetStringAsync(new Uri("/Account/LoginWith2fa", UriKind.Relative));
            var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
            forms.Add((client, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
                ["_handler"] = "login-with-2fa",
                ["Input.Code"] = code,
            })));
        }

        var answers = await Task.WhenAll(forms.Select(f => f.Client.PostAsync(new Uri("/Account/LoginWith2fa", UriKind.Relative), f.Form)));
        var signedIn = 0;
        foreach (var client in clients)
        {
            using var me = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
            signedIn += me.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.Equal(1, signedIn);
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Redirect);
        Assert.All(answers, a => Assert.True((int)a.StatusCode < 500, $"{(int)a.StatusCode}"));
        foreach (var (client, form) in forms)
        {
            form.Dispose();
            client.Dispose();
        }

        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task ARememberedBrowserAsksForACodeAgainRightAfterTheSecondFactorWasReset()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        await PortalAppFactory.PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa",
            new Dictionary<string, string> { ["Input.Code"] = Totp.Next(person.Key), ["Input.RememberMachine"] = "true" });
        using (var remembered = await PortalAppFactory.SignInAsync(client, person.Email, person.Password))
        {
            Assert.DoesNotContain("LoginWith2fa", remembered.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var version = (await UserAsync(admin, person.Id)).GetProperty("version").GetInt64();
        (await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{person.Id}/reset-two-factor", UriKind.Relative), new { version })).Dispose();
        using (var reset = await PortalAppFactory.SignInAsync(client, person.Email, person.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        }

        var (newKey, _) = await TwoFactorPerson.EnableAsync(client);

        // The same browser, its "don't ask again" cookie kept: the code is asked for at once, not a minute later.
        using var again = await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        Assert.Contains("LoginWith2fa", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.NotEqual(person.Key, newKey);
    }

    [Fact]
    public async Task TheSecondStepWithoutTheFirstShowsTheExpiredSignIn()
    {
        using var client = portal.CreateBrowserLikeClient();

        var page = await client.GetStringAsync(new Uri("/Account/LoginWith2fa", UriKind.Relative));

        Assert.Contains("This sign-in has expired", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Input.Code", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdminResetsAPersonsSecondFactorAndTheAuditLogSaysWho()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var before = await UserAsync(admin, person.Id);

        using var stale = await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{person.Id}/reset-two-factor", UriKind.Relative), new { version = before.GetProperty("version").GetInt64() - 1 });
        using var reset = await admin.PostAsJsonAsync(new Uri($"/api/admin/users/{person.Id}/reset-two-factor", UriKind.Relative), new { version = before.GetProperty("version").GetInt64() });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.False((await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("twoFactorEnabled").GetBoolean());
        // The password alone signs in now; the old app's code would have nothing to match.
        using var client = portal.CreateBrowserLikeClient();
        using var signIn = await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        Assert.DoesNotContain("LoginWith2fa", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var me = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var manage = await client.GetStringAsync(new Uri("/Account/Manage/TwoFactor", UriKind.Relative));
        Assert.Contains("<strong>Off.</strong>", manage, StringComparison.Ordinal);
        // Setting it up again gives a new key: the old one is gone.
        var setup = await client.GetStringAsync(new Uri("/Account/Manage/EnableAuthenticator", UriKind.Relative));
        Assert.NotEqual(person.Key, TwoFactorPerson.KeyOf(setup));

        var audit = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/audit?entityType=User&text={Uri.EscapeDataString(person.Email)}&take=200", UriKind.Relative));
        var entries = audit.GetProperty("items").EnumerateArray().ToList();
        var entry = Assert.Single(entries, e => e.GetProperty("summary").GetString()!.Contains("second factor reset", StringComparison.Ordinal));
        Assert.Equal("ApiKey", entry.GetProperty("actorKind").GetString());
        Assert.Contains(entries, e => e.GetProperty("summary").GetString()!.EndsWith("turned on two-factor sign-in", StringComparison.Ordinal));
        // Neither the key nor a recovery code is ever in the log.
        var text = audit.GetRawText();
        Assert.DoesNotContain(person.Key, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(person.RecoveryCodes[1], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APersonTurnsItOffAndTheOldCodesStopWorking()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        await PortalAppFactory.PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = Totp.Next(person.Key) });

        using var off = await PortalAppFactory.PostFormAsync(client, "/Account/Manage/TwoFactor", "disable-two-factor");

        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        var manage = await client.GetStringAsync(new Uri("/Account/Manage/TwoFactor", UriKind.Relative));
        Assert.Contains("Two-factor sign-in is off", manage, StringComparison.Ordinal);
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        Assert.False((await UserAsync(admin, person.Id)).GetProperty("twoFactorEnabled").GetBoolean());
        using var next = portal.CreateBrowserLikeClient();
        using var signIn = await PortalAppFactory.SignInAsync(next, person.Email, person.Password);
        Assert.DoesNotContain("LoginWith2fa", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewRecoveryCodesReplaceTheOldOnes()
    {
        var person = await TwoFactorPerson.CreateAsync(portal, "Agent");
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, person.Email, person.Password);
        await PortalAppFactory.PostFormAsync(client, "/Account/LoginWith2fa", "login-with-2fa", new Dictionary<string, string> { ["Input.Code"] = Totp.Next(person.Key) });

        using var renewed = await PortalAppFactory.PostFormAsync(client, "/Account/Manage/TwoFactor", "new-recovery-codes");
        var fresh = TwoFactorPerson.CodesOf(await renewed.Content.ReadAsStringAsync());

        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(person.RecoveryCodes));
        using var next = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(next, person.Email, person.Password);
        using var old = await PortalAppFactory.PostFormAsync(next, "/Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = person.RecoveryCodes[2] });
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        using var current = await PortalAppFactory.PostFormAsync(next, "/Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = fresh[2] });
        Assert.Equal(HttpStatusCode.Redirect, current.StatusCode);
    }

    [Fact]
    public async Task AWrongCodeAtSetupLeavesTwoFactorOff()
    {
        var (email, password, id) = await TwoFactorPerson.CreateUserAsync(portal, "Agent");
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, email, password);
        var key = TwoFactorPerson.KeyOf(await client.GetStringAsync(new Uri("/Account/Manage/EnableAuthenticator", UriKind.Relative)));

        using var wrong = await PortalAppFactory.PostFormAsync(client, "/Account/Manage/EnableAuthenticator", "enable-authenticator", new Dictionary<string, string> { ["Input.Code"] = Totp.Wrong(key) });
        using var letters = await PortalAppFactory.PostFormAsync(client, "/Account/Manage/EnableAuthenticator", "enable-authenticator", new Dictionary<string, string> { ["Input.Code"] = "12345x" });

        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("The code is 6 digits", await letters.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        Assert.False((await UserAsync(admin, id)).GetProperty("twoFactorEnabled").GetBoolean());
        // The same key is offered until it is verified, so a reload does not break a half-done setup.
        Assert.Equal(key, TwoFactorPerson.KeyOf(await client.GetStringAsync(new Uri("/Account/Manage/EnableAuthenticator", UriKind.Relative))));
    }

    internal static async Task<JsonElement> UserAsync(HttpClient admin, Guid id)
    {
        var page = await admin.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/users?pageSize=200", UriKind.Relative));
        return page.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("id").GetGuid() == id).Clone();
    }

    private static string PathOf(Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
}

/// <summary>A person with two-factor sign-in set up through the pages, and what they saved while doing it.</summary>
public sealed partial record TwoFactorPerson(string Email, string Password, Guid Id, string Key, IReadOnlyList<string> RecoveryCodes)
{
    public static async Task<TwoFactorPerson> CreateAsync(PortalAppFactory portal, string role, string? email = null, string? password = null)
    {
        var (address, secret, id) = email is null ? await CreateUserAsync(portal, role) : (email, password!, Guid.Empty);
        using var client = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, address, secret);
        var (key, codes) = await EnableAsync(client);
        return new TwoFactorPerson(address, secret, id, key, codes);
    }

    /// <summary>Sets up the authenticator for whoever is signed in on the client, as a person does with a phone.</summary>
    public static async Task<(string Key, IReadOnlyList<string> Codes)> EnableAsync(HttpClient client, string path = "/Account/Manage/EnableAuthenticator")
    {
        var key = KeyOf(await client.GetStringAsync(new Uri(path, UriKind.Relative)));
        using var enabled = await PortalAppFactory.PostFormAsync(client, path, "enable-authenticator", new Dictionary<string, string> { ["Input.Code"] = Totp.Now(key) });
        var page = await enabled.Content.ReadAsStringAsync();
        Assert.True(page.Contains("Two-factor sign-in is on", StringComparison.Ordinal), page);
        return (key, CodesOf(page));
    }

    public static async Task<(string Email, string Password, Guid Id)> CreateUserAsync(PortalAppFactory portal, string role)
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@portal.test";
        const string password = "a long enough password";
        using var response = await admin.PostAsJsonAsync(new Uri("/api/admin/users", UriKind.Relative), new { email, displayName = "Two-factor person", role, password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (email, password, body.GetProperty("user").GetProperty("id").GetGuid());
    }

    public static string KeyOf(string page)
    {
        var match = KeyPattern().Match(page);
        Assert.True(match.Success, "The setup page shows no key.");
        return match.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    public static IReadOnlyList<string> CodesOf(string page) =>
        CodePattern().Matches(page).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("data-testid=\"authenticator-key\">([a-z2-7 ]+)</code>")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("<li><code>([^<]+)</code></li>")]
    private static partial Regex CodePattern();
}
