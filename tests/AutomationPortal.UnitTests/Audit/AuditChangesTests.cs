using AutomationPortal.Web.Features.Audit;

namespace AutomationPortal.UnitTests.Audit;

public sealed class AuditChangesTests
{
    [Fact]
    public void StoredChangesReadBackAsRows()
    {
        var rows = AuditChanges.Parse("""{"Name":{"before":"Old","after":"New"},"Role":{"before":null,"after":"Agent"},"Count":{"before":1,"after":2}}""");

        Assert.Equal(
            [new AuditChange("Name", "Old", "New"), new AuditChange("Role", "—", "Agent"), new AuditChange("Count", "1", "2")],
            rows);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void NoChangesReadAsNoRows(string? json) => Assert.Empty(AuditChanges.Parse(json));

    [Fact]
    public void UnreadableJsonIsShownRatherThanThrown()
    {
        var rows = AuditChanges.Parse("{not json");

        Assert.Equal("(unreadable)", Assert.Single(rows).Field);
    }
}
