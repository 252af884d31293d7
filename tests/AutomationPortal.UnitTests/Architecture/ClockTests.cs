using System.Reflection;
using AutomationPortal.Web.Features.Automations.Kinds;

namespace AutomationPortal.UnitTests.Architecture;

/// <summary>The portal reads the time from its TimeProvider only, so tests can set the clock and every feature agrees on now.</summary>
public sealed class ClockTests
{
    [Fact]
    public void NoCodeOfThePortalReadsTheMachinesClockDirectly()
    {
        var forbidden = new[]
        {
            typeof(DateTime).GetProperty(nameof(DateTime.UtcNow))!.GetMethod!,
            typeof(DateTime).GetProperty(nameof(DateTime.Now))!.GetMethod!,
            typeof(DateTime).GetProperty(nameof(DateTime.Today))!.GetMethod!,
            typeof(DateTimeOffset).GetProperty(nameof(DateTimeOffset.UtcNow))!.GetMethod!,
            typeof(DateTimeOffset).GetProperty(nameof(DateTimeOffset.Now))!.GetMethod!,
        };
        var problems = typeof(IAutomationKind).Assembly.GetTypes()
            .Where(t => t.Namespace?.Contains(".Migrations", StringComparison.Ordinal) != true && t.DeclaringType is null)
            .SelectMany(t => KindIsolationTests.MethodsOf(t).Select(m => (Type: t, Method: m)))
            .Where(x => KindIsolationTests.MembersUsedBy(x.Method).Any(m => forbidden.Contains(m as MethodInfo)))
            .Select(x => $"{x.Type.FullName}.{x.Method.Name}")
            .Distinct()
            .ToList();

        Assert.True(problems.Count == 0, "Read TimeProvider instead: " + string.Join(", ", problems));
    }
}
