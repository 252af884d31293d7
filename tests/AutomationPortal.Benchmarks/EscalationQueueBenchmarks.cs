using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Infrastructure.Security;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// The escalation queue's server time with 100,000 open escalations over 20 automations (see
/// <see cref="EscalationQueuePortal"/>): the first page, a filter change, two sort changes and the quick views'
/// counts, each through the real <see cref="EscalationQueries"/> in a DI scope of the running portal acting as a
/// signed-in agent, against the hand-written SQL that computes the same page on the same file in the same process
/// (<see cref="HandWrittenQueue"/>). Each pair is one category; its ratio is ours / hand-written. The setup checks
/// that both answer the same total and the same rows in the same order, so the pair measures the same work.
/// </summary>
[GcServer(true)]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
[MemoryDiagnoser]
public class EscalationQueueBenchmarks
{
    public const int PageSize = 50;

    /// <summary>Search "ACME" (reference or supplier), the reason over-threshold, amounts from 1,000 to 20,000.</summary>
    public static readonly EscalationFilter Filter = new(Search: "ACME", Reason: "over-threshold", MinAmount: 1_000m, MaxAmount: 20_000m);

    /// <summary>The trigram index finds the candidates (case-folded); the LIKE keeps exactly what LIKE matches, as the portal's.</summary>
    public const string FilterWhere = """
        e.rowid IN (SELECT rowid FROM "EscalationSearch" WHERE "EscalationSearch" MATCH $phrase)
        AND e."Status" <> 'Resolved'
        AND (' ' || e."Reasons" || ' ') LIKE '% ' || $reason || ' %'
        AND e."Amount" IS NOT NULL AND CAST(e."Amount" AS REAL) >= $min AND CAST(e."Amount" AS REAL) <= $max
        AND (e."Reference" LIKE $pattern ESCAPE '\' OR e."Party" LIKE $pattern ESCAPE '\')
        """;

    public const string OpenWhere = """e."Status" <> 'Resolved'""";
    public const string AgeOrder = """e."CreatedAt", e."Id" """;
    public const string AmountDescendingOrder = """CAST(e."Amount" AS REAL) DESC, e."Id" """;
    public const string PartyOrder = """e."Party", e."Id" """;

    public static readonly (string, object)[] FilterParameters =
        [("$phrase", "\"ACME\""), ("$reason", "over-threshold"), ("$min", 1_000.0), ("$max", 20_000.0), ("$pattern", "%ACME%")];

    private EscalationQueuePortal _portal = default!;
    private HandWrittenQueue _hand = default!;
    private Actor _me = default!;
    private DateTime _since;

