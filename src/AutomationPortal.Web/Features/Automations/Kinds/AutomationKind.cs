namespace AutomationPortal.Web.Features.Automations.Kinds;

/// <summary>
/// A kind with typed settings: the engine's <c>object</c> settings are cast here once, so a kind writes its
/// validation, folders and runs against <typeparamref name="TSettings"/>. Runs get the settings typed as well
/// (<see cref="Start(KindRunContext, TSettings)"/>); a run's decide step reads them from <see cref="TypedSettings"/>.
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

    public IKindRun Start(KindRunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Start(context, TypedSettings(context.Settings));
    }

    public IReadOnlyList<KindFolder> Folders(object settings, string dataFolder) => Folders(TypedSettings(settings), dataFolder);

    public bool HasHeldInput(object settings, string dataFolder) => HasHeldInput(TypedSettings(settings), dataFolder);

    public void Resumed(object settings, IServiceProvider services) => Resumed(TypedSettings(settings), services);

    public virtual string PagePayload(string payload, int from, int count) => payload;

    public HumanActions HumanActions(object settings) => HumanActions(TypedSettings(settings));

    /// <summary>What a person may do with an escalated item, and what each action does, with these settings.</summary>
    protected virtual HumanActions HumanActions(TSettings settings) => Kinds.HumanActions.Plain;

    protected abstract IEnumerable<SettingsError> Validate(TSettings settings, KindValidationContext context);

    protected abstract IKindRun Start(KindRunContext context, TSettings settings);

    protected virtual IReadOnlyList<KindFolder> Folders(TSettings settings, string dataFolder) => [];

    protected virtual bool HasHeldInput(TSettings settings, string dataFolder) => false;

    protected virtual void Resumed(TSettings settings, IServiceProvider services)
    {
    }
}
