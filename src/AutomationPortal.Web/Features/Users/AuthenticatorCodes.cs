using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.Users;

/// <summary>
/// Checks the codes of authenticator apps (TOTP, RFC 6238: HMAC-SHA1 over 30-second steps, 6 digits), stricter than
/// Identity's own provider: a code is taken within one step either side of now (for a phone's clock a little off), and
/// each step only once, so a code seen over someone's shoulder or sent twice cannot sign in a second time.
/// </summary>
public sealed class AuthenticatorCodes(TimeProvider time) : IUserTwoFactorTokenProvider<PortalUser>
{
    /// <summary>The last step a code was taken for, kept beside the key in Identity's token store.</summary>
    public const string LastStepToken = "AuthenticatorLastStep";

    private const int StepSeconds = 30;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PortalUser> manager, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));
    }

    /// <summary>The app makes the codes; the portal never sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<PortalUser> manager, PortalUser user) => Task.FromResult("");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PortalUser> manager, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        if (token is not { Length: 6 } || !token.All(char.IsAsciiDigit) || await manager.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } key
            || Base32(key) is not { } secret)
        {
            return false;
        }

        var code = int.Parse(token, NumberStyles.None, CultureInfo.InvariantCulture);
        var now = time.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
        var last = long.TryParse(await manager.GetAuthenticationTokenAsync(user, TwoFactor.StoreProvider, LastStepToken), NumberStyles.Integer, CultureInfo.InvariantCulture, out var stored)
            ? stored
            : long.MinValue;
        for (var step = now - 1; step <= now + 1; step++)
        {
            if (step <= last || Code(secret, step) != code)
            {
                continue;
            }

            try
            {
                // Two requests with the same code at once: the second fails on the account's concurrency stamp.
                return (await manager.SetAuthenticationTokenAsync(user, TwoFactor.StoreProvider, LastStepToken, step.ToString(CultureInfo.InvariantCulture))).Succeeded;
            }
            catch (DbUpdateException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>The 6-digit code for one step (RFC 4226 dynamic truncation).</summary>
    internal static int Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        // RFC 6238 and every authenticator app use HMAC-SHA1; SHA-1's collision weakness does not touch HMAC.
#pragma warning disable CA5350
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var value = BinaryPrimitives.ReadInt32BigEndian(hash.Slice(offset, 4)) & 0x7fffffff;
        return value % 1_000_000;
    }

    /// <summary>The key as Identity stores it (RFC 4648 Base32, upper case, no padding), or null when it is not.</summary>
    private static byte[]? Base32(string key)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(key.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in key.TrimEnd('='))
        {
            var index = Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (index < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return bytes.Count == 0 ? null : [.. bytes];
    }
}
