using MudBlazor;

namespace AutomationPortal.Web.Components.Layout;

public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949AB",
            Secondary = "#00897B",
            AppbarBackground = "#283593",
            Background = "#F5F6FA",
            DrawerBackground = "#FFFFFF",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7986CB",
            Secondary = "#4DB6AC",
            AppbarBackground = "#1E1E2D",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Roboto", "DejaVu Sans", "Helvetica", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
