using AutomationPortal.Web.Infrastructure.Hosting;

namespace AutomationPortal.UnitTests.InvoiceIntake;

/// <summary>The real e-invoices in ../shared/samples/invoices (EUPL-1.2), read in place, never copied.</summary>
internal static class SharedSamples
{
    public static string? Folder { get; } = Find();

    public static string SkipReason => "SKIPPED: ../shared/samples/invoices is not beside the repository; the shared e-invoice samples are needed for this test.";

    public static IEnumerable<string> Files(string subfolder) =>
        Folder is null ? [] : Directory.EnumerateFiles(Path.Combine(Folder, subfolder)).Where(f => f.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal);

    public static TheoryData<string> Names(string subfolder)
    {
        var data = new TheoryData<string>();
        foreach (var file in Files(subfolder))
        {
            data.Add(Path.GetFileName(file));
        }

        if (data.Count == 0)
        {
            data.Add("(samples absent)");
        }

        return data;
    }

    public static string PathOf(string subfolder, string name)
    {
        if (Folder is null)
        {
            Assert.Skip(SkipReason);
        }

        return Path.Combine(Folder, subfolder, name);
    }

    private static string? Find()
    {
        var root = PortalHost.FindContentRoot();
        var folder = root is null ? null : Path.GetFullPath(Path.Combine(root, "..", "shared", "samples", "invoices"));
        return folder is not null && Directory.Exists(folder) ? folder : null;
    }
}
