using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Tests.Fiber;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Decomposition;

/// <summary>
/// The Wedin bound of AJIVE's joint-rank rule (docs/theorems.md, T8): where it binds, what it is against AJIVE's own
/// form, and why it cannot bind on data like the bundled CLIP pairs.
/// </summary>
public class WedinBoundTests
{
    /// <summary>
    /// Paired data in R^d: both modalities carry the same two joint directions e₁, e₂ (standard scores, shared),
    /// the images one individual direction e₃ and the texts one individual direction cos φ·e₃ + sin φ·e₄, so
    /// the two individual directions meet at the angle φ; isotropic noise of standard deviation σ on
    /// every coordinate.
    /// </summary>
    private static (EmbeddingSet Images, EmbeddingSet Texts) Tilted(int n, int d, double phiDegrees,
        double sigma, int seed)
    {
        var random = new Random(seed);
        double phi = phiDegrees * Math.PI / 180;
        var images = new float[n * d];
        var texts = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < d; k++)
            {
                images[i * d + k] = (float)(sigma * Sets.Gaussian(random));
                texts[i * d + k] = (float)(sigma * Sets.Gaussian(random));
            }
            for (int k = 0; k < 2; k++)
            {
                double shared = Sets.Gaussian(random);
                images[i * d + k] += (float)shared;
                texts[i * d + k] += (float)shared;
            }
            images[i * d + 2] += (float)Sets.Gaussian(random);
            double own = Sets.Gaussian(random);
            texts[i * d + 2] += (float)(Math.Cos(phi) * own);
            texts[i * d + 3] += (float)(Math.Sin(phi) * own);
        }
        return (new EmbeddingSet(images, n, d), new EmbeddingSet(texts, n, d));
    }

    private static readonly DecompositionOptions Ranks = new() { ImageSignalRank = 3, TextSignalRank = 3, Seed = 2 };

    [Fact]
    public void StrongSignal_WedinBoundBinds_AndRejectsADirectionTheRandomBoundWouldKeep()
    {
        // Signal singular values √N = 44.7 against noise σ(√N + √r) ≈ 7: sines about 0.16, the Wedin threshold
        // about 1.95. The individual directions meet at 30°: 1 + cos 30° = 1.87 is far beyond chance in R^60 (random
        // bound ≈ 1.6), so only the Wedin bound keeps them out of Z_s.
        var (images, texts) = Tilted(2_000, 60, phiDegrees: 30, sigma: 0.15, seed: 1);
        var decomposition = SubspaceDecomposition.Estimate(images, texts, Ranks);
        var bounds = decomposition.Bounds!;
        var cut = JointRankCut.Of(decomposition);
        Assert.True(bounds.WedinThreshold > bounds.RandomDirectionThreshold,
            $"Wedin {bounds.WedinThreshold:F4} does not bind over random {bounds.RandomDirectionThreshold:F4}.");
        Assert.Equal(bounds.WedinThreshold, bounds.Threshold);
        // kept by chance alone, dropped by Wedin
        Assert.InRange(cut.Values[2], bounds.RandomDirectionThreshold, bounds.WedinThreshold);
        Assert.Equal(2, decomposition.Shared.Rank);
        // The truly joint pair survives: its estimated angle is far below the bound's θ_I + θ_T.
        Assert.True(cut.Values[1] > bounds.WedinThreshold);
        Assert.InRange(bounds.ImageWedinSine, 0.1, 0.25);
        Assert.InRange(bounds.TextWedinSine, 0.1, 0.25);
    }

    [Fact]
    public void WeakestKeptSignalNearTheNoise_WedinBoundCannotBind()
    {
        // The same structure with the noise raised until the weakest signal value is about 1.5 times the noise's
        // ‖E Ṽ‖: the sines pass 0.6, θ_I + θ_T passes 75°, and 1 + cos(θ_I + θ_T) falls below the random
        // bound (as on CLIP, where the sines are 0.68 and 0.71). The rank is then the random bound's alone.
        var (images, texts) = Tilted(2_000, 60, phiDegrees: 30, sigma: 0.6, seed: 1);
        var decomposition = SubspaceDecomposition.Estimate(images, texts, Ranks);
        var bounds = decomposition.Bounds!;
        Assert.True(bounds.ImageWedinSine > 0.5 && bounds.TextWedinSine > 0.5,
            $"{bounds.ImageWedinSine:F3}, {bounds.TextWedinSine:F3}");
        Assert.True(bounds.WedinThreshold < bounds.RandomDirectionThreshold);
        Assert.Equal(bounds.RandomDirectionThreshold, bounds.Threshold);
    }

    [Fact]
    public void Sine_BoundsTheTrueAngleOfTheSignalSubspace_WithoutBeingVacuous()
    {
        // Wedin's theorem holds at the chosen percentile: the true angle between the estimated and the planted image
        // signal subspace (span e₁, e₂, e₃) is at most arcsin of the bound, and the bound is within a
        // factor 20 of it.
        var (images, texts) = Tilted(2_000, 60, phiDegrees: 30, sigma: 0.3, seed: 3);
        var decomposition = SubspaceDecomposition.Estimate(images, texts, Ranks);
        var signal = decomposition.Shared.Basis.Append(decomposition.ImageSpecific.Basis); // the image signal subspace
        var outside = signal.SubMatrix(3, 57, 0, 3); // its coordinates off e₁, e₂, e₃
        double sine = outside.L2Norm();              // sin of the largest principal angle to the planted subspace
        Assert.True(sine <= decomposition.Bounds!.ImageWedinSine,
            $"true sine {sine:F4}, bound {decomposition.Bounds.ImageWedinSine:F4}");
        Assert.True(sine * 20 > decomposition.Bounds.ImageWedinSine,
            $"true sine {sine:F4}, bound {decomposition.Bounds.ImageWedinSine:F4}");
    }

    [Property(MaxTest = 200)]
    public bool Threshold_IsAtLeastAjiveForm_AndEqualAtEqualSines(double a, double b)
    {
        // 2 − sin²θ_I − sin²θ_T = 1 + cos(θ_I + θ_T)·cos(θ_I − θ_T) (AJIVE's form, Feng et al. 2018 with
        // K = 2), which never exceeds 1 + cos(θ_I + θ_T) while the sum is at most π/2, and equals it when the two
        // sines are equal.
        double s = Math.Abs(a % 1), t = Math.Abs(b % 1);
        if (!double.IsFinite(s) || !double.IsFinite(t)) return true;
        double ours = WedinBound.Threshold(s, t);
        double ajive = 2 - s * s - t * t;
        double equal = WedinBound.Threshold(s, s);
        return ours >= ajive - 1e-12 && Math.Abs(equal - Math.Max(1, 2 - 2 * s * s)) <= 1e-12 && ours is >= 1 and <= 2;
    }
}
