using AutomationPortal.Web.Features.Automations.Pages;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AutomationPortal.ComponentTests.Automations;

public sealed class UploadDialogTests : PortalComponentTest
{
    [Fact]
    public async Task FilesOverTheLimitOrEmptyAreNamedAndNotSent()
    {
        SignInAs(Role.Agent);
        Services.AddScoped<UnitOfWorkFactory>();
        Services.AddSingleton(new AutomationPortal.Web.Features.Automations.Kinds.AutomationKindCatalog([]));
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<UploadDialog>
        {
            { d => d.AutomationId, Guid.NewGuid() },
            { d => d.AutomationName, "Accounts payable" },
            { d => d.MaxFileBytes, 1024 },
            { d => d.Words, new AutomationPortal.Web.Features.Automations.Kinds.UploadWords("Upload receipts", "PDF or JPEG receipts", "Each receipt is read at once", "receipts") },
        };
        await provider.InvokeAsync(() => dialogs.ShowAsync<UploadDialog>("Upload receipts", parameters));

        provider.WaitForElement("[data-testid=choose-files]");
        Assert.Contains("PDF or JPEG receipts, up to 1 KB each", provider.Markup, StringComparison.Ordinal);
        Assert.Contains("Upload receipts to Accounts payable", provider.Markup, StringComparison.Ordinal);
        Assert.Contains("Drop receipts here, or", provider.Markup, StringComparison.Ordinal);
        provider.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromBinary(new byte[5000], "scan.xml"),
            InputFileContent.CreateFromBinary(new byte[1025], "just-over.xml"),
            InputFileContent.CreateFromBinary([], "empty.xml"));

        var refused = provider.WaitForElement("[data-testid=upload-refused]");
        Assert.Contains("scan.xml is 4.9 KB, above this automation's limit of 1 KB (maxFileBytes); it was not sent.", refused.TextContent, StringComparison.Ordinal);
        // Sizes that round to the same figure are given in bytes, so the message never reads "1 KB, above 1 KB".
        Assert.Contains("just-over.xml is 1,025 bytes, above this automation's limit of 1,024 bytes (maxFileBytes)", refused.TextContent, StringComparison.Ordinal);
        Assert.Contains("empty.xml is empty; it was not sent.", refused.TextContent, StringComparison.Ordinal);
        Assert.Empty(provider.FindAll("[data-testid=upload-results]"));
    }
}
