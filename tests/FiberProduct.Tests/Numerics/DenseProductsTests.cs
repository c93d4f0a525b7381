using FiberProduct.Numerics;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Tests.Numerics;

public class DenseProductsTests
{
    [Property(MaxTest = 50)]
    public bool Products_AgreeWithMathNet(byte rows, byte inner, byte columns, int seed)
    {
        int m = rows % 80 + 1, k = inner % 80 + 1, n = columns % 80 + 1;
        var random = new Random(seed);
        var a = Matrix<double>.Build.Dense(m, k, (_, _) => random.NextDouble() - 0.5);
        var b = Matrix<double>.Build.Dense(k, n, (_, _) => random.NextDouble() - 0.5);
        var c = Matrix<double>.Build.Dense(m, n, (_, _) => random.NextDouble() - 0.5);
        double tolerance = 1e-12 * k;
        bool times = (DenseProducts.Times(a, b) - a * b).Enumerate().All(x => Math.Abs(x) <= tolerance);
        bool transpose =
            (DenseProducts.TransposeTimes(a.ToColumnArrays(), c.ToColumnArrays()) - a.TransposeThisAndMultiply(c))
            .Enumerate().All(x => Math.Abs(x) <= 1e-12 * m);
        var gram = Matrix<double>.Build.DenseOfRowMajor(k, k, DenseProducts.Gram(a.ToColumnArrays(), m));
        bool gramOk = (gram - a.TransposeThisAndMultiply(a)).Enumerate().All(x => Math.Abs(x) <= 1e-12 * m);
        return times && transpose && gramOk;
    }
}
