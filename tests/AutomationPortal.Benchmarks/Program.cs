using BenchmarkDotNet.Running;

namespace AutomationPortal.Benchmarks;

// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- lateness [automations] [seconds]
// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- intake-cpu [rounds]
public static class BenchmarkProgram
{
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "lateness")
        {
            await FiringLateness.RunAsync(
                args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30);
            return;
        }

        if (args.Length > 0 && args[0] == "intake-cpu")
        {
            InvoiceIntakeBenchmarks.MeasureCpu(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
