using AutomationPortal.Web.Features.Automations.Pages;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AutomationPortal.ComponentTests.InvoiceIntake;

public sealed class UploadDialogTests : PortalComponentTest
{
    [Fact]
    public async Task FilesOverTheLimitOrEmptyAreNamedAndNotSent()
    {
        SignInAs(Role.Agent);
        Services.AddScoped<UnitOfWorkFactory>();
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<UploadInvoicesDialog>
        {
            { d => d.AutomationId, Guid.NewGuid() },
            { d => d.AutomationName, "Accounts payable" },
            { d => d.MaxFileBytes, 1024 },
        };
        await provider.InvokeAsync(() => dialogs.ShowAsync<UploadInvoicesDialog>("Upload invoices", parameters));

        provider.WaitForElement("[data-testid=choose-files]");
        Assert.Contains("up to 1 KB each", provider.Markup, StringComparison.Ordinal);
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
