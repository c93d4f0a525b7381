using System.Diagnostics;
using System.Globalization;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.IO;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Benchmarks;

/// <summary>
/// <c>decompose --images A.npy --texts B.npy [--rows N] [--truth truth.npz] [--samples S] [--wedin W]</c>: estimates Z
/// = Z_s ⊕ Z_I ⊕ Z_T on the first N pairs and prints the ranks, the seconds taken (loading excluded) and, given
/// make_planted.py's truth.npz, the largest principal angle between the estimated and the planted Z_s.
/// </summary>
internal static class DecomposeCommand
{
    public static int Run(string[] args)
    {
        var options = CommandMode.Parse(args);
        var images = EmbeddingSet.Load(options["images"]);
        var texts = EmbeddingSet.Load(options["texts"]);
        int rows = int.Parse(options.GetValueOrDefault("rows", images.Count.ToString(CultureInfo.InvariantCulture)),
            CultureInfo.InvariantCulture);
        images = new EmbeddingSet(images.Values[..(rows * images.Dimension)], rows, images.Dimension);
        texts = new EmbeddingSet(texts.Values[..(rows * texts.Dimension)], rows, texts.Dimension);
        var defaults = new DecompositionOptions();
        int samples =
            int.Parse(options.GetValueOrDefault("samples",
                defaults.RandomDirectionSamples.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        int wedin =
            int.Parse(options.GetValueOrDefault("wedin", defaults.WedinSamples.ToString(CultureInfo.InvariantCulture)),
                CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        var decomposition = SubspaceDecomposition.Estimate(images, texts,
            new DecompositionOptions { RandomDirectionSamples = samples, WedinSamples = wedin });
        clock.Stop();
        string angle = "";
        if (options.TryGetValue("truth", out var truthPath))
        {
            var bs = Npy.ReadNpz(truthPath)["Bs"];
            var planted = Matrix<double>.Build.Dense(bs.Shape[0], bs.Shape[1],
                (i, j) => ((double[])bs.Data)[i * bs.Shape[1] + j]);
            var estimated = Matrix<double>.Build.DenseOfArray(decomposition.Shared.BasisVectors());
            var cosines = estimated.TransposeThisAndMultiply(planted).Svd(computeVectors: false).S;
            double largest = cosines.Count == 0 ? 90 : Math.Acos(Math.Min(1, cosines.Minimum())) * 180 / Math.PI;
            angle = string.Create(CultureInfo.InvariantCulture, $" largest_angle_deg={largest:F4}");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows={rows} d={images.Dimension} samples={samples} wedin={wedin} "
            + $"ranks=s:{decomposition.Shared.Rank},I:{decomposition.ImageSpecific.Rank},"
            + $"T:{decomposition.TextSpecific.Rank},perp:{decomposition.Residual.Rank} "
            + $"signal=I:{decomposition.ImageSignalRank},T:{decomposition.TextSignalRank} "
            + $"seconds={clock.Elapsed.TotalSeconds:F3}{angle}{Bounds(decomposition.Bounds)}"));
        return 0;
    }

    private static string Bounds(JointRankBounds? bounds) =>
        bounds is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $" threshold={bounds.Threshold:F4} random={bounds.RandomDirectionThreshold:F4} "
            + $"wedin={bounds.WedinThreshold:F4} sin_I={bounds.ImageWedinSine:F4} sin_T={bounds.TextWedinSine:F4}");
}
