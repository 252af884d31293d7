using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;

namespace AutomationPortal.Web.Features.Automations;

/// <summary>The folders an automation's kind works in, as its settings name them under the data folder.</summary>
public sealed class AutomationFolders(PortalDatabase database, ILogger<AutomationFolders> logger)
{
    /// <summary>The folders the automation's kind reads and writes; none when its settings cannot be read.</summary>
    public IReadOnlyList<KindFolder> Of(IAutomationKind? kind, Automation automation)
    {
        try
        {
            return kind is null ? [] : kind.Folders(KindSettings.Read(kind, automation.Settings), database.DataFolder);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    /// <summary>Missing folders are created when an automation is saved, so files can be dropped in at once.</summary>
    public void Create(IAutomationKind? kind, Automation automation)
    {
        foreach (var folder in Of(kind, automation))
        {
            try
            {
                Directory.CreateDirectory(folder.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not create {Folder} folder {Path} of automation {Name}: {Message}. Runs try again.", folder.Name, folder.Path, automation.Name, e.Message);
            }
        }
    }
}
