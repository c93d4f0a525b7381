using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Tests.Fiber;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Tests.Analysis;

public class CenteredKernelAlignmentTests
{
    private static Matrix<double> Centred(EmbeddingSet set)
    {
        var m = Matrix<double>.Build.Dense(set.Count, set.Dimension, (i, c) => set.Row(i)[c]);
        var means = m.ColumnSums() / set.Count;
        return Matrix<double>.Build.Dense(set.Count, set.Dimension, (i, c) => m[i, c] - means[c]);
    }

    private static EmbeddingSet Transform(EmbeddingSet set, Matrix<double> map, double scale)
    {
        var m = Matrix<double>.Build.Dense(set.Count, set.Dimension, (i, c) => set.Row(i)[c]) * map * scale;
        return new EmbeddingSet(m.ToRowArrays().SelectMany(r => r.Select(v => (float)v)).ToArray(),
            set.Count, map.ColumnCount);
    }

    [Fact]
    public void Linear_EqualsTheFeatureSpaceFormula()
    {
        // Kornblith et al., eq. (5): ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) on centred data, computed here
        // in feature space.
        var random = new Random(41);
        var x = Sets.Random(random, 40, 6);
        var y = Sets.Random(random, 40, 9);
        var (cx, cy) = (Centred(x), Centred(y));
        double expected = Math.Pow(cy.TransposeThisAndMultiply(cx).FrobeniusNorm(), 2)
            / (cx.TransposeThisAndMultiply(cx).FrobeniusNorm() * cy.TransposeThisAndMultiply(cy).FrobeniusNorm());
        Assert.Equal(expected, CenteredKernelAlignment.Linear(x, y), 1e-12);
    }

    [Fact]
    public void Rbf_EqualsTheHsicRatioByBruteForce()
    {
        var random = new Random(42);
        var x = Sets.Random(random, 25, 3);
        var y = Sets.Random(random, 25, 5);
        double Hsic(double[,] a, double[,] b)
        {
            int n = a.GetLength(0);
            var h = Matrix<double>.Build.DenseIdentity(n) - Matrix<double>.Build.Dense(n, n, 1.0 / n);
            return (Matrix<double>.Build.DenseOfArray(a) * h * Matrix<double>.Build.DenseOfArray(b) * h).Trace();
        }
        double[,] Kernel(EmbeddingSet s)
        {
            var d = new double[s.Count, s.Count];
            var all = new List<double>();
            for (int i = 0; i < s.Count; i++)
                for (int j = 0; j < s.Count; j++)
                {
                    d[i, j] = BruteForce.Distance(FiberProduct.Fiber.FiberMetric.Euclidean, s.Row(i), s.Row(j));
                    if (i < j) all.Add(d[i, j]);
                }
            all.Sort();
            double median = all.Count % 2 == 1 ? all[all.Count / 2] : (all[all.Count / 2 - 1] + all[all.Count / 2]) / 2;
            double sigma = 0.5 * median;
            for (int i = 0; i < s.Count; i++)
                for (int j = 0; j < s.Count; j++)
                    d[i, j] = Math.Exp(-d[i, j] * d[i, j] / (2 * sigma * sigma));
            return d;
        }
        var (k, l) = (Kernel(x), Kernel(y));
        double expected = Hsic(k, l) / Math.Sqrt(Hsic(k, k) * Hsic(l, l));
        Assert.Equal(expected, CenteredKernelAlignment.Rbf(x, y, bandwidthFraction: 0.5), 1e-10);
    }

    [Property(MaxTest = 25)]
    public bool Linear_IsOneOnItself_AndInvariantToRotationAndScale(int seed)
    {
        var random = new Random(seed);
        var x = Sets.Random(random, 12 + random.Next(20), 2 + random.Next(6));
        var rotation = Matrix<double>.Build.Dense(x.Dimension, x.Dimension, (_, _) => Sets.Gaussian(random)).QR().Q;
        var y = Transform(x, rotation, 0.1 + 5 * random.NextDouble());
        var z = Sets.Random(random, x.Count, 3);
        return Math.Abs(CenteredKernelAlignment.Linear(x, x) - 1) < 1e-12
            && Math.Abs(CenteredKernelAlignment.Linear(x, y) - 1) < 1e-5 // float32 rounding of the rotated set
            && Math.Abs(CenteredKernelAlignment.Linear(z, y) - CenteredKernelAlignment.Linear(z, x)) < 1e-5
            && Math.Abs(CenteredKernelAlignment.Rbf(x, y) - 1) < 1e-4;
    }

    [Fact]
    public void Null_IsUniformForIndependentSets_AndRejectsAPlantedMap()
    {
        var random = new Random(43);
        var pValues = new double[200];
        for (int r = 0; r < pValues.Length; r++)
            pValues[r] = CenteredKernelAlignment.LinearTest(Sets.Random(random, 15, 3), Sets.Random(random, 15, 4),
                permutations: 19, seed: r).PValue;
        double worst = Enumerable.Range(1, 20)
            .Max(b => Math.Abs(pValues.Count(p => p <= b / 20.0 + 1e-12) / 200.0 - b / 20.0));
        Assert.True(worst < 0.1, $"Kolmogorov distance {worst:F3}");

        var x = Sets.Random(random, 60, 5);
        var map = Matrix<double>.Build.Dense(5, 8, (_, _) => Sets.Gaussian(random));
        var y = Transform(x, map, 1);
        foreach (var test in new[] { CenteredKernelAlignment.LinearTest(x, y, permutations: 99),
            CenteredKernelAlignment.RbfTest(x, y, permutations: 99) })
        {
            Assert.Equal(0.01, test.PValue);
            Assert.True(test.Observed > test.BandUpper);
        }
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        var random = new Random(44);
        var x = Sets.Random(random, 10, 3);
        Assert.Equal("texts",
            Assert.Throws<ArgumentException>(() => CenteredKernelAlignment.Linear(x, Sets.Random(random, 9, 3)))
            .ParamName);
        Assert.Equal("images",
            Assert.Throws<ArgumentException>(() => CenteredKernelAlignment.Linear(Sets.Random(random, 1, 3),
                Sets.Random(random, 1, 3))).ParamName);
        var constant = new EmbeddingSet(new float[30], 10, 3);
        Assert.Equal("texts",
            Assert.Throws<ArgumentException>(() => CenteredKernelAlignment.Linear(x, constant)).ParamName);
        Assert.Equal("texts",
            Assert.Throws<ArgumentException>(() => CenteredKernelAlignment.Rbf(x, constant)).ParamName);
        Assert.Equal("bandwidthFraction",
            Assert.Throws<ArgumentOutOfRangeException>(() => CenteredKernelAlignment.Rbf(x, x, 0)).ParamName);
        Assert.Equal("permutations",
            Assert.Throws<ArgumentOutOfRangeException>(() => CenteredKernelAlignment.LinearTest(x, x, permutations: 0))
            .ParamName);
    }
}
