using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Analysis;

public class CorrelationDimensionTests
{
    /// <summary>Points uniform in a k-dimensional unit cube placed in R^d by a random rotation: intrinsic
    /// dimension k.</summary>
    private static EmbeddingSet OnSubspace(Random random, int count, int k, int d, double[,] rotation)
    {
        var values = new float[count * d];
        for (int i = 0; i < count; i++)
        {
            var u = new double[k];
            for (int j = 0; j < k; j++) u[j] = random.NextDouble();
            for (int c = 0; c < d; c++)
            {
                double s = 0;
                for (int j = 0; j < k; j++) s += rotation[c, j] * u[j];
                values[i * d + c] = (float)s;
            }
        }
        return new EmbeddingSet(values, count, d);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Estimate_RecoversTheIntrinsicDimension(int k)
    {
        const int d = 32;
        var random = new Random(k);
        var q = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(d, k, (_, _) => Sets.Gaussian(random)).QR().Q;
        var rotation = q.SubMatrix(0, d, 0, k).ToArray();
        var product = new ApproximateFiberProduct(OnSubspace(random, 1500, k, d, rotation),
            OnSubspace(random, 1500, k, d, rotation));
        var nu = CorrelationDimension.Estimate(product, resamples: 200, seed: 1);
        Assert.True(Math.Abs(nu.Dimension - k) < 0.25 * k + 0.2,
            $"k = {k}: ν = {nu.Dimension:F3} [{nu.Lower:F3}, {nu.Upper:F3}]");
        Assert.True(nu.Lower <= nu.Dimension && nu.Dimension <= nu.Upper);
        Assert.True(nu.SmallRadius < nu.LargeRadius);
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        var random = new Random(2);
        var product = new ApproximateFiberProduct(Sets.Random(random, 30, 4), Sets.Random(random, 30, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationDimension.Estimate(product, k1: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationDimension.Estimate(product, k1: 5, k2: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationDimension.Estimate(product, k1: 5, k2: 31));
        Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationDimension.Estimate(product, confidence: 1));
    }
}
