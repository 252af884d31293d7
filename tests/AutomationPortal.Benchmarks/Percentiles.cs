using System.Globalization;

namespace AutomationPortal.Benchmarks;

/// <summary>Percentiles of measured times, by the nearest-rank method, for the benchmarks that report p50, p95 and max.</summary>
internal static class Percentiles
{
    public static double Of(IReadOnlyCollection<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    /// <summary>The percentile in milliseconds, for a table cell: "12.3 ms".</summary>
    public static string Ms(IReadOnlyCollection<double> values, int percentile) => $"{Of(values, percentile).ToString("0.0", CultureInfo.InvariantCulture)} ms";
}
