using FiberProduct.Numerics;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Tests.Numerics;

public class GeneralizedEigenvalueTests
{
    private static Matrix<double> Spd(Random random, int r) // G Gᵀ + I: symmetric positive definite
    {
        var g = Matrix<double>.Build.Dense(r, r, (_, _) => random.NextDouble() - 0.5);
        return g * g.Transpose() + Matrix<double>.Build.DenseIdentity(r);
    }

    [Property(MaxTest = 100)]
    public bool Cholesky_ReproducesTheMatrix_AndForwardSolveInvertsIt(byte size, int seed)
    {
        int r = size % 12 + 1;
        var random = new Random(seed);
        var w = Spd(random, r);
        var l = Matrix<double>.Build.DenseOfRowMajor(r, r, GeneralizedEigenvalue.Cholesky(w.ToRowMajorArray(), r));
        var b = Matrix<double>.Build.Dense(r, r, (_, _) => random.NextDouble());
        var x = Matrix<double>.Build.DenseOfRowMajor(r, r,
            GeneralizedEigenvalue.ForwardSolve(l.ToRowMajorArray(), b.ToRowMajorArray(), r));
        return (l * l.Transpose() - w).FrobeniusNorm() <= 1e-12 * w.FrobeniusNorm()
            && (l * x - b).FrobeniusNorm() <= 1e-10
            && Enumerable.Range(0, r).All(i => Enumerable.Range(i + 1, r - i - 1).All(j => l[i, j] == 0));
    }

    [Property(MaxTest = 100)]
    public bool Largest_OfADiagonalPencil_IsTheLargestRatio(byte size, int seed)
    {
        // A = diag(a), W = diag(w): the generalised eigenvalues are a_i / w_i, the largest found to rounding, however
        // close the second (ties included: a repeats values on purpose).
        int r = size % 130 + 1;
        var random = new Random(seed);
        var tie = Enumerable.Range(0, r).Select(_ => random.Next(3) == 0).ToArray(); // ratio 10, repeated
        var a = Enumerable.Range(0, r).Select(i => tie[i] ? 5.0 : random.NextDouble() * 10).ToArray();
        var w = Enumerable.Range(0, r).Select(i => tie[i] ? 0.5 : 0.1 + random.NextDouble()).ToArray();
        var ratios = Enumerable.Range(0, r).Select(i => a[i] / w[i]).OrderDescending().ToArray();
        double expected = ratios[0];
        double actual = GeneralizedEigenvalue.Largest(
            Matrix<double>.Build.DiagonalOfDiagonalArray(a).ToRowMajorArray(),
                Matrix<double>.Build.DiagonalOfDiagonalArray(w).ToRowMajorArray(), r);
        return Math.Abs(actual - expected) <= 1e-13 * expected;
    }
}
