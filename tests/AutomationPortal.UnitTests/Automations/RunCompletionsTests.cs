using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.UnitTests.Automations;

public sealed class RunCompletionsTests
{
    [Fact]
    public async Task AWaiterHearsTheEndAtOnceAndNothingIsKeptAfterwards()
    {
        var completions = new RunCompletions();
        var run = Guid.NewGuid();
        var ended = completions.WhenEnded(run);

        completions.Ended(run, RunStatus.Succeeded);

        Assert.Equal(RunStatus.Succeeded, await ended.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.Equal(0, completions.Waiting);
    }

    [Fact]
    public void AWaiterThatGivesUpLeavesNothingBehindAndAnEndNobodyWaitsForIsDropped()
    {
        var completions = new RunCompletions();
        var run = Guid.NewGuid();
        _ = completions.WhenEnded(run);

        completions.Forget(run);
        completions.Ended(Guid.NewGuid(), RunStatus.Failed);

        Assert.Equal(0, completions.Waiting);
    }
}
