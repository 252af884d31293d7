using AutomationPortal.Web.Features.Automations.Model;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>
/// Everything people do with automations, for the pages: list, read, create, change, pause, resume, run now, emergency
/// stop, acknowledge alerts. Each is a use case of its own (ListAutomations, CreateAutomation, PauseAutomation…); every
/// call that changes something checks on the server that the caller is an Admin, and every change is audited by the
/// save interceptor.
/// </summary>
public sealed class AutomationService(
    ListAutomations list,
    GetAutomation get,
    CreateAutomation create,
    UpdateAutomation update,
    PauseAutomation pause,
    ResumeAutomation resume,
    PauseAllAutomations pauseAll,
    ResumeAllAutomations resumeAll,
    RunAutomationNow runNow,
    AcknowledgeAlert acknowledgeAlert)
{
    /// <inheritdoc cref="ListAutomations.SuccessRateExplained"/>
    public const string SuccessRateExplained = ListAutomations.SuccessRateExplained;

    public Task<IReadOnlyList<AutomationSummary>> ListAsync(CancellationToken cancellationToken = default) => list.ListAsync(cancellationToken);

    /// <inheritdoc cref="ListAutomations.SuccessRate"/>
    public static double? SuccessRate(IEnumerable<(RunStatus Status, int Work, int Faults)> runs) => ListAutomations.SuccessRate(runs);

    public static RunSummary Summarise(AutomationRun r) => ListAutomations.Summarise(r);

    public Task<AutomationDetail> GetAsync(Guid id, CancellationToken cancellationToken = default) => get.GetAsync(id, cancellationToken);

    public Task<AutomationDetail> CreateAsync(AutomationRequest request, CancellationToken cancellationToken = default) => create.CreateAsync(request, cancellationToken);

    public Task<AutomationDetail> UpdateAsync(Guid id, AutomationRequest request, CancellationToken cancellationToken = default) => update.UpdateAsync(id, request, cancellationToken);

    /// <inheritdoc cref="PauseAutomation.PauseAsync"/>
    public Task<AutomationDetail> PauseAsync(Guid id, CancellationToken cancellationToken = default) => pause.PauseAsync(id, cancellationToken);

    /// <inheritdoc cref="ResumeAutomation.ResumeAsync"/>
    public Task<AutomationDetail> ResumeAsync(Guid id, CancellationToken cancellationToken = default) => resume.ResumeAsync(id, cancellationToken);

    /// <inheritdoc cref="PauseAllAutomations.PauseAllAsync"/>
    public Task<EmergencyStopResult> PauseAllAsync(CancellationToken cancellationToken = default) => pauseAll.PauseAllAsync(cancellationToken);

    /// <inheritdoc cref="ResumeAllAutomations.ResumeAllAsync"/>
    public Task<EmergencyStopResult> ResumeAllAsync(CancellationToken cancellationToken = default) => resumeAll.ResumeAllAsync(cancellationToken);

    /// <inheritdoc cref="RunAutomationNow.RunNowAsync"/>
    public Task<Guid> RunNowAsync(Guid id, CancellationToken cancellationToken = default) => runNow.RunNowAsync(id, cancellationToken);

    public Task AcknowledgeAlertAsync(Guid alertId, CancellationToken cancellationToken = default) => acknowledgeAlert.AcknowledgeAlertAsync(alertId, cancellationToken);
}
