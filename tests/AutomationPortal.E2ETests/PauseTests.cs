using System.Net.Http.Json;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

public sealed class PauseTests(LivePortal portal) : IClassFixture<LivePortal>
{
    [Fact]
    public async Task APausedAutomationHoldsAnUploadedInvoiceAndDecidesItOnlyWhenAnAdminResumesIt()
    {
        using var http = portal.ApiClient();
        var id = await LivePortal.CreateAutomationAsync(http, new
        {
            kind = "invoice-intake",
            name = "Paused payables",
            schedule = "0 0 3 1 1 ?",
            state = "Production",
            settings = new { inboxPath = "paused-ap/inbox", outboxPath = "paused-ap/outbox", flagNewSuppliers = false, reviewThreshold = 1_000_000 },
        });
        using (var pause = await http.PostAsync(new Uri($"api/automations/{id}/pause", UriKind.Relative), null))
        {
            Assert.True(pause.IsSuccessStatusCode);
        }

        var file = Path.Combine(Path.GetTempPath(), $"held-{Guid.NewGuid():N}.xml");
        await File.WriteAllBytesAsync(file, InvoiceWriter.Write(InvoiceSamples.Create(611) with { Number = "HELD-0611" }, InvoiceFormat.Ubl));
        try
        {
            // A team member hands in an invoice: it is kept, not decided, and the dialog says why.
            var agent = await portal.NewPageAsync(1400, 1000);
            await LivePortal.SignInAsync(agent, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
            await agent.GotoAsync($"automations/{id}");
            await LivePortal.WaitForCircuitAsync(agent);
            await Assertions.Expect(agent.Locator("[data-testid=paused-note]")).ToContainTextAsync("decides and posts nothing");
            await agent.ClickAsync("[data-testid=upload-files]");
            await Assertions.Expect(agent.Locator("[data-testid=choose-files]")).ToBeVisibleAsync();
            await agent.Locator(".mud-dialog input[type=file]").First.SetInputFilesAsync(file);
            var held = agent.Locator("[data-testid=upload-held]");
            if (!await AppearsAsync(held, TimeSpan.FromSeconds(10)))
            {
                // On a loaded machine the file input may take the first choice before its handler is attached.
                await agent.Locator(".mud-dialog input[type=file]").First.SetInputFilesAsync(file);
            }

            await Assertions.Expect(held).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
            await Assertions.Expect(agent.Locator("[data-testid=upload-held-note]")).ToContainTextAsync("the automation is paused");
            await LivePortal.ScreenshotAsync(agent, "invoice-upload-held");
            await agent.Context.CloseAsync();
            Assert.Equal(0, (await WorkItemsAsync(http, id)).GetProperty("total").GetInt32());

            // The Admin sees Resume instead of Run now; resuming decides the held invoice at once.
            var admin = await portal.NewPageAsync(1400, 1000);
            await LivePortal.SignInAsync(admin, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
            await admin.GotoAsync($"automations/{id}");
            await LivePortal.WaitForCircuitAsync(admin);
            await Assertions.Expect(admin.Locator("[data-testid=detail-run-now]")).ToHaveCountAsync(0);
            await admin.ClickAsync("[data-testid=resume]");
            await Assertions.Expect(admin.Locator("[data-testid=detail-state]")).ToHaveTextAsync("Production");
            var until = DateTime.UtcNow.AddSeconds(30);
            JsonElement items;
            while ((items = await WorkItemsAsync(http, id)).GetProperty("total").GetInt32() == 0 && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }

            Assert.Equal("Done", Assert.Single(items.GetProperty("items").EnumerateArray()).GetProperty("status").GetString());
            await admin.Context.CloseAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<bool> AppearsAsync(ILocator locator, TimeSpan within)
    {
        try
        {
            await locator.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)within.TotalMilliseconds });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task<JsonElement> WorkItemsAsync(HttpClient http, Guid automationId) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri($"api/work-items?automationId={automationId}", UriKind.Relative));
}
