using System.Text;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.SampleInbox;
using AutomationPortal.Web.Features.Automations.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.UnitTests.SampleInbox;

public sealed class SampleKindTests
{
    private static readonly ServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();

    private readonly SampleInboxSettings _settings = new() { EscalateAbove = 100 };

    [Theory]
    [InlineData("42.5", "approve", false, true, "")]
    [InlineData("100", "approve", false, true, "")]
    [InlineData("100.01", "escalate", true, false, "over-threshold")]
    [InlineData("-1", "reject", false, false, "negative-value")]
    public void TheDecisionIsAPureFunctionOfTheValue(string content, string decision, bool escalate, bool act, string reason)
    {
        var run = Start();
        var item = run.Prepare(new SourceItem("k", null, Encoding.UTF8.GetBytes(content)), Guid.NewGuid());

        var result = run.Decide(item, new DecisionContext(Guid.Empty, RunMode.Production, DateTime.UnixEpoch, _settings));

        Assert.Equal(decision, result.Decision);
        Assert.Equal(escalate, result.Escalate);
        Assert.Equal(act, result.Act);
        Assert.Equal(reason, string.Join(' ', result.ReasonCodes));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("twelve", "'twelve' is not a number")]
    [InlineData("1,5", "is not a number")]
    public void UnreadableInputIsRejectedWithTheReason(string content, string message)
    {
        var error = Assert.Throws<ItemRejectedException>(() => Start().Prepare(new SourceItem("k", null, Encoding.UTF8.GetBytes(content)), Guid.NewGuid()));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("unreadable", error.ReasonCode);
    }

    [Fact]
    public void APreparedItemComesBackFromItsPayload()
    {
        var run = Start();
        var prepared = run.Prepare(new SourceItem("key-1", null, Encoding.UTF8.GetBytes("7.25")), Guid.NewGuid());

        var restored = run.Restore(prepared.Payload);

        Assert.Equal(prepared.Summary, restored.Summary);
        Assert.Equal(7.25m, restored.Summary.Amount);
    }

    private IKindRun Start() =>
        new SampleInboxKind().Start(new KindRunContext(Guid.Empty, Guid.Empty, RunMode.Production, _settings, Path.GetTempPath(), (_, _) => { }), new KindRunFactory(NoServices));
}
