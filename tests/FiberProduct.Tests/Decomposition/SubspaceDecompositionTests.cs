using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Numerics;
using FiberProduct.Tests.Fiber;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Tests.Decomposition;

public class SubspaceDecompositionTests
{
    private static readonly SubspacePart[] Parts = Enum.GetValues<SubspacePart>();

    private static Matrix<double> Projector(SubspaceDecomposition decomposition, SubspacePart part) =>
        Matrix<double>.Build.DenseOfArray(decomposition[part].Projector());

    public sealed record Configuration(int N, int D, int Ks, int Ki, int Kt, int Seed)
    {
        public override string ToString() => $"N={N} d={D} ks={Ks} ki={Ki} kt={Kt} seed={Seed}";
    }

    public static Arbitrary<Configuration> Cases() =>
        (from d in Gen.Elements(2, 5, 12, 24, 40)
         from ks in Gen.Choose(0, 3)
         from ki in Gen.Choose(0, 3)
         from kt in Gen.Choose(0, 3)
         from n in Gen.Elements(3, 10, 60, 200)
         from seed in Gen.Choose(0, 100000)
         where ks + ki + kt + 2 <= d
         select new Configuration(n, d, ks, ki, kt, seed)).ToArbitrary();

    private static SubspaceDecomposition Decompose(Configuration c, out Planted planted)
    {
        planted = Planted.Make(c.N, c.D, c.Ks, c.Ki, c.Kt, seed: c.Seed);
        return SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            new DecompositionOptions { RandomDirectionSamples = 40, Seed = c.Seed });
    }

    [Property(Arbitrary = [typeof(SubspaceDecompositionTests)], MaxTest = 60)]
    public bool Projectors_AreSymmetricIdempotentOrthogonal_AndSumToIdentity(Configuration c)
    {
        // T8: Π_a Π_b = δ_ab Π_a, Π_a = Π_aᵀ, Π_s + Π_I + Π_T + Π_⊥ = I.
        var decomposition = Decompose(c, out _);
        var sum = Matrix<double>.Build.Dense(c.D, c.D);
        foreach (var a in Parts)
        {
            var pa = Projector(decomposition, a);
            if ((pa - pa.Transpose()).FrobeniusNorm() > 1e-12) return false;
            foreach (var b in Parts)
            {
                var expected = a == b ? pa : Matrix<double>.Build.Dense(c.D, c.D);
                if ((pa * Projector(decomposition, b) - expected).FrobeniusNorm() > 1e-10) return false;
            }
            sum += pa;
        }
        return (sum - Matrix<double>.Build.DenseIdentity(c.D)).FrobeniusNorm() < 1e-10
            && Parts.Sum(p => decomposition[p].Rank) == c.D;
    }

    [Property(Arbitrary = [typeof(SubspaceDecompositionTests)], MaxTest = 60)]
    public bool AnyVector_IsTheSumOfItsParts(Configuration c)
    {
        var decomposition = Decompose(c, out var planted);
        var v = planted.Images.Row(0).ToArray();
        var sum = new double[c.D];
        foreach (var part in Parts)
        {
            var projection = decomposition[part].Project(v);
            for (int k = 0; k < c.D; k++) sum[k] += projection[k];
        }
        return Enumerable.Range(0, c.D).All(k => Math.Abs(sum[k] - v[k]) < 1e-6);
    }

    [Property(Arbitrary = [typeof(SubspaceDecompositionTests)], MaxTest = 60)]
    public bool Pythagoras_HoldsForPointsInTheModalitySubspaces(Configuration c)
    {
        // T7: x ∈ Z_s ⊕ Z_I, y ∈ Z_s ⊕ Z_T ⇒ ‖x − y‖² = ‖Π_s(x − y)‖² + ‖Π_I
        // x‖² + ‖Π_T y‖².
        var decomposition = Decompose(c, out _);
        var random = new Random(c.Seed);
        double[] Combination(params Subspace[] spaces)
        {
            var v = new double[c.D];
            foreach (var space in spaces)
            {
                var basis = space.BasisVectors();
                for (int col = 0; col < space.Rank; col++)
                {
                    double w = Sets.Gaussian(random);
                    for (int k = 0; k < c.D; k++) v[k] += w * basis[k, col];
                }
            }
            return v;
        }
        var x = Combination(decomposition.Shared, decomposition.ImageSpecific);
        var y = Combination(decomposition.Shared, decomposition.TextSpecific);
        double Norm2(double[] coordinates) => coordinates.Sum(t => t * t);
        var diff = x.Zip(y, (a, b) => (float)(a - b)).ToArray();
        double lhs = diff.Sum(t => (double)t * t);
        double rhs = Norm2(decomposition.Shared.Coordinates(diff))
            + Norm2(decomposition.ImageSpecific.Coordinates(Array.ConvertAll(x, t => (float)t)))
            + Norm2(decomposition.TextSpecific.Coordinates(Array.ConvertAll(y, t => (float)t)));
        return Math.Abs(lhs - rhs) <= 1e-5 * (1 + lhs);
    }

    [Fact]
    public void SharedFiberProduct_ContainsTheFiberProduct()
    {
        var planted = Planted.Make(300, 48, 6, 5, 5, seed: 4);
        var decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            new DecompositionOptions { RandomDirectionSamples = 50 });
        var full = new ApproximateFiberProduct(planted.Images, planted.Texts);
        var shared = decomposition.SharedFiberProduct(planted.Images, planted.Texts);
        foreach (double epsilon in new[] { 0.5, 0.8, 1.0, 1.2 })
        {
            var inShared = shared.Pairs(epsilon);
            var pairs = full.Pairs(epsilon);
            Assert.All(pairs, p => Assert.True(inShared.Contains(p.Image, p.Text)));
            Assert.True(inShared.PairCount >= pairs.PairCount);
        }
    }

    [Fact]
    public void Recovery_ImprovesWithN_AndFindsTheJointRank()
    {
        double Angle(int n, out SubspaceDecomposition decomposition)
        {
            var planted = Planted.Make(n, 96, 8, 10, 10, noise: 0.05, seed: 11);
            decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
                new DecompositionOptions { RandomDirectionSamples = 100 });
            // Signal ranks are 8 + 10 + 1: normalising the rows turns each modality's gap offset into one more
            // direction of spread (its coefficient 1.5 / ‖row‖ varies), specific to that modality.
            Assert.Equal(8, decomposition.Shared.Rank);
            Assert.Equal(19, decomposition.ImageSignalRank);
            Assert.Equal(19, decomposition.TextSignalRank);
            return Planted.LargestAngleDegrees(decomposition.Shared.Basis, planted.Shared);
        }
        double small = Angle(300, out _), large = Angle(3000, out var best);
        Assert.True(large < small, $"angle at N=3000 ({large:F3}°) should be below N=300 ({small:F3}°)");
        Assert.True(large < 2, $"largest angle {large:F3}°");
        Assert.Equal(11, best.ImageSpecific.Rank);
        Assert.Equal(11, best.TextSpecific.Rank);
    }

    [Fact]
    public void VarianceTable_AndGap_DescribeThePlantedStructure()
    {
        var planted = Planted.Make(2000, 64, 6, 5, 5, seed: 2);
        var decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            new DecompositionOptions { RandomDirectionSamples = 50 });
        foreach (var modality in Enum.GetValues<Modality>())
            Assert.Equal(1, Parts.Sum(p => decomposition.VarianceShare(modality, p)), 1e-7);
        Assert.True(decomposition.VarianceShare(Modality.Images, SubspacePart.Shared)
            + decomposition.VarianceShare(Modality.Images, SubspacePart.ImageSpecific) > 0.95);
        Assert.True(decomposition.VarianceShare(Modality.Images, SubspacePart.TextSpecific) < 0.02);
        Assert.True(decomposition.VarianceShare(Modality.Texts, SubspacePart.TextSpecific) > 0.2);
        Assert.Equal(1, Parts.Sum(decomposition.GapShare), 1e-7);
        // The gap runs along each modality's own offset direction, which row normalisation makes a direction of spread
        // of that modality alone: it lies in Z_I ⊕ Z_T, not in Z_s.
        Assert.True(decomposition.GapShare(SubspacePart.ImageSpecific)
            + decomposition.GapShare(SubspacePart.TextSpecific) > 0.9,
            $"gap shares: {string.Join(", ", Parts.Select(p => $"{p} {decomposition.GapShare(p):F3}"))}");
        Assert.True(decomposition.GapShare(SubspacePart.Shared) < 0.05);
        Assert.True(decomposition.ModalityGapLength > 0.3);

        var (images, texts) = decomposition.RemoveGap(planted.Images, planted.Texts, renormalize: false);
        var after = SubspaceDecomposition.Estimate(images, texts,
            new DecompositionOptions { JointRank = 0, ImageSignalRank = 1, TextSignalRank = 1 });
        Assert.True(after.ModalityGapLength < 1e-5);
        var (centredImages, centredTexts) = decomposition.RemoveMeans(planted.Images,
            planted.Texts, renormalize: false);
        var centred = SubspaceDecomposition.Estimate(centredImages, centredTexts,
            new DecompositionOptions { JointRank = 0, ImageSignalRank = 1, TextSignalRank = 1 });
        Assert.True(centred.ImageMean.All(m => Math.Abs(m) < 1e-6) && centred.TextMean.All(m => Math.Abs(m) < 1e-6));
        var (unitImages, _) = decomposition.RemoveGap(planted.Images, planted.Texts, fraction: 0.5);
        Assert.Equal(1, unitImages.SquaredNorm(0), 1e-6);
    }

    [Fact]
    public void WorksWhenNIsBelowD_AndWhenAModalityHasNoSpread()
    {
        var planted = Planted.Make(12, 64, 2, 2, 2, seed: 5);
        var decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            new DecompositionOptions { RandomDirectionSamples = 20 });
        Assert.True(decomposition.ImageSignalRank <= 11);
        Assert.Equal(64, Parts.Sum(p => decomposition[p].Rank));

        var constant = new EmbeddingSet(Enumerable.Repeat(0.5f, 12 * 64).ToArray(), 12, 64);
        var degenerate = SubspaceDecomposition.Estimate(planted.Images, constant,
            new DecompositionOptions { RandomDirectionSamples = 20 });
        Assert.Equal(0, degenerate.TextSignalRank);
        Assert.Equal(0, degenerate.Shared.Rank);
        Assert.Equal(64, Parts.Sum(p => degenerate[p].Rank));
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        var a = new EmbeddingSet(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        Assert.Throws<ArgumentException>(() => SubspaceDecomposition.Estimate(a, new EmbeddingSet(new float[6], 2, 3)));
        Assert.Throws<ArgumentException>(() => SubspaceDecomposition.Estimate(a, new EmbeddingSet(new float[4], 2, 2)));
        var one = new EmbeddingSet(new float[] { 1, 2 }, 1, 2);
        Assert.Throws<ArgumentException>(() => SubspaceDecomposition.Estimate(one, one));
        Assert.Throws<ArgumentOutOfRangeException>(() => SubspaceDecomposition.Estimate(a, a,
            new DecompositionOptions { ImageSignalRank = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SubspaceDecomposition.Estimate(a, a,
            new DecompositionOptions { ImageSignalRank = 1, TextSignalRank = 1, JointRank = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SubspaceDecomposition.Estimate(a, a,
            new DecompositionOptions { Percentile = 100 }));
    }
}

public class WedinSamplingTests
{
    [Theory]
    [InlineData(10, 6, 3)]   // complement larger than the residual's support (Wishart part present)
    [InlineData(6, 6, 2)]    // complement equal to the support
    [InlineData(40, 12, 5)]
    public void FrameNorm_HasTheDistributionOfTheDirectComputation(int k, int m, int r)
    {
        // Direct: a uniformly random orthonormal k × r frame Z (QR of a Gaussian), then ‖diag(s) Z₁‖₂ over
        // the first m rows.
        var random = new Random(k * 100 + m * 10 + r);
        var s = Enumerable.Range(0, m).Select(i => 1.0 + i * 0.7).ToArray();
        const int samples = 4000;
        var direct = new double[samples];
        var sampled = new double[samples];
        for (int t = 0; t < samples; t++)
        {
            var z = Matrix<double>.Build.Dense(k, r, (_, _) => Sets.Gaussian(random))
                .QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).Q;
            var scaled = Matrix<double>.Build.Dense(m, r, (i, j) => s[i] * z[i, j]);
            direct[t] = scaled.L2Norm();
            sampled[t] = RandomFrames.FrameNorm(random, s, k, r);
        }
        Array.Sort(direct);
        Array.Sort(sampled);
        foreach (double q in new[] { 0.1, 0.5, 0.9, 0.95 })
        {
            double a = direct[(int)(q * (samples - 1))], b = sampled[(int)(q * (samples - 1))];
            Assert.True(Math.Abs(a - b) < 0.03 * a, $"quantile {q}: direct {a:F4}, sampled {b:F4}");
        }
    }
}

public class CcaDecompositionTests
{
    [Fact]
    public void Cca_RecoversThePlantedSharedSubspace_WithOrthogonalParts()
    {
        var planted = Planted.Make(3000, 96, 8, 10, 10, noise: 0.05, seed: 11);
        var decomposition = SubspaceDecomposition.EstimateByCca(planted.Images, planted.Texts, 1e-3,
            new DecompositionOptions { RandomDirectionSamples = 50 });
        // Eight planted joint directions, plus one pair CCA rightly finds: row normalisation divides both rows of a
        // pair by norms that share ‖s‖, so each modality's gap coordinate correlates with the other's.
        Assert.InRange(decomposition.Shared.Rank, 8, 9);
        var cosines = planted.Shared.TransposeThisAndMultiply(decomposition.Shared.Basis).Svd(computeVectors: false).S;
        Assert.True(Math.Acos(Math.Min(1, cosines.Minimum())) * 180 / Math.PI < 3,
            "the planted Z_s lies within the estimated one");
        Assert.Equal(decomposition.CanonicalCorrelations.ToArray().OrderDescending().ToArray(),
            decomposition.CanonicalCorrelations.ToArray());
        Assert.True(decomposition.CanonicalCorrelations[7] > 0.9);
        var sum = Matrix<double>.Build.Dense(96, 96);
        foreach (var part in Enum.GetValues<SubspacePart>())
        {
            var p = Matrix<double>.Build.DenseOfArray(decomposition[part].Projector());
            Assert.True((p * p - p).FrobeniusNorm() < 1e-10);
            sum += p;
        }
        Assert.True((sum - Matrix<double>.Build.DenseIdentity(96)).FrobeniusNorm() < 1e-10);
        Assert.Null(decomposition.Bounds);
    }

    [Fact]
    public void Cca_FindsNothingShared_WhenThePairingIsBroken()
    {
        var planted = Planted.Make(1000, 48, 4, 4, 4, seed: 3);
        // Shuffle the texts: the subspaces still overlap, but paired scores no longer correlate.
        var random = new Random(1);
        var order = Enumerable.Range(0, 1000).ToArray();
        random.Shuffle(order);
        var shuffled = EmbeddingSet.FromRows(order.Select(i => planted.Texts.Row(i).ToArray()).ToList());
        var decomposition = SubspaceDecomposition.EstimateByCca(planted.Images, shuffled, 1e-3,
            new DecompositionOptions { RandomDirectionSamples = 50 });
        Assert.Equal(0, decomposition.Shared.Rank);
        // AJIVE, which ignores the pairing, still sees the shared directions.
        Assert.Equal(4, SubspaceDecomposition.Estimate(planted.Images, shuffled,
            new DecompositionOptions { RandomDirectionSamples = 50, WedinSamples = 50 }).Shared.Rank);
    }

    [Fact]
    public void Cca_RejectsABadRidge()
    {
        var a = new EmbeddingSet(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => SubspaceDecomposition.EstimateByCca(a, a, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SubspaceDecomposition.EstimateByCca(a, a, double.NaN));
    }
}

public class WideDataTests
{
    [Fact]
    public void FewerPairsThanDimensions_UseTheGramSide_AndRecoverThePlantedRanks()
    {
        // N = 80 pairs in R^1024: the signal subspaces come from the 80 × 80 Gram matrices.
        var planted = Planted.Make(80, 1024, 5, 4, 4, noise: 0.01, seed: 8);
        var decomposition = SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            new DecompositionOptions { RandomDirectionSamples = 50, WedinSamples = 50 });
        Assert.Equal(5, decomposition.Shared.Rank);
        Assert.True(Planted.LargestAngleDegrees(decomposition.Shared.Basis, planted.Shared) < 5);
        Assert.Equal(1024, Enum.GetValues<SubspacePart>().Sum(p => decomposition[p].Rank));
        foreach (var modality in Enum.GetValues<Modality>())
            Assert.Equal(1, Enum.GetValues<SubspacePart>().Sum(p => decomposition.VarianceShare(modality, p)), 1e-6);
    }
}

public class DecompositionExecutionTests
{
    [Fact]
    public void Estimation_ReportsProgress_AndHonoursCancellation()
    {
        var planted = Planted.Make(200, 32, 3, 3, 3, seed: 9);
        var reports = new List<double>();
        var progress = new Progress(reports);
        SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            new DecompositionOptions { RandomDirectionSamples = 20, WedinSamples = 20 }, progress);
        Assert.Equal(1, reports[^1]);
        Assert.Equal(reports.Order().ToList(), reports);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SubspaceDecomposition.Estimate(planted.Images, planted.Texts,
            cancellationToken: cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => SubspaceDecomposition.EstimateByCca(planted.Images,
            planted.Texts, 1e-3, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void SameSeed_SameDecomposition()
    {
        var planted = Planted.Make(300, 40, 3, 3, 3, seed: 10);
        var options = new DecompositionOptions { RandomDirectionSamples = 30, WedinSamples = 30, Seed = 42 };
        var a = SubspaceDecomposition.Estimate(planted.Images, planted.Texts, options);
        var b = SubspaceDecomposition.Estimate(planted.Images, planted.Texts, options);
        Assert.Equal(a.Bounds, b.Bounds);
        Assert.Equal(a.Shared.BasisVectors(), b.Shared.BasisVectors());
    }

    private sealed class Progress(List<double> reports) : IProgress<double>
    {
        public void Report(double value) => reports.Add(value);
    }
}

public class GeneralizedEigenvalueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(126)]
    public void LargestGeneralisedEigenvalue_MatchesADenseEigensolver(int r)
    {
        var random = new Random(r);
        var g = Matrix<double>.Build.Dense(3 * r + 2, r, (_, _) => Sets.Gaussian(random));
        var h = Matrix<double>.Build.Dense(r + 3, r, (_, _) => Sets.Gaussian(random));
        var w = g.TransposeThisAndMultiply(g);
        var a = h.TransposeThisAndMultiply(h);
        double expected = (w.Inverse() * a).Evd().EigenValues.Max(e => e.Real);
        double actual = GeneralizedEigenvalue.Largest(a.ToRowMajorArray(), w.ToRowMajorArray(), r);
        Assert.Equal(expected, actual, expected * 1e-10);
    }
}
