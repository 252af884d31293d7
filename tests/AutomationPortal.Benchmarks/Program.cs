using BenchmarkDotNet.Running;

namespace AutomationPortal.Benchmarks;

// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- --filter '*'
public static class BenchmarkProgram
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
