using System.Text;
using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.UnitTests.Infrastructure;

public sealed class FileNamesTests
{
    [Theory]
    [InlineData("invoice.xml", "invoice.xml")]
    [InlineData("../../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\x\\invoice.xml", "invoice.xml")]
    [InlineData("line\nbreak.xml", "line_break.xml")]
    [InlineData("nul\0.xml", "nul_.xml")]
    [InlineData("invoice\u202Elmx.exe", "invoice_lmx.exe")]
    [InlineData("a\u2028b.xml", "a_b.xml")]
    [InlineData("zero\u200Bwidth.xml", "zero_width.xml")]
    [InlineData(".hidden.xml", "hidden.xml")]
    [InlineData("   ", "upload")]
    [InlineData("", "upload")]
    [InlineData(null, "upload")]
    [InlineData("=cmd|' -C calc'!A0.xml", "=cmd|' -C calc'!A0.xml")]
    [InlineData("Rechnung Müller 2026-01.pdf", "Rechnung Müller 2026-01.pdf")]
    public void NamesAreKeptWithoutWhatMisleadsOrEscapes(string? given, string kept) => Assert.Equal(kept, FileNames.Safe(given));

    [Fact]
    public void ALongNameIsShortenedByWholeCharactersKeepingItsExtension()
    {
        var name = new string('請', 150) + ".xml";

        var kept = FileNames.Safe(name);

        Assert.EndsWith(".xml", kept, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(kept) <= 200);
        Assert.All(kept[..^4], c => Assert.Equal('請', c));
        // Four-byte characters are never cut in half.
        var emoji = FileNames.Safe(string.Concat(Enumerable.Repeat("\U0001F600", 150)) + ".xml");
        Assert.Equal((200 - 4) / 4, emoji.EnumerateRunes().Count(r => r.Value == 0x1F600));
    }

    [Fact]
    public void ControlCharactersAreFoundAndQuotedVisibly()
    {
        Assert.True(FileNames.HasControlCharacter("a\r\nb"));
        Assert.False(FileNames.HasControlCharacter("invoice\u202E.xml"));
        Assert.Equal("a\\u000d\\u000ab\\u202e.xml", FileNames.Quoted("a\r\nb\u202E.xml"));
    }
}
