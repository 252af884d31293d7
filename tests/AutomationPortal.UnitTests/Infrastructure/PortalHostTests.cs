using AutomationPortal.Web.Infrastructure.Hosting;

namespace AutomationPortal.UnitTests.Infrastructure;

public sealed class PortalHostTests
{
    [Fact]
    public void TheDemoFlagBecomesConfigurationAndLeavesOtherArgumentsAlone()
    {
        var options = PortalHost.CreateOptions(["--urls", "http://127.0.0.1:5080", "--demo"]);

        Assert.Equal(["--urls", "http://127.0.0.1:5080", "--Portal:Demo:Enabled=true"], options.Args!);
    }

    [Fact]
    public void WithoutTheDemoFlagNothingIsAdded()
    {
        var options = PortalHost.CreateOptions(["--urls", "http://127.0.0.1:5080"]);

        Assert.Equal(["--urls", "http://127.0.0.1:5080"], options.Args!);
    }

    [Fact]
    public void TheContentRootIsTheFolderWithAppsettingsAndWwwroot()
    {
        var root = PortalHost.FindContentRoot();

        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, "appsettings.json")));
        Assert.True(Directory.Exists(Path.Combine(root, "wwwroot")));
        Assert.True(File.Exists(Path.Combine(root, "AutomationPortal.sln")), "From the test folder the search reaches the repository root.");
    }

    [Fact]
    public void AnExplicitContentRootIsLeftToTheHost()
    {
        var options = PortalHost.CreateOptions(["--contentRoot", "/srv/portal"]);

        Assert.Null(options.ContentRootPath);
    }
}
