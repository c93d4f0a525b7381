using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Tests.Fiber;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Tests.Decomposition;

/// <summary>
/// Issue 16, decomposition stability: subsample stability of Z_s, the joint-rank cut, and the pairing-aware check,
/// validated on planted structure with a known Z_s, on data without shared structure, and on planted data whose
/// pairing is shuffled (the same Z_s for AJIVE, no pairing).
/// </summary>
public class SharedSubspaceStabilityTests
{
    private static readonly DecompositionOptions Fast = new() { RandomDirectionSamples = 30, WedinSamples = 30 };

    /// <summary>The rows of a set in a seeded shuffled order.</summary>
    private static EmbeddingSet Shuffle(EmbeddingSet set, int seed)
    {
        var order = Enumerable.Range(0, set.Count).ToArray();
        new Random(seed).Shuffle(order);
        return SharedSubspaceStability.Rows(set, order);
    }

    [Fact]
    public void PlantedSharedSubspace_IsStable_WithACutInAGap()
    {
        var planted = Planted.Make(400, 32, 3, 2, 2, seed: 8);
        var report = SharedSubspaceStability.Estimate(planted.Images, planted.Texts, Fast,
            new StabilityOptions { Subsamples = 10, Seed = 1 });
        Assert.Equal(3, report.Full.Shared.Rank);
        Assert.True(Planted.LargestAngleDegrees(report.Full.Shared.Basis, planted.Shared) < 5);
        Assert.Equal(3, report.Directions.Count);
        Assert.All(report.Directions, d => Assert.Equal(1, d.StableFraction));
        Assert.All(report.Directions, d => Assert.True(d.MedianAngleDegrees < 5 && d.Lower > 0.6 && d.Upper == 1));
        Assert.Equal(1, report.MeanStableShare);
        Assert.Equal((3, 3), report.JointRankInterval);
        Assert.Equal(3, report.StableDirectionCount);
        Assert.True(report.Cut.RelativeGap > 10, $"relative gap {report.Cut.RelativeGap}");
        Assert.True(report.Cut.LastKept > report.Cut.Threshold && report.Cut.FirstDropped < report.Cut.Threshold);
    }

    [Fact]
    public void ForcedCut_OnAContinuum_HasARelativeGapNearOne_AndUnstableDirections()
    {
        // Two independent modalities: their principal angles form a continuum, and AJIVE keeps none of them.
        var random = new Random(4);
        EmbeddingSet Noise() => new(Enumerable.Range(0, 300 * 24)
            .Select(_ => (float)Sets.Gaussian(random)).ToArray(), 300, 24);
        var images = Noise();
        var texts = Noise();
        var chosen = SubspaceDecomposition.Estimate(images, texts,
            Fast with { ImageSignalRank = 10, TextSignalRank = 10 });
        Assert.Equal(0, chosen.Shared.Rank);
        var forced = SharedSubspaceStability.Estimate(images, texts,
            Fast with { ImageSignalRank = 10, TextSignalRank = 10, JointRank = 3 },
            new StabilityOptions { Subsamples = 10 });
        Assert.True(forced.Cut.RelativeGap < 5, $"relative gap {forced.Cut.RelativeGap}");
        Assert.Null(forced.Cut.Threshold);
        Assert.True(forced.MeanStableShare < 0.9, $"stable share {forced.MeanStableShare}");
    }

    [Fact]
    public void JointRankCut_Arithmetic()
    {
        var cut = new JointRankCut([1.9, 1.8, 1.2, 1.1], 2, 1.5);
        Assert.Equal(1.8, cut.LastKept);
        Assert.Equal(1.2, cut.FirstDropped);
        Assert.Equal(0.6, cut.Gap, 1e-12);
        Assert.Equal(0.1, cut.MedianSpacing, 1e-12);
        Assert.Equal(6, cut.RelativeGap, 1e-9);
        Assert.True(double.IsNaN(new JointRankCut([1.5], 0, null).Gap));
    }

    [Fact]
    public void WilsonInterval_MatchesItsClosedForm()
    {
        // k = 0: [0, z²/(n + z²)]; k = n: [n/(n + z²), 1]; k = 5 of 10 at z = 1.96: 0.5 ± 0.2634 (textbook value
        // 0.2366 … 0.7634).
        var (lower0, upper0) = SharedSubspaceStability.Wilson(0, 10, 1.96);
        Assert.Equal(0, lower0);
        Assert.Equal(1.96 * 1.96 / (10 + 1.96 * 1.96), upper0, 1e-12);
        Assert.Equal(10 / (10 + 1.96 * 1.96), SharedSubspaceStability.Wilson(10, 10, 1.96).Lower, 1e-12);
        var (lower, upper) = SharedSubspaceStability.Wilson(5, 10, 1.96);
        Assert.Equal(0.2366, lower, 1e-4);
        Assert.Equal(0.7634, upper, 1e-4);
    }

