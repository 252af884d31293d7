namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>
/// A kind with typed settings: the engine's <c>object</c> settings are cast here once, so a kind writes its
/// validation, folders and runs against <typeparamref name="TSettings"/>. Runs get the settings typed as well
/// (<see cref="Start(KindRunContext, TSettings, IKindRunFactory)"/>); a run's decide step reads them from
/// <see cref="TypedSettings"/>. A run is built with the <see cref="IKindRunFactory"/> the engine passes
/// (<c>runs.Create&lt;Run&gt;(context, settings)</c>), so its constructor takes the services it needs.
/// </summary>
public abstract class AutomationKind<TSettings> : IAutomationKind
    where TSettings : class, new()
{
    public abstract string Key { get; }

    public abstract string DisplayName { get; }

    public abstract string Description { get; }

    public virtual bool IsSample => false;

    public Type SettingsType => typeof(TSettings);

    public virtual KindPresentation Presentation => KindPresentation.Neutral;

    /// <summary>Settings as the engine passes them to a run's steps, typed.</summary>
    protected static TSettings TypedSettings(object settings) =>
        settings as TSettings ?? throw new ArgumentException($"Settings of type {settings?.GetType().Name ?? "null"} were given where {typeof(TSettings).Name} belongs.", nameof(settings));

    public IEnumerable<SettingsError> Validate(object settings, KindValidationContext context) => Validate(TypedSettings(settings), context);

    public IKindRun Start(KindRunContext context, IKindRunFactory runs)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(runs);
        return Start(context, TypedSettings(context.Settings), runs);
    }

    public virtual ConcurrencyGroup? ConcurrencyGroup => null;

    public IReadOnlyList<KindFolder> Folders(object settings, string dataFolder) => Folders(TypedSettings(settings), dataFolder);

    public bool HasHeldInput(object settings, string dataFolder) => HasHeldInput(TypedSettings(settings), dataFolder);

    public void Resumed(object settings) => Resumed(TypedSettings(settings));

    public virtual string PagePayload(string payload, int from, int count) => payload;

    public HumanActions HumanActions(object settings) => HumanActions(TypedSettings(settings));

    public virtual IReadOnlyList<RejectReason> RejectReasons => RejectReason.Defaults;

    /// <summary>What a person may do with an escalated item, and what each action does, with these settings.</summary>
    protected virtual HumanActions HumanActions(TSettings settings) => Kinds.HumanActions.Plain;

    protected abstract IEnumerable<SettingsError> Validate(TSettings settings, KindValidationContext context);

    /// <summary>
    /// Builds the run with <paramref name="runs"/>: <c>runs.Create&lt;Run&gt;(context, settings)</c> for a run whose
    /// constructor is <c>Run(KindRunContext context, MySettings settings, WebhookPoster poster)</c>.
    /// </summary>
    protected abstract IKindRun Start(KindRunContext context, TSettings settings, IKindRunFactory runs);

    protected virtual IReadOnlyList<KindFolder> Folders(TSettings settings, string dataFolder) => [];

    protected virtual bool HasHeldInput(TSettings settings, string dataFolder) => false;

    protected virtual void Resumed(TSettings settings)
    {
    }
}
