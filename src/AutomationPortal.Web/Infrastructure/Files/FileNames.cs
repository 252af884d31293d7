using System.Globalization;
using System.Text;

namespace AutomationPortal.Web.Infrastructure.Files;

/// <summary>File names as the portal keeps and shows them, whoever chose them.</summary>
public static class FileNames
{
    /// <summary>Room left under a file system's 255 bytes for " (n)" when the name is taken.</summary>
    private const int MaxBytes = 200;

    /// <summary>
    /// The file's own name without any folder, and without what a file system refuses or what would mislead a person
    /// or a log: control characters (NUL, line breaks), invisible format characters (right-to-left overrides,
    /// zero-width marks) and line or paragraph separators each become "_". Too long a name is shortened by whole
    /// characters, keeping its extension.
    /// </summary>
    public static string Safe(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/'));
        var invalid = Path.GetInvalidFileNameChars();
        var kept = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            kept.Append(Misleads(rune) || (rune.IsBmp && invalid.Contains((char)rune.Value)) ? "_" : rune.ToString());
        }

        name = kept.ToString().Trim().TrimStart('.');
        if (name.Length == 0)
        {
            return "upload";
        }

        // File systems count a name's bytes (255 on most), not its characters: 150 CJK characters are 450 bytes.
        return Encoding.UTF8.GetByteCount(name) <= MaxBytes ? name : Shorten(name);
    }

    /// <summary>Whether a name holds a control character (NUL, a line break…), which no person's file name has.</summary>
    public static bool HasControlCharacter(string? fileName) => (fileName ?? "").Any(char.IsControl);

    /// <summary>
    /// Whether text holds a character that misleads where it is shown: a control, a format character (bidi overrides,
    /// zero-width), a line or paragraph separator, or half of a surrogate pair.
    /// </summary>
    public static bool HasMisleadingCharacter(string? text)
    {
        var span = (text ?? "").AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var used) != System.Buffers.OperationStatus.Done || Misleads(rune))
            {
                return true;
            }

            span = span[used..];
        }

        return false;
    }

    /// <summary>A name as it may be quoted in a message: control characters written as \uXXXX.</summary>
    public static string Quoted(string? fileName) =>
        string.Concat((fileName ?? "").Select(c => Misleads(char.GetUnicodeCategory(c)) ? $"\\u{(int)c:x4}" : c.ToString()));

    private static bool Misleads(Rune rune) => Misleads(Rune.GetUnicodeCategory(rune));

    private static bool Misleads(UnicodeCategory category) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string Shorten(string name)
    {
        var extension = Path.GetExtension(name);
        extension = Encoding.UTF8.GetByteCount(extension) > 20 ? "" : extension;
        var stem = name[..^extension.Length];
        var kept = new StringBuilder();
        var bytes = Encoding.UTF8.GetByteCount(extension);
        foreach (var rune in stem.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            kept.Append(rune.ToString());
        }

        return kept + extension;
    }
}

/// <summary>File sizes as people read them: "4.9 KB", "3 MB".</summary>
public static class FileSizes
{
    public static string Of(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / 1024d / 1024d:0.#} MB" : bytes >= 1024 ? $"{bytes / 1024d:0.#} KB" : $"{bytes} bytes";

    /// <summary>
    /// A size and the limit it is above, in words that never contradict each other: where both round to the same
    /// figure ("3 MB, above the limit of 3 MB"), both are given in bytes.
    /// </summary>
    public static (string Size, string Limit) Above(long bytes, long limit) =>
        Of(bytes) == Of(limit)
            ? (string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes"), string.Create(CultureInfo.InvariantCulture, $"{limit:N0} bytes"))
            : (Of(bytes), Of(limit));
}