    [Fact]
    public void PairingCheck_FindsThePlantedPairing()
    {
        var planted = Planted.Make(300, 24, 3, 2, 2, seed: 5);
        var decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts, Fast);
        var check = PairingCheck.Evaluate(decomposition, planted.Images, planted.Texts, shuffles: 199, seed: 2);
        Assert.Equal(3, check.Correlations.Length);
        foreach (double c in check.Correlations) Assert.True(c > 0.9, $"paired correlation {c}");
        foreach (double p in check.PValues) Assert.Equal(1 / 200.0, p);
        Assert.Equal(3, check.PairedDirectionCount());
        Assert.True(check.MeanCorrelation > check.NullBand);
        Assert.True(check.NullBand < 0.2, $"null band {check.NullBand}");
    }

    [Fact]
    public void Ajive_IgnoresThePairing_AndThePairingCheckSeesIt()
    {
        // Shuffling the texts keeps each modality's spread: AJIVE returns the same Z_s, with the same variance shares,
        // although no text belongs to its image any more. The pairing check is at chance.
        var planted = Planted.Make(300, 24, 3, 2, 2, seed: 5);
        var texts = Shuffle(planted.Texts, seed: 9);
        var paired = SubspaceDecomposition.Estimate(planted.Images, planted.Texts, Fast);
        var unpaired = SubspaceDecomposition.Estimate(planted.Images, texts, Fast);
        Assert.Equal(3, unpaired.Shared.Rank);
        Assert.True(Planted.LargestAngleDegrees(paired.Shared.Basis, unpaired.Shared.Basis) < 1e-4);
        Assert.True(unpaired.VarianceShare(Modality.Images, SubspacePart.Shared) > 0.5);
        var check = PairingCheck.Evaluate(unpaired, planted.Images, texts, shuffles: 199, seed: 2);
        Assert.True(check.MeanCorrelationPValue > 0.05, $"p = {check.MeanCorrelationPValue}");
        Assert.True(check.MeanCorrelation < check.NullBand);
        // Per direction, chance alone passes Holm's 5 % family-wise rate now and then (this seed: one direction at
        // r = 0.13, p = 0.005); the calibration of the p-values is checked over 40 null sets below.
        foreach (double c in check.Correlations) Assert.True(Math.Abs(c) < 0.2, $"paired correlation {c}");
        Assert.True(check.PairedDirectionCount() < 3);
    }

    [Fact]
    public void PairingCheck_UnderTheNull_RejectsAtAboutItsLevel()
    {
        // 40 planted sets with shuffled pairings: with a valid p-value about 2 of 40 fall at or below 0.05; more than 7
        // has probability below 0.5 % (binomial 40, 0.05).
        int rejected = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var planted = Planted.Make(120, 12, 2, 1, 1, seed: 1000 + seed);
            var texts = Shuffle(planted.Texts, seed);
            var decomposition = SubspaceDecomposition.Estimate(planted.Images, texts,
                new DecompositionOptions { RandomDirectionSamples = 20, WedinSamples = 20, JointRank = null });
            if (decomposition.Shared.Rank == 0) continue;
            if (PairingCheck.Evaluate(decomposition, planted.Images, texts, shuffles: 99, seed: seed)
                .MeanCorrelationPValue <= 0.05) rejected++;
        }
        Assert.True(rejected <= 7, $"{rejected} of 40 rejected under the null");
    }

    [Property(MaxTest = 20)]
    public bool PairingCheck_IsInvariantUnderAJointPermutationOfThePairs(int seed)
    {
        var planted = Planted.Make(60, 10, 2, 1, 1, seed: seed & 0xFFFF);
        var decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            new DecompositionOptions { JointRank = 2, ImageSignalRank = 4, TextSignalRank = 4 });
        var a = PairingCheck.Evaluate(decomposition, planted.Images, planted.Texts, shuffles: 9);
        var b = PairingCheck.Evaluate(decomposition, Shuffle(planted.Images, seed),
            Shuffle(planted.Texts, seed), shuffles: 9);
        for (int j = 0; j < a.Correlations.Length; j++)
            if (Math.Abs(a.Correlations[j] - b.Correlations[j]) > 1e-9) return false;
        return true;
    }

    [Fact]
    public void Report_IsDeterministic_Cancellable_AndReportsProgress()
    {
        var planted = Planted.Make(120, 16, 2, 1, 1, seed: 3);
        var options = new StabilityOptions { Subsamples = 4, Seed = 7 };
        var first = SharedSubspaceStability.Estimate(planted.Images, planted.Texts, Fast, options);
        var second = SharedSubspaceStability.Estimate(planted.Images, planted.Texts, Fast, options);
        Assert.Equal(first.StableShares.ToArray(), second.StableShares.ToArray());
        Assert.Equal(first.Directions, second.Directions);

        var reports = new List<double>();
        SharedSubspaceStability.Estimate(planted.Images, planted.Texts, Fast, options,
            new SynchronousProgress(reports.Add));
        // The full data take the first fifth, each of the 4 subsamples a fifth after it; within each, the
        // decomposition's own stages report too. Monotonic, and every subsample's end is reported.
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First < p.Second), string.Join(", ", reports));
        Assert.Equal(1.0, reports[^1]);
        foreach (double end in new[] { 0.2, 0.4, 0.6, 0.8 })
            Assert.Contains(reports, r => Math.Abs(r - end) < 1e-12);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SharedSubspaceStability.Estimate(planted.Images,
            planted.Texts, Fast, options, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void BadSettings_AreRejected_NamingTheSetting()
    {
        var planted = Planted.Make(20, 8, 1, 1, 1, seed: 3);
        foreach (var bad in new[] { new StabilityOptions { Subsamples = 0 }, new StabilityOptions { Fraction = 0 },
            new StabilityOptions { Fraction = 1.5 },
                     new StabilityOptions { AngleDegrees = 91 }, new StabilityOptions { Confidence = 1 } })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(
                () => SharedSubspaceStability.Estimate(planted.Images, planted.Texts, Fast, bad));
            Assert.Equal("stability", e.ParamName);
        }
        Assert.Throws<ArgumentException>(() => SharedSubspaceStability.Estimate(planted.Images, planted.Texts, Fast,
            new StabilityOptions { Fraction = 0.05 }));
        var decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts, Fast);
        Assert.Equal("shuffles",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => PairingCheck.Evaluate(decomposition, planted.Images, planted.Texts, 0)).ParamName);
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
