using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Tests.Fiber;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Tests.Decomposition;

/// <summary>
/// Degenerate data get their numerical rank (issue 14): rows s_i·V + offset of exact rank k, stored in float32, give
/// signal rank k (singular values below max(N, d)·2^−23·σ_max count as zero), and both estimators return a defined
/// decomposition for constant data instead of a linear-algebra exception.
/// </summary>
public class NumericalRankTests
{
    /// <summary>N rows of exact rank k (Gaussian scores on k orthonormal directions of R^d) plus a common offset, as
    /// float32.</summary>
    internal static EmbeddingSet RankK(int n, int d, int k, int seed, double scale = 1)
    {
        var random = new Random(seed);
        var directions = k == 0 ? Matrix<double>.Build.Dense(d, 0)
            : Matrix<double>.Build.Dense(d, k, (_, _) => Sets.Gaussian(random)).QR().Q.SubMatrix(0, d, 0, k);
        var offset = Enumerable.Range(0, d).Select(_ => Sets.Gaussian(random)).ToArray();
        var values = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            var scores = Enumerable.Range(0, k).Select(_ => Sets.Gaussian(random)).ToArray();
            for (int j = 0; j < d; j++)
            {
                double v = offset[j];
                for (int c = 0; c < k; c++) v += scale * scores[c] * directions[j, c];
                values[i * d + j] = (float)v;
            }
        }
        return new EmbeddingSet(values, n, d);
    }

    [Theory]
    [InlineData(200, 32, 0)]
    [InlineData(200, 32, 1)]
    [InlineData(200, 32, 2)]
    [InlineData(200, 32, 7)]
    [InlineData(200, 32, 15)] // the largest rank whose median singular value is still 0: 15 of 31
    [InlineData(20, 64, 0)]   // N ≤ d: the Gram route
    [InlineData(20, 64, 1)]
    [InlineData(20, 64, 2)]
    [InlineData(20, 64, 9)]
    [InlineData(4, 5, 1)]
    public void PlantedExactRank_IsTheSignalRank(int n, int d, int k)
    {
        var images = RankK(n, d, k, seed: 100 + k);
        var texts = RankK(n, d, k, seed: 200 + k, scale: 1e-3); // the rule is scale-free
        var decomposition = SubspaceDecomposition.Estimate(images, texts,
            new DecompositionOptions { RandomDirectionSamples = 20, WedinSamples = 20 });
        Assert.Equal(k, decomposition.ImageSignalRank);
        Assert.Equal(k, decomposition.TextSignalRank);
        Assert.Equal(d, Enum.GetValues<SubspacePart>().Sum(p => decomposition[p].Rank));
    }

    [Fact]
    public void RankOneData_OfTheIssue_GetRankOne_AndItsDirection()
    {
        // N = 200, d = 32, rows exactly s_i·v (the issue's case gave signal rank 15).
        var images = RankK(200, 32, 1, seed: 7);
        var decomposition = SubspaceDecomposition.Estimate(images, images,
            new DecompositionOptions { RandomDirectionSamples = 20 });
        Assert.Equal(1, decomposition.ImageSignalRank);
        Assert.Equal(1, decomposition.Shared.Rank); // identical modalities: the one direction is shared
        Assert.Equal(1, decomposition.VarianceShare(Modality.Images, SubspacePart.Shared), 1e-9);
    }

    [Fact]
    public void GivenRank_AboveTheNumericalRank_GetsOrthonormalDirections()
    {
        // N ≤ d (Gram route): V = X_cᵀUΣ⁻¹ is undefined where Σ is 0; the extra columns complete the basis.
        var images = RankK(10, 40, 2, seed: 3);
        var decomposition = SubspaceDecomposition.Estimate(images, images,
            new DecompositionOptions { ImageSignalRank = 5, TextSignalRank = 5, JointRank = 0 });
        var basis = Matrix<double>.Build.DenseOfArray(decomposition.ImageSpecific.BasisVectors());
        Assert.Equal(5, basis.ColumnCount);
        Assert.True((basis.TransposeThisAndMultiply(basis) - Matrix<double>.Build.DenseIdentity(5))
            .FrobeniusNorm() < 1e-10);
    }

    [Theory]
    [InlineData(200, 32)]
    [InlineData(12, 64)]
    public void ConstantData_GiveRankZero_InBothEstimators(int n, int d)
    {
        var constant = new EmbeddingSet(Enumerable.Range(0, n * d).Select(i => 0.1f * (i % d) - 0.7f).ToArray(), n, d);
        var cca = SubspaceDecomposition.EstimateByCca(constant, constant, 0.1,
            new DecompositionOptions { RandomDirectionSamples = 20 });
        Assert.Equal(0, cca.ImageSignalRank);
        Assert.Equal(0, cca.Shared.Rank);
        Assert.True(cca.CanonicalCorrelations.IsEmpty);
        Assert.Equal(d, cca.Residual.Rank);
        Assert.Equal(0, cca.VarianceShare(Modality.Images, SubspacePart.Residual));
        var ajive = SubspaceDecomposition.Estimate(constant, constant,
            new DecompositionOptions { RandomDirectionSamples = 20 });
        Assert.Equal(0, ajive.ImageSignalRank);
        Assert.Equal(d, ajive.Residual.Rank);

        // One constant modality, the other of rank 3: a joint rank of 0, no correlations.
        var varied = RankK(n, d, 3, seed: 1);
        var half = SubspaceDecomposition.EstimateByCca(varied, constant, 0,
            new DecompositionOptions { RandomDirectionSamples = 20 });
        Assert.Equal(3, half.ImageSignalRank);
        Assert.Equal(0, half.Shared.Rank);
        Assert.True(half.CanonicalCorrelations.IsEmpty);
    }

    [Fact]
    public void NonConvergence_IsReportedInTheLibrarysOwnType()
    {
        var inner = new MathNet.Numerics.NonConvergenceException("no");
        var images = RankK(3, 2, 1, seed: 1);
        var e = Assert.Throws<DecompositionConvergenceException>(
            () => Estimation.Converged<int>(() => throw inner, "Estimate", images));
        Assert.Same(inner, e.InnerException);
        Assert.Contains("Estimate", e.Message, StringComparison.Ordinal);
        // from parallel resampling, wrapped in an AggregateException
        Assert.Throws<DecompositionConvergenceException>(
            () => Estimation.Converged<int>(() => throw new AggregateException(inner), "EstimateByCca", images));
        Assert.Throws<InvalidOperationException>(
            () => Estimation.Converged<int>(() => throw new InvalidOperationException(), "Estimate", images));
    }
}