    [GlobalSetup]
    public void Setup()
    {
        _portal = EscalationQueuePortal.StartAsync().GetAwaiter().GetResult();
        _hand = new HandWrittenQueue(_portal.Database);
        _me = _portal.Agents[0];
        using (var scope = _portal.Scope(_me))
        {
            _since = scope.ServiceProvider.GetRequiredService<EscalationQueries>().StartOfToday();
        }

        SameAnswersAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _portal.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [BenchmarkCategory("1 first page"), Benchmark(Baseline = true, Description = "Hand-written SQL")]
    public Task<int> FirstPageByHand() => TotalAsync(_hand.PageAsync(OpenWhere, AgeOrder, 1, PageSize));

    [BenchmarkCategory("1 first page"), Benchmark(Description = "EscalationQueries.ListAsync")]
    public Task<int> FirstPage() => ListAsync(new EscalationFilter(), new EscalationSort());

    [BenchmarkCategory("2 filter: search + reason + amounts"), Benchmark(Baseline = true, Description = "Hand-written SQL")]
    public Task<int> FilteredByHand() => TotalAsync(_hand.PageAsync(FilterWhere, AgeOrder, 1, PageSize, FilterParameters));

    [BenchmarkCategory("2 filter: search + reason + amounts"), Benchmark(Description = "EscalationQueries.ListAsync")]
    public Task<int> Filtered() => ListAsync(Filter, new EscalationSort());

    [BenchmarkCategory("3 sort: amount descending"), Benchmark(Baseline = true, Description = "Hand-written SQL")]
    public Task<int> ByAmountByHand() => TotalAsync(_hand.PageAsync(OpenWhere, AmountDescendingOrder, 1, PageSize));

    [BenchmarkCategory("3 sort: amount descending"), Benchmark(Description = "EscalationQueries.ListAsync")]
    public Task<int> ByAmount() => ListAsync(new EscalationFilter(), new EscalationSort(EscalationSortField.Amount, Descending: true));

    [BenchmarkCategory("4 sort: party ascending"), Benchmark(Baseline = true, Description = "Hand-written SQL")]
    public Task<int> ByPartyByHand() => TotalAsync(_hand.PageAsync(OpenWhere, PartyOrder, 1, PageSize));

    [BenchmarkCategory("4 sort: party ascending"), Benchmark(Description = "EscalationQueries.ListAsync")]
    public Task<int> ByParty() => ListAsync(new EscalationFilter(), new EscalationSort(EscalationSortField.Party));

    [BenchmarkCategory("5 counts"), Benchmark(Baseline = true, Description = "Hand-written SQL")]
    public async Task<int> CountsByHand() => (await _hand.CountsAsync(_me.Id!.Value, _since))[0];

    [BenchmarkCategory("5 counts"), Benchmark(Description = "EscalationQueries.CountsAsync")]
    public async Task<int> Counts()
    {
        await using var scope = _portal.Scope(_me);
        return (await scope.ServiceProvider.GetRequiredService<EscalationQueries>().CountsAsync()).All;
    }

    /// <summary>
    /// A quick look without BenchmarkDotNet's processes: one seeded portal, each pair called in turn (baseline, then
    /// ours) <paramref name="repeats"/> times after a warm-up, medians and the ratio of the medians.
    /// </summary>
    public static async Task QuickAsync(int repeats)
    {
        var bench = new EscalationQueueBenchmarks();
        bench.Setup();
        try
        {
            var hand = bench._hand;
            var pairs = new (string Name, Func<Task<int>> Hand, Func<Task<int>> Ours, Func<Task<int>>? Joined)[]
            {
                ("first page", bench.FirstPageByHand, bench.FirstPage, () => TotalAsync(hand.PageAsync(OpenWhere, AgeOrder, 1, PageSize, joinedCount: true))),
                ("filter: search + reason + amounts", bench.FilteredByHand, bench.Filtered, () => TotalAsync(hand.PageAsync(FilterWhere, AgeOrder, 1, PageSize, joinedCount: true, FilterParameters))),
                ("sort: amount descending", bench.ByAmountByHand, bench.ByAmount, () => TotalAsync(hand.PageAsync(OpenWhere, AmountDescendingOrder, 1, PageSize, joinedCount: true))),
                ("sort: party ascending", bench.ByPartyByHand, bench.ByParty, () => TotalAsync(hand.PageAsync(OpenWhere, PartyOrder, 1, PageSize, joinedCount: true))),
                ("counts", bench.CountsByHand, bench.Counts, null),
            };
            Console.WriteLine("| Case | Hand-written SQL (median) | Ours (median) | Ratio | Hand-written, count with the joins (median) | Ours against it |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (name, byHand, ours, joined) in pairs)
            {
                var h = new List<double>();
                var o = new List<double>();
                var j = new List<double>();
                for (var i = -3; i < repeats; i++)
                {
                    var a = await TimeAsync(byHand);
                    var b = await TimeAsync(ours);
                    var c = joined is null ? 0 : await TimeAsync(joined);
                    if (i >= 0)
                    {
                        h.Add(a);
                        o.Add(b);
                        j.Add(c);
                    }
                }

                var mh = Median(h);
                var mo = Median(o);
                var mj = Median(j);
                Console.WriteLine(joined is null
                    ? $"| {name} | {mh:0.0} ms | {mo:0.0} ms | {mo / mh:0.00} | – | – |"
                    : $"| {name} | {mh:0.0} ms | {mo:0.0} ms | {mo / mh:0.00} | {mj:0.0} ms | {mo / mj:0.00} |");
            }
        }
        finally
        {
            bench.Cleanup();
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

        static async Task<double> TimeAsync(Func<Task<int>> call)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await call();
            return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    private async Task<int> ListAsync(EscalationFilter filter, EscalationSort sort)
    {
        await using var scope = _portal.Scope(_me);
        return (await scope.ServiceProvider.GetRequiredService<EscalationQueries>().ListAsync(filter, sort, 1, PageSize)).Total;
    }

    private static async Task<int> TotalAsync(Task<(int Total, List<HandWrittenQueue.Row> Rows)> page) => (await page).Total;

    /// <summary>Both sides answer the same: the same total and the same escalations in the same order, for every pair.</summary>
    private async Task SameAnswersAsync()
    {
        var cases = new (string Name, EscalationFilter Filter, EscalationSort Sort, string Where, string Order, (string, object)[] Parameters)[]
        {
            ("first page", new EscalationFilter(), new EscalationSort(), OpenWhere, AgeOrder, []),
            ("filter", Filter, new EscalationSort(), FilterWhere, AgeOrder, FilterParameters),
            ("amount descending", new EscalationFilter(), new EscalationSort(EscalationSortField.Amount, true), OpenWhere, AmountDescendingOrder, []),
            ("party ascending", new EscalationFilter(), new EscalationSort(EscalationSortField.Party), OpenWhere, PartyOrder, []),
        };
        foreach (var c in cases)
        {
            await using var scope = _portal.Scope(_me);
            var ours = await scope.ServiceProvider.GetRequiredService<EscalationQueries>().ListAsync(c.Filter, c.Sort, 1, PageSize);
            var (total, rows) = await _hand.PageAsync(c.Where, c.Order, 1, PageSize, c.Parameters);
            if (ours.Total != total || !ours.Items.Select(i => i.Id).SequenceEqual(rows.Select(r => r.Id)))
            {
                throw new InvalidOperationException($"The {c.Name} differs: ours {ours.Total} rows, by hand {total}.");
            }

            Console.WriteLine($"// {c.Name}: {total:N0} rows, the same {rows.Count} on the page; plan of the count: {await _hand.PlanAsync(HandWrittenQueue.CountSql(c.Where), c.Parameters)}; of the page: {await _hand.PlanAsync(HandWrittenQueue.PageSql(c.Where, c.Order, PageSize), c.Parameters)}");
        }

        await using (var scope = _portal.Scope(_me))
        {
            var ours = await scope.ServiceProvider.GetRequiredService<EscalationQueries>().CountsAsync();
            var hand = await _hand.CountsAsync(_me.Id!.Value, _since);
            if (!new[] { ours.All, ours.Mine, ours.Unassigned, ours.Deferred, ours.ResolvedToday }.SequenceEqual(hand))
            {
                throw new InvalidOperationException($"The counts differ: ours {ours}, by hand {string.Join(", ", hand)}.");
            }

            Console.WriteLine($"// counts: {ours}");
        }
    }
}
