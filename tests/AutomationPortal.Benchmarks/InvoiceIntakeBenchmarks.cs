using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// Invoices per second through invoice intake end to end, one engine run over 10,000 generated files in the inbox
/// (read, hash, read the invoice, verify, duplicate and risk checks, persist item + decision + escalation rows,
/// move each file to the archive, write the run's export CSV with its ledger lines), against the baseline: reading
/// the same 10,000 files from disk, reading the invoices and verifying them, nothing else, in the same process.
/// The files rotate through UBL, CII, CSV and JSON; default settings (so some invoices are escalated over the
/// threshold). Every iteration starts from the same files and an empty history. Server GC, as the portal runs
/// (the Web SDK's default).
/// </summary>
[GcServer(true)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
public class InvoiceIntakeBenchmarks
{
    private string _folder = "";
    private string _source = "";
    private string[] _files = [];
    private ServiceProvider _services = default!;
    private PortalDatabase _database = default!;
    private Guid _runId;

    [Params(10_000)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "portal-invoice-bench-" + Guid.NewGuid().ToString("N"));
        _source = Path.Combine(_folder, "generated");
        Directory.CreateDirectory(_source);
        var formats = new[] { InvoiceFormat.Ubl, InvoiceFormat.Cii, InvoiceFormat.Csv, InvoiceFormat.Json };
        for (var i = 0; i < Files; i++)
        {
            File.WriteAllBytes(Path.Combine(_source, $"invoice-{i:00000}"), InvoiceWriter.Write(InvoiceSamples.Create(i), formats[i % formats.Length]));
        }

        _files = Directory.GetFiles(_source).Order(StringComparer.Ordinal).ToArray();
        // The kind takes its webhook client by constructor, as in the portal.
        _services = EngineHost.Build<InvoiceIntakeKind>(_folder, out _database, s => s.AddHttpClient().AddSingleton<WebhookPoster>().AddOptions<WebhookOptions>());
    }

    /// <summary>The same files in a fresh inbox, no history, a new automation and run.</summary>
    [IterationSetup(Targets = [nameof(EndToEnd), nameof(MoveToArchiveAlone)])]
    public void FreshInbox()
    {
        foreach (var folder in new[] { "inbox", "archive", "quarantine", "outbox", "uploads" })
        {
            var path = Path.Combine(_folder, "bench", folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        var inbox = Path.Combine(_folder, "bench", "inbox");
        Directory.CreateDirectory(inbox);
        var settled = DateTime.UtcNow.AddMinutes(-1);
        foreach (var file in _files)
        {
            var target = Path.Combine(inbox, Path.GetFileName(file));
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, settled);
        }

        using var scope = _services.CreateScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("benchmark");
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Database.ExecuteSqlRaw("DELETE FROM \"Effects\"; DELETE FROM \"Escalations\"; DELETE FROM \"Decisions\"; DELETE FROM \"WorkItems\";");
        var automation = new Automation
        {
            Kind = InvoiceIntakeKind.KindKey,
            Name = "bench " + Guid.NewGuid().ToString("N"),
            Schedule = "0 0 3 1 1 ?",
            State = AutomationState.Production,
            Settings = """{"inboxPath":"bench/inbox","outboxPath":"bench/outbox"}""",
        };
        var run = new AutomationRun { AutomationId = automation.Id, Trigger = RunTrigger.Manual, QueuedAt = DateTime.UtcNow };
        db.AddRange(automation, run);
        db.SaveChanges();
        _runId = run.Id;
        WalCheckpointer.CheckpointAsync(_database, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Nothing to prepare: it only reads. Present so both run with one invocation per iteration, in one job.</summary>
    [IterationSetup(Target = nameof(ReadAndVerify))]
    public void NothingToPrepare()
    {
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Read + verify the files alone")]
    public int ReadAndVerify()
    {
        var findings = 0;
        foreach (var file in _files)
        {
            using var stream = new MemoryStream(File.ReadAllBytes(file), writable: false);
            findings += InvoiceVerifier.Verify(InvoiceReader.Read(stream)).Count;
        }

        return findings;
    }

    /// <summary>For scale: only moving each file from the inbox to the archive, as the source does after storing it.</summary>
    [Benchmark(Description = "Move the files to the archive alone")]
    public int MoveToArchiveAlone()
    {
        var inbox = Path.Combine(_folder, "bench", "inbox");
        var archive = Path.Combine(_folder, "bench", "archive");
        Directory.CreateDirectory(archive);
        var moved = 0;
        foreach (var file in Directory.EnumerateFiles(inbox))
        {
            File.Move(file, Path.Combine(archive, Path.GetFileName(file)));
            moved++;
        }

        return moved;
    }

    [Benchmark(Description = "Invoice intake end to end")]
    public RunStatus EndToEnd()
    {
        using var scope = _services.CreateScope();
        var status = scope.ServiceProvider.GetRequiredService<AutomationEngine>().ExecuteAsync(_runId, CancellationToken.None).GetAwaiter().GetResult();
        if (status != RunStatus.Succeeded)
        {
            throw new InvalidOperationException($"The benchmark run ended {status}.");
        }

        return status;
    }

    /// <summary>
    /// Wall-clock and CPU time (all threads, user and kernel) of each of the three measurements, round by round, in
    /// one process: what a run needs from the machine's two cores, beside how long it takes.
    /// </summary>
    public static void MeasureCpu(int rounds)
    {
        var bench = new InvoiceIntakeBenchmarks { Files = 10_000 };
        bench.Setup();
        try
        {
            Console.WriteLine($"Server GC: {System.Runtime.GCSettings.IsServerGC} (the portal runs with it: set DOTNET_gcServer=1)");
            Console.WriteLine("round | read + verify alone: wall / CPU | move to archive alone: wall / CPU | end to end: wall / CPU");
            for (var round = 1; round <= rounds; round++)
            {
                var read = Measure(bench.ReadAndVerify);
                bench.FreshInbox();
                var move = Measure(bench.MoveToArchiveAlone);
                bench.FreshInbox();
                var end = Measure(bench.EndToEnd);
                Console.WriteLine($"{round} | {read.Wall:0} ms / {read.Cpu:0} ms | {move.Wall:0} ms / {move.Cpu:0} ms | {end.Wall:0} ms / {end.Cpu:0} ms");
            }
        }
        finally
        {
            bench.Cleanup();
        }

        static (double Wall, double Cpu) Measure<T>(Func<T> action)
        {
            var process = System.Diagnostics.Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            action();
            var wall = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            process.Refresh();
            return (wall, (process.TotalProcessorTime - cpu).TotalMilliseconds);
        }
    }
}
