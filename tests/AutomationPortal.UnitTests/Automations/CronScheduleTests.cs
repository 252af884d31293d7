using AutomationPortal.Web.Features.Automations.Scheduling;

namespace AutomationPortal.UnitTests.Automations;

public sealed class CronScheduleTests
{
    [Theory]
    [InlineData("0 0 3 * * ?", "Every day at 03:00")]
    [InlineData("0 30 18 * * ?", "Every day at 18:30")]
    [InlineData("0 0 9,17 * * ?", "Every day at 09:00 and 17:00")]
    [InlineData("0 */5 * * * ?", "Every 5 minutes")]
    [InlineData("0 0/15 * * * ?", "Every 15 minutes")]
    [InlineData("0 * * * * ?", "Every minute")]
    [InlineData("*/10 * * * * ?", "Every 10 seconds")]
    [InlineData("* * * * * ?", "Every second")]
    [InlineData("0 0 * * * ?", "Every hour, on the hour")]
    [InlineData("0 20 * * * ?", "Every hour at minute 20")]
    [InlineData("0 0 */2 * * ?", "Every 2 hours at minute 0")]
    [InlineData("0 0 9 ? * MON-FRI", "Every weekday (Monday to Friday) at 09:00")]
    [InlineData("0 0 8 ? * MON", "Every Monday at 08:00")]
    [InlineData("0 0 8 ? * MON,WED,FRI", "Every Monday, Wednesday and Friday at 08:00")]
    [InlineData("0 0 10 ? * SAT,SUN", "Every weekend day at 10:00")]
    [InlineData("0 0 6 1 * ?", "On day 1 of every month at 06:00")]
    [InlineData("0 0 23 L * ?", "On the last day of every month at 23:00")]
    [InlineData("0 0 3 1 1 ?", "Every year on 1 January at 03:00")]
    [InlineData("0 30 7 15 DEC ?", "Every year on 15 December at 07:30")]
    public void CommonFormsReadAsPlainWords(string expression, string words) =>
        Assert.Equal(words, CronSchedule.Describe(expression));

    [Theory]
    [InlineData("0 0 9-17 * * ?")]
    [InlineData("0 0 12 1/3 * ?")]
    [InlineData("0 0 12 ? JAN MON")]
    [InlineData("0 15 10 ? * 6L")]
    public void OtherFormsAreLeftToTheRawExpression(string expression) =>
        Assert.Null(CronSchedule.Describe(expression));

    [Theory]
    [InlineData("", "Enter a schedule")]
    [InlineData("0 0 3 * *", "6 or 7 fields")]
    [InlineData("0 0 25 * * ?", "Not a valid schedule")]
    [InlineData("every day", "6 or 7 fields")]
    [InlineData("0 0 3 * * ? 2001", "never fires again")]
    public void BadSchedulesSayWhatIsWrong(string expression, string message) =>
        Assert.Contains(message, CronSchedule.Validate(expression, DateTimeOffset.UtcNow), StringComparison.Ordinal);

    [Fact]
    public void WhetherASchedulesLastFireIsPastIsJudgedByThePortalsClock()
    {
        // The same schedule, judged before and after its only year: the clock is the portal's, not the machine's.
        Assert.Null(CronSchedule.Validate("0 0 3 * * ? 2030", new DateTimeOffset(2029, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Contains("never fires again", CronSchedule.Validate("0 0 3 * * ? 2030", new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero)), StringComparison.Ordinal);
    }

    [Fact]
    public void NextFireTimesFollowTheTimeZoneAcrossDaylightSaving()
    {
        // Europe/Berlin leaves summer time on 2026-10-25: 03:00 local is 01:00 UTC before, 02:00 UTC after.
        var after = new DateTimeOffset(2026, 10, 23, 12, 0, 0, TimeSpan.Zero);

        var times = CronSchedule.NextFireTimes("0 0 3 * * ?", "Europe/Berlin", after, 4);

        Assert.Equal(
            [new DateTime(2026, 10, 24, 1, 0, 0), new DateTime(2026, 10, 25, 2, 0, 0), new DateTime(2026, 10, 26, 2, 0, 0), new DateTime(2026, 10, 27, 2, 0, 0)],
            times.Select(t => DateTime.SpecifyKind(t, DateTimeKind.Unspecified)));
    }

    [Fact]
    public void FireTimesBetweenExcludeBothEnds()
    {
        var from = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        var times = CronSchedule.FireTimesBetween("0/2 * * * * ?", "Etc/UTC", from, from.AddSeconds(8), 100);

        Assert.Equal([from.AddSeconds(2), from.AddSeconds(4), from.AddSeconds(6)], times);
    }
}
