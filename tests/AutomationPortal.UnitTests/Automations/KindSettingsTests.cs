using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.SampleInbox;

namespace AutomationPortal.UnitTests.Automations;

public sealed class KindSettingsTests
{
    private static readonly KindValidationContext Context = new(["/srv/portal/data"], "/srv/portal/data");
    private readonly SampleInboxKind _kind = new();

    [Fact]
    public void MissingSettingsTakeTheirDefaults()
    {
        var (settings, errors) = KindSettings.Bind(_kind, """{"escalateAbove": 250}""", Context);

        Assert.Empty(errors);
        var sample = Assert.IsType<SampleInboxSettings>(settings);
        Assert.Equal(250m, sample.EscalateAbove);
        Assert.Equal("sample/inbox", sample.InboxPath);
        Assert.Equal(2, sample.SettleSeconds);
    }

    [Fact]
    public void EachBadFieldIsNamedInCamelCase()
    {
        var (_, errors) = KindSettings.Bind(_kind, """{"escalateAbove": -1, "delayMs": 70000, "inboxPath": "/etc/passwd-folder"}""", Context);

        Assert.Equal(["settings.delayMs", "settings.escalateAbove", "settings.inboxPath"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("""{"nope": 1}""", "settings.nope")]
    [InlineData("""{"escalateAbove": "lots"}""", "settings.escalateAbove")]
    [InlineData("""[1, 2]""", "settings")]
    [InlineData("""{"inboxPath": "../../outside"}""", "settings.inboxPath")]
    public void UnreadableSettingsAreRefusedAtTheRightField(string json, string field)
    {
        var (settings, errors) = KindSettings.Bind(_kind, json, Context);

        Assert.Null(settings);
        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void SettingsRoundTripAsCamelCaseJson()
    {
        var (settings, _) = KindSettings.Bind(_kind, """{"generateItems": 3}""", Context);

        var json = KindSettings.Serialize(settings!);

        Assert.Contains("\"generateItems\":3", json, StringComparison.Ordinal);
        Assert.Equal(3, ((SampleInboxSettings)KindSettings.Read(_kind, json)).GenerateItems);
    }
}
