using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AutomationPortal.UnitTests.Automations;

public sealed class KindRunFactoryTests
{
    [Fact]
    public async Task ARunsConstructorGetsItsServicesInjectedBesideItsContextAndSettings()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var greeter = new Greeter();
        await using var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddSingleton(greeter).BuildServiceProvider();
        var context = new KindRunContext(Guid.NewGuid(), Guid.NewGuid(), RunMode.Production, new GreetingSettings(), Path.GetTempPath(), (_, _) => { });

        var run = new GreetingKind().Start(context, new KindRunFactory(services));

        var greeting = Assert.IsType<GreetingKind.Run>(run);
        Assert.Same(context, greeting.Context);
        Assert.Same(context.Settings, greeting.Settings);
        Assert.Same(greeter, greeting.Greeter);
        Assert.Equal(clock.GetUtcNow(), greeting.StartedAt);
    }

    [Fact]
    public void ARunWhoseServiceIsNotRegisteredFailsToStartNamingIt()
    {
        using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
        var context = new KindRunContext(Guid.NewGuid(), Guid.NewGuid(), RunMode.Production, new GreetingSettings(), Path.GetTempPath(), (_, _) => { });

        var e = Assert.Throws<InvalidOperationException>(() => new GreetingKind().Start(context, new KindRunFactory(services)));

        Assert.Contains(nameof(Greeter), e.Message, StringComparison.Ordinal);
    }

    public sealed class Greeter;

    public sealed class GreetingSettings;

    private sealed class GreetingKind : AutomationKind<GreetingSettings>
    {
        public override string Key => "greeting";

        public override string DisplayName => "Greeting";

        public override string Description => "Greets.";

        protected override IEnumerable<SettingsError> Validate(GreetingSettings settings, KindValidationContext context) => [];

        protected override IKindRun Start(KindRunContext context, GreetingSettings settings, IKindRunFactory runs) => runs.Create<Run>(context, settings);

        public sealed class Run(KindRunContext context, GreetingSettings settings, Greeter greeter, TimeProvider time) : IKindRun
        {
            public KindRunContext Context { get; } = context;

            public GreetingSettings Settings { get; } = settings;

            public Greeter Greeter { get; } = greeter;

            public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

            public async IAsyncEnumerable<SourceItem> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.CompletedTask;
                yield break;
            }

            public PreparedItem Prepare(SourceItem item, Guid workItemId) => throw new NotSupportedException();

            public PreparedItem Restore(string payload) => throw new NotSupportedException();

            public ItemDecision Decide(PreparedItem item, DecisionContext context) => ItemDecision.Approve();

            public Task ActAsync(ActionContext context, PreparedItem item, ItemDecision decision, CancellationToken cancellationToken) => Task.CompletedTask;

            public Task CompleteAsync(RunCompletionContext context, CancellationToken cancellationToken) => Task.CompletedTask;

            public Task<string?> AcknowledgeAsync(SourceItem item, SourceOutcome outcome, string? reason, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
