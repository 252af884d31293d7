using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.UnitTests.Automations;

public sealed class GuardrailTests
{
    private static readonly Guardrails Limits = new() { MaxFailureRate = 0.25m, FailureRateWindow = 4, MaxConsecutiveFailedRuns = 3 };

    [Fact]
    public void AFailureRateAboveTheLimitOverTheWindowBreaches()
    {
        var breach = GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.Quarantined, WorkItemStatus.Done, WorkItemStatus.PostingFailed, WorkItemStatus.Done], []);

        Assert.Equal("auto-paused:failure-rate", breach?.Code);
        Assert.Contains("2 of the last 4 items failed", breach!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARateAtTheLimitDoesNotBreach() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.Quarantined, WorkItemStatus.Done, WorkItemStatus.Escalated, WorkItemStatus.Done], []));

    [Fact]
    public void FewerItemsThanTheWindowAreNotJudgedYet() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.Quarantined, WorkItemStatus.Quarantined], []));

    [Fact]
    public void OnlyTheLatestWindowCounts() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.Done, WorkItemStatus.Done, WorkItemStatus.Done, WorkItemStatus.Done, WorkItemStatus.Quarantined, WorkItemStatus.Quarantined], []));

    [Fact]
    public void KFailedRunsInARowBreach()
    {
        var breach = GuardrailMonitor.Evaluate(Limits, [], [RunStatus.Failed, RunStatus.Failed, RunStatus.Failed]);

        Assert.Equal("auto-paused:failed-runs", breach?.Code);
    }

    [Fact]
    public void ASucceededRunInBetweenResetsTheCount() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [], [RunStatus.Failed, RunStatus.Failed, RunStatus.PartiallySucceeded, RunStatus.Failed]));
}
