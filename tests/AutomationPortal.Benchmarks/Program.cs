using BenchmarkDotNet.Running;

namespace AutomationPortal.Benchmarks;

// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- lateness [automations] [seconds]
// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- intake-cpu [rounds]
// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- escalation-claims [claims per round] [rounds] [agents]
// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- escalation-queue-quick [repeats]
// dotnet run -c Release --project tests/AutomationPortal.Benchmarks -- escalation-seed <copy.db>   (the seeded queue, to look at with sqlite3)
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

        if (args.Length > 0 && args[0] == "escalation-claims")
        {
            await EscalationClaimLatency.RunAsync(
                args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 800,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3,
                args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : EscalationQueuePortal.AgentCount);
            return;
        }

        if (args.Length > 0 && args[0] == "escalation-seed")
        {
            await using var seeded = await EscalationQueuePortal.StartAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Copy(seeded.Factory.DatabasePath, args[1], overwrite: true);
            return;
        }

        if (args.Length > 0 && args[0] == "escalation-queue-quick")
        {
            await EscalationQueueBenchmarks.QuickAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
