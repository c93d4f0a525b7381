using System.Numerics.Tensors;

namespace FiberProduct.Numerics;

/// <summary>
/// The largest generalised eigenvalue of a small symmetric pencil, for the resampled bounds that need one per sample.
/// </summary>
/// <remarks>
/// Hand-written rather than MathNet's Cholesky and EVD: the pencils are r × r with r a signal rank (tens), solved
/// hundreds of times per decomposition, and row-major arrays with one Cholesky, two triangular solves and a power
/// iteration need no matrix objects and give the same bits on every run.
/// </remarks>
internal static class GeneralizedEigenvalue
{
    /// <summary>
    /// The largest λ with A v = λ W v, for A symmetric positive semidefinite and W symmetric positive definite (r
    /// × r, row-major): the largest eigenvalue of M = L⁻¹ A L⁻ᵀ with W = LLᵀ, by power iteration on M with
    /// the Rayleigh quotient, which converges fast enough for a percentile of resampled values (relative
    /// change below 1e-10).
    /// </summary>
    public static double Largest(double[] a, double[] w, int r)
    {
        var l = Cholesky(w, r);
        // X = L⁻¹ A (forward substitution, column by column of A), then M = L⁻¹ Xᵀ.
        var x = ForwardSolve(l, a, r);
        var xt = new double[r * r];
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) xt[i * r + j] = x[j * r + i];
        var m = ForwardSolve(l, xt, r);
        var v = new double[r];
        var next = new double[r];
        // generic start, not orthogonal to the top eigenvector
        for (int i = 0; i < r; i++) v[i] = 1 / Math.Sqrt(r) * (1 + 0.01 * i);
        double lambda = 0;
        for (int iteration = 0; iteration < 500; iteration++)
        {
            for (int i = 0; i < r; i++) next[i] = TensorPrimitives.Dot<double>(m.AsSpan(i * r, r), v);
            double rayleigh = TensorPrimitives.Dot<double>(v, next);
            double norm = TensorPrimitives.Norm<double>(next);
            if (norm == 0) return 0;
            for (int i = 0; i < r; i++) v[i] = next[i] / norm;
            if (Math.Abs(rayleigh - lambda) <= 1e-10 * Math.Abs(rayleigh)) return rayleigh;
            lambda = rayleigh;
        }
        return lambda;
    }

    /// <summary>
    /// The lower Cholesky factor L of a symmetric positive (semi)definite r × r matrix W = LLᵀ (row-major). A pivot
    /// that rounding drives to zero or below is replaced by the smallest positive double, so a singular W gives a huge
    /// but finite factor instead of NaN.
    /// </summary>
    public static double[] Cholesky(double[] w, int r)
    {
        var l = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = w[i * r + j];
                for (int k = 0; k < j; k++) sum -= l[i * r + k] * l[j * r + k];
                l[i * r + j] = i == j ? Math.Sqrt(Math.Max(sum, double.Epsilon)) : sum / l[j * r + j];
            }
        return l;
    }

    /// <summary>Solves L X = B for X (all r × r, row-major), L lower triangular.</summary>
    public static double[] ForwardSolve(double[] l, double[] b, int r)
    {
        var x = new double[r * r];
        for (int i = 0; i < r; i++)
        {
            var row = x.AsSpan(i * r, r);
            b.AsSpan(i * r, r).CopyTo(row);
            for (int k = 0; k < i; k++)
                TensorPrimitives.MultiplyAdd(x.AsSpan(k * r, r), -l[i * r + k], row, row);
            TensorPrimitives.Divide(row, l[i * r + i], row);
        }
        return x;
    }
}
