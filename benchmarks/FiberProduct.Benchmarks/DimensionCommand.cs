using System.Diagnostics;
using System.Globalization;
using FiberProduct.Analysis;
using FiberProduct.Embedding;

namespace FiberProduct.Benchmarks;

/// <summary>
/// <c>dimension [--manifolds cube,sphere,roll] [--k 1,2,5,10,20,50] [--n 1000,3000,10000] [--ambient 64] [--resamples
/// 200] [--seed 1]</c>: the bias of the intrinsic-dimension estimators on manifolds of known dimension
/// (docs/theorems.md, T6). One line per manifold, k and N: the Levina–Bickel MLE (k = 10 … 20, MacKay–Ghahramani
/// averaging), TwoNN (10 % discarded) and the correlation integral between the medians of the 10th and 20th neighbour
/// distances, each with its 95 % bootstrap interval over the points, and the seconds taken.
/// </summary>
internal static class DimensionCommand
{
    public static int Run(string[] args)
    {
        var options = CommandMode.Parse(args);
        var manifolds = options.GetValueOrDefault("manifolds", "cube,sphere,roll").Split(',');
        var ks = Ints(options.GetValueOrDefault("k", "1,2,5,10,20,50"));
        var ns = Ints(options.GetValueOrDefault("n", "1000,3000,10000"));
        int ambient = int.Parse(options.GetValueOrDefault("ambient", "64"), CultureInfo.InvariantCulture);
        int resamples = int.Parse(options.GetValueOrDefault("resamples", "200"), CultureInfo.InvariantCulture);
        int seed = int.Parse(options.GetValueOrDefault("seed", "1"), CultureInfo.InvariantCulture);
        foreach (var manifold in manifolds)
            foreach (int k in ks)
                foreach (int n in ns)
                {
                    EmbeddingSet points = manifold switch
                    {
                        "cube" => ManifoldSamples.Cube(n, k, ambient, seed),
                        "sphere" => ManifoldSamples.Sphere(n, k, ambient, seed),
                        "roll" => ManifoldSamples.SwissRoll(n, k, ambient, seed),
                        _ => throw new ArgumentException($"Unknown manifold '{manifold}' (cube, sphere, roll).",
                            nameof(args)),
                    };
                    var clock = Stopwatch.StartNew();
                    var mle = MaximumLikelihoodDimension.Estimate(points, resamples: resamples, seed: seed);
                    var twoNn = TwoNearestNeighboursDimension.Estimate(points, resamples: resamples, seed: seed);
                    var corr = CorrelationDimension.OfPoints(points, resamples: resamples, seed: seed);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"manifold={manifold} k={k} n={n} D={ambient} mle={mle.Dimension:F2} "
                        + $"[{mle.Lower:F2},{mle.Upper:F2}] " +
                        $"twonn={twoNn.Dimension:F2} [{twoNn.Lower:F2},{twoNn.Upper:F2}] corr={corr.Dimension:F2} "
                        + $"[{corr.Lower:F2},{corr.Upper:F2}] " +
                        $"seconds={clock.Elapsed.TotalSeconds:F1}"));
                }
        return 0;
    }

    private static int[] Ints(string list) => list.Split(',')
        .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
