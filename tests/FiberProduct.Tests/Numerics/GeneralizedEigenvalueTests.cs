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
        // A = diag(a), W = diag(w): the generalised eigenvalues are a_i / w_i. Power iteration with a Rayleigh quotient
        // never overshoots the largest and never ends below the second; it is accurate to 10⁻⁶ once the two are 10
        // % apart (with a smaller gap it stops on a small change per step: a slight underestimate).
        int r = size % 10 + 1;
        var random = new Random(seed);
        var a = Enumerable.Range(0, r).Select(_ => random.NextDouble() * 10).ToArray();
        var w = Enumerable.Range(0, r).Select(_ => 0.1 + random.NextDouble()).ToArray();
        var ratios = Enumerable.Range(0, r).Select(i => a[i] / w[i]).OrderDescending().ToArray();
        double expected = ratios[0], second = r > 1 ? ratios[1] : 0;
        double actual = GeneralizedEigenvalue.Largest(
            Matrix<double>.Build.DiagonalOfDiagonalArray(a).ToRowMajorArray(),
                Matrix<double>.Build.DiagonalOfDiagonalArray(w).ToRowMajorArray(), r);
        bool bracketed = actual <= expected * (1 + 1e-12) && actual >= second * (1 - 1e-12);
        return bracketed && (second > 0.9 * expected || Math.Abs(actual - expected) <= 1e-6 * expected);
    }
}
