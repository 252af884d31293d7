using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.UnitTests.Automations;

public sealed class GuardrailTests
{
    private static readonly Guardrails Limits = new() { MaxFailureRate = 0.25m, FailureRateWindow = 4, MaxConsecutiveFailedRuns = 3, MaxQuarantineRate = 0.5m, QuarantineRateWindow = 4 };

    [Fact]
    public void AFailureRateAboveTheLimitOverTheWindowBreaches()
    {
        var breach = GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.ActionFailed, WorkItemStatus.Done, WorkItemStatus.ActionFailed, WorkItemStatus.Done], []);

        Assert.Equal("auto-paused:failure-rate", breach?.Code);
        Assert.Contains("2 of the last 4 items failed", breach!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARateAtTheLimitDoesNotBreach() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.ActionFailed, WorkItemStatus.Done, WorkItemStatus.Escalated, WorkItemStatus.Done], []));

    [Fact]
    public void QuarantinedInputIsNoFaultOfTheAutomation() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.Quarantined, WorkItemStatus.Quarantined, WorkItemStatus.Done, WorkItemStatus.Done], []));

    [Fact]
    public void AFloodOfUnreadableInputBreachesTheQuarantineRateWithItsOwnCode()
    {
        var breach = GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.Quarantined, WorkItemStatus.Quarantined, WorkItemStatus.Quarantined, WorkItemStatus.Done], []);

        Assert.Equal("auto-paused:quarantine-rate", breach?.Code);
        Assert.Contains("3 of the last 4 items could not be read", breach!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FewerItemsThanTheWindowAreNotJudgedYet() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.ActionFailed, WorkItemStatus.ActionFailed, WorkItemStatus.Quarantined], []));

    [Fact]
    public void OnlyTheLatestWindowCounts() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [WorkItemStatus.Done, WorkItemStatus.Done, WorkItemStatus.Done, WorkItemStatus.Done, WorkItemStatus.ActionFailed, WorkItemStatus.ActionFailed], []));

    [Fact]
    public void KFailedRunsInARowBreach()
    {
        var breach = GuardrailMonitor.Evaluate(Limits, [], [RunStatus.Failed, RunStatus.Failed, RunStatus.Failed]);

        Assert.Equal("auto-paused:failed-runs", breach?.Code);
    }

    [Fact]
    public void ASucceededRunInBetweenResetsTheCount() =>
        Assert.Null(GuardrailMonitor.Evaluate(Limits, [], [RunStatus.Failed, RunStatus.Failed, RunStatus.PartiallySucceeded, RunStatus.Failed]));

    [Fact]
    public void AWindowLooksAtTheLargerOfTheTwoItemWindows() =>
        Assert.Equal(30, GuardrailMonitor.WindowOf(new Guardrails { FailureRateWindow = 10, QuarantineRateWindow = 30 }));
}

public sealed class RunOutcomeTests
{
    [Fact]
    public void ARunThatOnlyQuarantinedBadInputSucceeded() =>
        Assert.Equal(RunStatus.Succeeded, AutomationEngine.StatusOf(new RunCounters { Read = 3, Done = 2, Quarantined = 1 }));

    [Fact]
    public void ARunOfOnlyBadInputSucceededToo() =>
        Assert.Equal(RunStatus.Succeeded, AutomationEngine.StatusOf(new RunCounters { Read = 2, Quarantined = 2 }));

    [Fact]
    public void AFailedActionBesideDoneWorkIsAPartSuccess() =>
        Assert.Equal(RunStatus.PartiallySucceeded, AutomationEngine.StatusOf(new RunCounters { Read = 3, Done = 2, Failed = 1 }));

    [Fact]
    public void OnlyFailedActionsIsAFailedRun() =>
        Assert.Equal(RunStatus.Failed, AutomationEngine.StatusOf(new RunCounters { Read = 2, Failed = 2 }));

    [Fact]
    public void AnEmptyRunSucceeded() =>
        Assert.Equal(RunStatus.Succeeded, AutomationEngine.StatusOf(new RunCounters()));

    [Fact]
    public void TheSuccessFigureLeavesEmptyRunsOut() =>
        Assert.Equal(0.5, AutomationService.SuccessRate([(RunStatus.Succeeded, 0, 0), (RunStatus.Succeeded, 0, 0), (RunStatus.Succeeded, 4, 0), (RunStatus.PartiallySucceeded, 3, 1)]));

    [Fact]
    public void ARunThatFailedOutrightCountsThoughItReadNothing() =>
        Assert.Equal(0.5, AutomationService.SuccessRate([(RunStatus.Failed, 0, 0), (RunStatus.Succeeded, 1, 0)]));

    [Fact]
    public void WithoutARunThatHadWorkThereIsNoFigure() =>
        Assert.Null(AutomationService.SuccessRate([(RunStatus.Succeeded, 0, 0)]));

    [Fact]
    public void ARunStoppedByAPauseCountsByItsFaults() =>
        Assert.Equal(0.5, AutomationService.SuccessRate([(RunStatus.Stopped, 66, 0), (RunStatus.Stopped, 60, 60)]));
}

public sealed class OutcomeWindowTests
{
    private static readonly Guardrails Limits = new() { MaxFailureRate = 0.5m, FailureRateWindow = 20, MaxQuarantineRate = 0.5m, QuarantineRateWindow = 4 };

    [Fact]
    public void TheWindowBreachesAtTheItemThatCrossesTheLimitNotAtTheEndOfTheChunk()
    {
        var window = new OutcomeWindow(Limits);
        var breachedAt = 0;
        for (var i = 1; i <= 80 && breachedAt == 0; i++)
        {
            window.Add(WorkItemStatus.ActionFailed);
            breachedAt = window.Breach() is null ? 0 : i;
        }

        Assert.Equal(20, breachedAt);
    }

    [Fact]
    public void TheWindowCountsOnlyItsLatestOutcomesLikeTheRuleOnAList()
    {
        var window = new OutcomeWindow(Limits);
        var random = new Random(7);
        var all = new List<WorkItemStatus>();
        for (var i = 0; i < 500; i++)
        {
            var status = (WorkItemStatus)random.Next(0, 5);
            window.Add(status);
            all.Insert(0, status);
            Assert.Equal(GuardrailMonitor.Evaluate(Limits, all, [])?.Message, window.Breach()?.Message);
        }

        Assert.Equal(all.Take(20), window.Latest());
    }

    [Fact]
    public void ASeededWindowJudgesTheRunTogetherWithWhatCameBeforeIt()
    {
        var window = new OutcomeWindow(Limits);
        window.AddRange([WorkItemStatus.Quarantined, WorkItemStatus.Quarantined, WorkItemStatus.Done]);
        Assert.Null(window.Breach());

        window.Add(WorkItemStatus.Quarantined);

        Assert.Equal("auto-paused:quarantine-rate", window.Breach()?.Code);
    }
}
