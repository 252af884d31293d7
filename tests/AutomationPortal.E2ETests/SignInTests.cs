using AutomationPortal.TestSupport;
using Microsoft.Playwright;

namespace AutomationPortal.E2ETests;

public sealed class SignInTests(LivePortal portal) : IClassFixture<LivePortal>
{
    [Theory]
    [InlineData("admin", PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword, "Administration overview")]
    [InlineData("manager", PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword, "Manager overview")]
    [InlineData("agent", PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword, "My work")]
    public async Task EachRoleSignsInSeesItsHomeAndSignsOut(string role, string email, string password, string heading)
    {
        var page = await portal.NewPageAsync();

        await page.GotoAsync("");
        await page.WaitForURLAsync("**/Account/Login**");
        await LivePortal.SignInAsync(page, email, password);
        await LivePortal.WaitForCircuitAsync(page);

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
        await Assertions.Expect(page.GetByText(email).First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, $"home-{role}");

        await page.ClickAsync("[data-testid=sign-out]");
        await page.WaitForURLAsync("**/Account/Login");
        await page.GotoAsync("");
        await page.WaitForURLAsync("**/Account/Login**");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheSignInPageExplainsAWrongPassword()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("Account/Login");
        await LivePortal.ScreenshotAsync(page, "sign-in");

        await page.FillAsync("#Input\\.Email", PortalAppFactory.ManagerEmail);
        await page.FillAsync("#Input\\.Password", "not the password");
        await page.ClickAsync("#sign-in");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("email or password is not right");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAgentOpeningAnAdminPageIsToldItHasNoAccess()
    {
        var page = await portal.NewPageAsync();
        await LivePortal.SignInAsync(page, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);

        var response = await page.GotoAsync("admin/users");

        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("You don't have access");
        await Assertions.Expect(page.GetByText("Users", new PageGetByTextOptions { Exact = true })).ToHaveCountAsync(0);
        await LivePortal.ScreenshotAsync(page, "no-access");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASectionThatIsNotBuiltYetSaysSoPlainly()
    {
        var page = await portal.NewPageAsync();
        await LivePortal.SignInAsync(page, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        await page.GotoAsync("roi");
        await LivePortal.WaitForCircuitAsync(page);

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("ROI");
        await Assertions.Expect(page.GetByText("ROI and payback is not available yet")).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "section-not-available");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task OnAPhoneTheDrawerFoldsAwayAndTheHomeStillReads()
    {
        var page = await portal.NewPageAsync(390, 844);
        await LivePortal.SignInAsync(page, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        await LivePortal.WaitForCircuitAsync(page);

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Manager overview");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Escalations" })).Not.ToBeInViewportAsync();
        await page.ClickAsync("[aria-label='Toggle navigation']");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Escalations" })).ToBeInViewportAsync();
        await LivePortal.ScreenshotAsync(page, "home-manager-phone");

        await page.GotoAsync("automations");
        await LivePortal.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByText("Demo: numbers inbox").First).ToBeVisibleAsync();
        await LivePortal.ScreenshotAsync(page, "automations-phone");
        await page.Context.CloseAsync();
    }
}
