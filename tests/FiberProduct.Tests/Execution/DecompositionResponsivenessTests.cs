using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Tests.Decomposition;

namespace FiberProduct.Tests.Execution;

/// <summary>
/// The decomposition's long operations on 20,000 pairs in R^128 (planted: 8 shared, 4 + 4 modality-specific directions)
/// honour a cancel within 100 ms, and one worker uses one core. The resampling counts are cut (50 to 100 samples, 2
/// subsamples) so that each run takes about a second on one core; the work per sample is that of the defaults.
/// </summary>
[Collection(MeasuredAlone.Name)]
public class DecompositionResponsivenessTests
{
    private static readonly Lazy<Planted> Data = new(() => Planted.Make(20_000, 128, 8, 4, 4, seed: 23));

    private static EmbeddingSet Images => Data.Value.Images;

    private static EmbeddingSet Texts => Data.Value.Texts;

    private static DecompositionOptions Options(int workers) =>
        new() { MaxDegreeOfParallelism = workers, RandomDirectionSamples = 100, WedinSamples = 100, Seed = 1 };

    private static readonly Lazy<SubspaceDecomposition> Full =
        new(() => SubspaceDecomposition.Estimate(Images, Texts, Options(-1)));

    /// <summary>Makes the data before the clock starts: the cancel is to land in the operation, not in the
    /// set-up.</summary>
    private static void HonoursCancel(Action<CancellationToken> operation, TimeSpan? after = null)
    {
        _ = Data.Value;
        Responsiveness.HonoursCancel(operation, after);
    }

    [Fact]
    public void Estimate_HonoursCancel() =>
        HonoursCancel(token => SubspaceDecomposition.Estimate(Images, Texts, Options(-1), cancellationToken: token),
            after: TimeSpan.FromMilliseconds(150));

    [Fact]
    public void Estimate_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => SubspaceDecomposition.Estimate(Images, Texts, Options(workers)));

    [Fact]
    public void EstimateByCca_HonoursCancel() =>
        HonoursCancel(token => SubspaceDecomposition.EstimateByCca(Images, Texts, 0.1, Options(-1),
            cancellationToken: token));

    [Fact]
    public void EstimateByCca_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => SubspaceDecomposition.EstimateByCca(Images, Texts,
            0.1, Options(workers)));

    /// <summary>
    /// At d = 512 and 2,000 pairs the run is mostly MathNet factorizations of 512 × 512 matrices (0.25–1.3 s each,
    /// uninterruptible in MathNet), so cancels after 0.2, 0.45 and 0.7 s land inside them. (The whole run takes about
    /// 1 s on a quiet machine since the resampled bounds got cheaper: a cancel at 1.1 s came after its end.)
    /// </summary>
    [Theory]
    [InlineData(200)]
    [InlineData(450)]
    [InlineData(700)]
    public void Estimate_AtD512_HonoursCancelInsideTheFactorizations(int afterMs)
    {
        var wide = WideData.Value;
        Responsiveness.HonoursCancel(
            token => SubspaceDecomposition.Estimate(wide.Images, wide.Texts, Options(1), cancellationToken: token),
            after: TimeSpan.FromMilliseconds(afterMs));
    }

    private static readonly Lazy<Planted> WideData = new(() => Planted.Make(2_000, 512, 8, 4, 4, seed: 29));

    private static SharedSubspaceStability Stability(int workers, CancellationToken token = default) =>
        SharedSubspaceStability.Estimate(Images, Texts,
            Options(workers) with { RandomDirectionSamples = 50, WedinSamples = 50 },
            new StabilityOptions { Subsamples = 2, Seed = 1 }, cancellationToken: token);

    [Fact]
    public void SharedSubspaceStability_HonoursCancel() => HonoursCancel(token => Stability(-1, token));

    [Fact]
    public void SharedSubspaceStability_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => Stability(workers));

    [Fact]
    public void PairingCheck_HonoursCancel()
    {
        var full = Full.Value;
        Responsiveness.HonoursCancel(token => PairingCheck.Evaluate(full, Images, Texts, shuffles: 9_999,
            cancellationToken: token));
    }

    [Fact]
    public void PairingCheck_OneWorkerUsesOneCore()
    {
        var full = Full.Value;
        Responsiveness.OneWorkerUsesOneCore(workers => PairingCheck.Evaluate(full, Images, Texts, shuffles: 999,
            maxDegreeOfParallelism: workers));
    }

    [Fact]
    public void PairingCheck_DoesNotDependOnTheThreadCount()
    {
        var full = Full.Value;
        var one = PairingCheck.Evaluate(full, Images, Texts, shuffles: 99, seed: 4, maxDegreeOfParallelism: 1);
        var two = PairingCheck.Evaluate(full, Images, Texts, shuffles: 99, seed: 4, maxDegreeOfParallelism: 2);
        Assert.Equal(one.NullMeanCorrelations.ToArray(), two.NullMeanCorrelations.ToArray());
        Assert.Equal(one.PValues.ToArray(), two.PValues.ToArray());
    }
}
