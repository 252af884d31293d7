using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Domain;

namespace AutomationPortal.UnitTests.Architecture;

/// <summary>
/// The API's one exception handler answers refusals by their kind (the portal's base types), so it and those types
/// name no feature: a new feature's refusals are answered by deriving from a base type, not by editing the handler.
/// </summary>
public sealed class ExceptionHandlingTests
{
    [Fact]
    public void TheExceptionHandlerAndThePortalsRefusalsNameNoFeature()
    {
        var handling = typeof(PortalExceptionHandler).Assembly.GetTypes()
            .Where(t => Within(t, typeof(PortalExceptionHandler)) || Within(t, typeof(ChangedMeanwhileProblem)) || t.Namespace == typeof(ConflictException).Namespace);

        var problems = handling
            .SelectMany(t => KindIsolationTests.ReferencedTypes(t).Where(r => r.Namespace?.StartsWith("AutomationPortal.Web.Features", StringComparison.Ordinal) == true)
                .Select(r => $"{t.FullName} refers to {r.FullName}"))
            .Distinct()
            .ToList();

        Assert.Contains(typeof(PortalExceptionHandler), handling);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // A type and the types the compiler nests in it (the state machines that hold its async methods' code).
    private static bool Within(Type type, Type outer) =>
        type == outer || (type.DeclaringType is { } declaring && Within(declaring, outer));
}
