using System.Diagnostics;
using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Benchmarks;

/// <summary>
/// <c>join --images A.npy --texts B.npy --eps E [--metric euclidean|cosine|angular] [--mode count|pairs|profile] [--threads T]</c>:
/// one ε-range join on the given files, printing <c>pairs=&lt;count&gt; seconds=&lt;join time&gt;</c> (file loading and the
/// first query — packing the texts once, JIT — excluded from the time and reported as first=). A (2, N, d) file may be given as
/// <c>--pairs F.npy</c> instead. <c>--mode profile --count K</c> times a profile at K tolerances spread up to E.
/// </summary>
internal static class JoinCommand
{
    public static int Run(string[] args)
    {
        var options = CommandMode.Parse(args);
        EmbeddingSet images, texts;
        if (options.TryGetValue("pairs", out var pairsPath)) (images, texts) = EmbeddingSet.LoadPaired(pairsPath);
        else (images, texts) = (EmbeddingSet.Load(options["images"]), EmbeddingSet.Load(options["texts"]));
        double epsilon = double.Parse(options["eps"], CultureInfo.InvariantCulture);
        var metric = Enum.Parse<FiberMetric>(options.GetValueOrDefault("metric", "euclidean"), ignoreCase: true);
        int threads = int.Parse(options.GetValueOrDefault("threads", "-1"), CultureInfo.InvariantCulture);
        string mode = options.GetValueOrDefault("mode", "count");
        var product = new ApproximateFiberProduct(images, texts, metric, new FiberProductOptions { MaxDegreeOfParallelism = threads });

        var prepare = Stopwatch.StartNew();
        product.Count(0); // builds the packed texts once; later queries reuse them
        prepare.Stop();

        var clock = Stopwatch.StartNew();
        string result;
        switch (mode)
        {
            case "pairs":
                result = $"pairs={product.Pairs(epsilon).PairCount}";
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
        clock.Stop();
        Console.WriteLine($"{result} seconds={clock.Elapsed.TotalSeconds:F3} first={prepare.Elapsed.TotalSeconds:F3} mode={mode} n={images.Count} m={texts.Count} d={images.Dimension}");
        return 0;
    }
}
