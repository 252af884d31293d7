using AutomationPortal.Web.Infrastructure.Files;

namespace AutomationPortal.UnitTests.Infrastructure;

public sealed class SafeFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("portal-safe-").FullName;

    [Fact]
    public void ARealPathResolvesEveryLinkOnTheWayAndKeepsPartsNotMadeYet()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root, "target")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "via"), "target");

        Assert.Equal(Path.Combine(target, "inbox", "new"), SafeFiles.RealPath(Path.Combine(_root, "via", "inbox", "new")));
        Assert.Equal(Path.Combine(target, "x"), SafeFiles.RealPath(Path.Combine(_root, "via", "..", "via", "x")));
    }

    [Fact]
    public void DotDotAfterALinkGoesUpFromWhereTheLinkLeadsAsTheSystemDoes()
    {
        var deep = Directory.CreateDirectory(Path.Combine(_root, "elsewhere", "deep")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "d"), deep);
        Directory.CreateSymbolicLink(Path.Combine(_root, "tricky"), "d/../../x");

        // The kernel follows d to elsewhere/deep, then goes up twice: to _root, then x.
        Assert.Equal(Path.Combine(_root, "x"), SafeFiles.RealPath(Path.Combine(_root, "tricky")));
        Assert.Equal(Path.Combine(_root, "elsewhere"), SafeFiles.RealPath(Path.Combine(_root, "d", "..")));
    }

    [Fact]
    public void ALoopOfLinksIsRefusedNotFollowedForever()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "a"), Path.Combine(_root, "b"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "b"), Path.Combine(_root, "a"));

        Assert.Throws<IOException>(() => SafeFiles.RealPath(Path.Combine(_root, "a", "inbox")));
    }

    [Fact]
    public void OpeningALinkFailsEvenWhenItPointsAtAPlainFile()
    {
        var file = Path.Combine(_root, "plain.txt");
        File.WriteAllText(file, "secret");
        File.CreateSymbolicLink(Path.Combine(_root, "link.txt"), file);

        Assert.Throws<NotARegularFileException>(() => SafeFiles.OpenRead(Path.Combine(_root, "link.txt")));
        using var plain = SafeFiles.OpenRead(file);
        Assert.Equal(6, plain.Length);
    }

    [Fact]
    public void ThePortalsOwnFilesAreNeverServedNorUsedAsFolders()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        Directory.CreateDirectory(Path.Combine(data, "keys"));
        File.WriteAllText(Path.Combine(data, "portal.db"), "db");
        File.WriteAllText(Path.Combine(data, "keys", "key-1.xml"), "key");
        var archive = Directory.CreateDirectory(Path.Combine(data, "invoices", "archive")).FullName;
        File.WriteAllText(Path.Combine(archive, "a.xml"), "<Invoice/>");
        var folders = new PortalFolders([data], data);

        Assert.Null(folders.ServableFile(Path.Combine(data, "portal.db")));
        Assert.Null(folders.ServableFile(Path.Combine(data, "keys", "key-1.xml")));
        Assert.Null(folders.ServableFile(Path.Combine(data, "invoices", "..", "portal.db")));
        Assert.Equal(Path.Combine(archive, "a.xml"), folders.ServableFile(Path.Combine(archive, "a.xml")));
        Assert.NotNull(folders.FolderProblem(data));
        Assert.NotNull(folders.FolderProblem(_root));
        Assert.NotNull(folders.FolderProblem(Path.Combine(data, "keys")));
        Assert.Null(folders.FolderProblem(Path.Combine(data, "invoices", "inbox")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
