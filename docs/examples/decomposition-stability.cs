// Decomposition stability on the bundled CLIP pairs: dotnet run docs/examples/decomposition-stability.cs
// The shared subspace Z_s of SubspaceDecomposition.Estimate (AJIVE) beside its subsample stability, the gap at its
// joint-rank cut, and whether it carries the pairing (paired correlation against shuffled pairings); the same for the
// random-init control. A reading of the data (20 subsamples and 100 + 100 resamples for the rank bounds, to keep the
// run short): nothing here is tuned to it.
#:project ../../src/FiberProduct/FiberProduct.csproj
#:project ../../src/FiberProduct.Datasets/FiberProduct.Datasets.csproj

using System.Globalization;
using FiberProduct.Datasets;
using FiberProduct.Decomposition;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = new DecompositionOptions { Seed = 1, RandomDirectionSamples = 100, WedinSamples = 100 };
foreach (var (data, tag) in new[] { (CocoClip500.Pretrained(), "CLIP (pretrained)"),
    (CocoClip500.RandomInit(), "CLIP (random init)") })
{
    var report = SharedSubspaceStability.Estimate(data.Images, data.Texts, options,
        new StabilityOptions { Subsamples = 20, Seed = 1 });
    var full = report.Full;
    var cut = report.Cut;
    var pairing = PairingCheck.Evaluate(full, data.Images, data.Texts, shuffles: 999, seed: 1);
    Console.WriteLine($"{tag}: signal ranks {full.ImageSignalRank}, {full.TextSignalRank}; dim Z_s {full.Shared.Rank}");
    Console.WriteLine(
        $"  cut: last kept {cut.LastKept:F4}, threshold {cut.Threshold:F4}, first dropped {cut.FirstDropped:F4}, " +
        $"gap {cut.Gap:F4}, median spacing {cut.MedianSpacing:F4}, relative gap {cut.RelativeGap:F2}");
    Console.WriteLine($"  subsamples (20 of 80 %): joint rank 95 % interval {report.JointRankInterval}, " +
        $"mean share of directions within 20° {report.MeanStableShare:F3} {report.StableShareInterval}, " +
        $"directions stable in ≥ half the subsamples: {report.StableDirectionCount} of {full.Shared.Rank}");
    Console.WriteLine("  per direction (stable fraction, median angle): " +
        string.Join(", ", report.Directions.Select(d => $"{d.StableFraction:F2}/{d.MedianAngleDegrees:F0}°")));
    if (full.Shared.Rank > 0)
        Console.WriteLine(
            $"  pairing: mean paired correlation {pairing.MeanCorrelation:F3} (null 95th percentile "
            + $"{pairing.NullBand:F3}, " +
            $"p = {pairing.MeanCorrelationPValue:F4}), directions paired at 5 % (Holm): "
            + $"{pairing.PairedDirectionCount()} of {full.Shared.Rank}; " +
            $"correlations {string.Join(", ", pairing.Correlations.ToArray()
                .Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))}");
}
