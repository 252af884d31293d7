using System.Security.Cryptography;

namespace AutomationPortal.Web.Infrastructure.Security;

public static class PasswordGenerator
{
    // No look-alike characters (0/O, 1/l/I): people type these from a console or a dialog.
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>A random password of 20 characters (about 117 bits), well above the 12-character minimum.</summary>
    public static string Generate(int length = 20) => RandomNumberGenerator.GetString(Alphabet, length);
}
