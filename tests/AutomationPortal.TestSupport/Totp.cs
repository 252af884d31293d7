using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AutomationPortal.TestSupport;

/// <summary>
/// What an authenticator app does, written from RFC 6238 and RFC 4648 rather than taken from the portal, so the
/// tests prove that the key the portal shows works in any app: HMAC-SHA1, 30-second steps, 6 digits.
/// </summary>
public static class Totp
{
    public static string Code(string base32Key, DateTimeOffset at)
    {
        var step = at.ToUnixTimeSeconds() / 30;
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        // RFC 6238 and every authenticator app use HMAC-SHA1 here; its weakness for signatures does not apply to HMAC.
#pragma warning disable CA5350
        var hash = HMACSHA1.HashData(FromBase32(base32Key), counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var value = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (value % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Now(string base32Key) => Code(base32Key, DateTimeOffset.UtcNow);

    /// <summary>
    /// The code the app will show next: still accepted (a clock one step ahead), and never one taken before, as the
    /// portal takes each code once. For a second sign-in within the same 30 seconds.
    /// </summary>
    public static string Next(string base32Key) => Code(base32Key, DateTimeOffset.UtcNow.AddSeconds(30));

    /// <summary>A code that is certainly wrong now: one from an hour ago (outside any tolerance window).</summary>
    public static string Wrong(string base32Key)
    {
        var now = Now(base32Key);
        var old = Code(base32Key, DateTimeOffset.UtcNow.AddHours(-1));
        return old != now ? old : ((int.Parse(now, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] FromBase32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var index = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (index < 0)
            {
                throw new FormatException($"'{c}' is not a Base32 character.");
            }

            buffer = (buffer << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
