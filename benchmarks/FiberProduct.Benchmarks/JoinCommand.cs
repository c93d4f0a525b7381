using System.Diagnostics;
using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Benchmarks;

/// <summary>
/// <c>join --images A.npy --texts B.npy --eps E [--metric euclidean|cosine|angular] [--mode count|pairs|profile]
/// [--threads T] [--pruning auto|never|always] [--prune-dim K] [--max-pairs B [--truncate]]</c>: one ε-range join on
/// the given files, printing <c>pairs=&lt;count&gt; seconds=&lt;join time&gt;</c>: the median of <c>--repeat R</c>
/// (default 3) queries after a first one at the same ε (reported as first_eps=, it also plans the pruning for that
/// ε); file loading and a warm-up query at ε = 0 (packing the texts, JIT, the ε-independent pruning preparation) are
/// reported as first=. A (2, N, d) file may be given as <c>--pairs F.npy</c> instead. <c>--mode profile --count K</c>
/// times a profile at K tolerances spread up to E. With pruning, the first query also prepares the principal axes, the
/// k-d order and the packed texts (ε-independent), and the line ends with the head dimension and checkpoint the cost
/// model chose, the fraction of tiles skipped (and of those by the cluster bound alone) and the fraction that passed
/// the checkpoint. cpu= is the median CPU time of the same queries (all threads). <c>--screen off</c> turns the int8
/// screen off (the same answer, the float32 tiles in full). <c>--phases</c> adds a line with the first query's
/// breakdown: the time from the process' start to the command, the compilation time during the query (JIT, all
/// threads), and the seconds of each pruning step (axes, k-d order, packing, samples, heads).
/// </summary>
internal static class JoinCommand
{
    public static int Run(string[] args)
    {
        // From the process' start to here: the runtime's start and the command line's parsing.
        double started = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
        var options = CommandMode.Parse(args);
        EmbeddingSet images, texts;
        if (options.TryGetValue("pairs", out var pairsPath)) (images, texts) = EmbeddingSet.LoadPaired(pairsPath);
        else (images, texts) = (EmbeddingSet.Load(options["images"]), EmbeddingSet.Load(options["texts"]));
        double epsilon = double.Parse(options["eps"], CultureInfo.InvariantCulture);
        var metric = Enum.Parse<FiberMetric>(options.GetValueOrDefault("metric", "euclidean"), ignoreCase: true);
        int threads = int.Parse(options.GetValueOrDefault("threads", "-1"), CultureInfo.InvariantCulture);
        string mode = options.GetValueOrDefault("mode", "count");
        var pruning = Enum.Parse<PruningMode>(options.GetValueOrDefault("pruning", "auto"), ignoreCase: true);
        int? pruneDimension = options.TryGetValue("prune-dim", out var k0)
            ? int.Parse(k0, CultureInfo.InvariantCulture) : null;
        long maxPairs =
            long.Parse(options.GetValueOrDefault("max-pairs",
                FiberProductOptions.DefaultMaxPairs.ToString(CultureInfo.InvariantCulture)),
                CultureInfo.InvariantCulture);
        FiberProduct.Fiber.Kernels.Int8Screening.Enabled = options.GetValueOrDefault("screen", "on") != "off";
        var product = new ApproximateFiberProduct(images, texts, metric, new FiberProductOptions
        {
            MaxDegreeOfParallelism = threads, Pruning = pruning, PruningDimension = pruneDimension,
            MaxPairs = maxPairs, TruncateAtBudget = options.ContainsKey("truncate"),
        });

        // --cold: no warm-up, so first_eps= is the first query of a fresh instance (JIT, packing, pruning
        // preparation included).
        var prepare = Stopwatch.StartNew();
        if (!options.ContainsKey("cold")) product.Count(0); // builds the packed texts once; later queries reuse them
        prepare.Stop();

        // The query runs 1 + R times (--repeat R, default 3): the first at this ε (it also plans the pruning for ε)
        // is reported as first_eps=, the median of the other R as seconds=.
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "3"), CultureInfo.InvariantCulture);
        string result = "";
        var times = new List<double>();
        var cpus = new List<double>();
        using var process = Process.GetCurrentProcess();
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        for (int r = 0; r <= repeat; r++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            switch (mode)
            {
                case "pairs":
                    try
                    {
                        var found = product.Pairs(epsilon);
                        result = $"pairs={found.PairCount} truncated={found.IsTruncated}";
                    }
                    catch (ResultBudgetExceededException e) { result = $"pairs=over-budget({e.MaxPairs})"; }
                    break;
                case "profile":
                    int k = int.Parse(options.GetValueOrDefault("count", "64"), CultureInfo.InvariantCulture);
                    var epsilons = Enumerable.Range(1, k).Select(t => epsilon * t / k).ToArray();
                    var profile = product.Profile(epsilons);
                    result = $"pairs={profile.Counts[^1]} tolerances={k}";
                    break;
                default:
                    result = $"pairs={product.Count(epsilon)}";
                    break;
            }
            times.Add(clock.Elapsed.TotalSeconds);
            if (r == 0) jit = System.Runtime.JitInfo.GetCompilationTime() - jit;
            process.Refresh();
            cpus.Add((process.TotalProcessorTime - cpu).TotalSeconds);
        }
        // CPU seconds per query (all threads), the median of the same R: on a machine shared with other work the wall
        // time also counts the time the workers waited for a core, the CPU time does not.
        var restCpu = cpus.Skip(1).Order().ToList();
        double cpuSeconds = restCpu.Count == 0 ? cpus[0] : restCpu[restCpu.Count / 2];
        double firstAtEpsilon = times[0];
        var rest = times.Skip(1).Order().ToList();
        double seconds = rest.Count == 0 ? firstAtEpsilon : rest[rest.Count / 2];

        string plan = product.LastPruning is { } last && (last.Dimension > 0 || last.Pruned)
            ? string.Create(CultureInfo.InvariantCulture,
                $" prune_k={last.Dimension} checkpoint={last.Checkpoint} skipped={last.SkippedFraction:F4} "
                + $"by_balls={Share(last.SkippedByBalls, last):F4} "
                + $"passed_checkpoint={Share(last.PassedCheckpoint, last):F4} estimated_cost={last.EstimatedCost:F3}")
            : string.Create(CultureInfo.InvariantCulture,
                $" prune_k=none estimated_cost={product.LastPruning?.EstimatedCost ?? double.NaN:F3}");
        Console.WriteLine(
            $"{result} seconds={seconds:F3} cpu={cpuSeconds:F3} first_eps={firstAtEpsilon:F3} "
            + $"first={prepare.Elapsed.TotalSeconds:F3} mode={mode} n={images.Count} m={texts.Count} "
            + $"d={images.Dimension}{plan}");
        // --phases: where the first query's time went (process start, compiling on all threads, and each step of the
        // pruning preparation and planning, in seconds).
        if (options.ContainsKey("phases"))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"phases: process_start={started:F3} jit_first_query={jit.TotalSeconds:F3} ")
                + string.Join(" ", (product.PruningPhases ?? new Dictionary<string, double>()).Select(p =>
                    string.Create(CultureInfo.InvariantCulture, $"{p.Key.Replace(' ', '_')}={p.Value:F3}"))));
        return 0;
    }

    private static double Share(long tiles, FiberProduct.Fiber.Pruning.PruningStatistics last) =>
        (double)tiles / Math.Max(1, last.Skipped + last.Computed);
}
