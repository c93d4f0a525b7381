using System.Numerics.Tensors;

namespace FiberProduct.Numerics;

/// <summary>
/// The largest generalised eigenvalue of a small symmetric pencil, for the resampled bounds that need one per sample.
/// </summary>
/// <remarks>
/// Hand-written rather than MathNet's Cholesky and EVD: the pencils are r × r with r a signal rank (tens), solved
/// hundreds of times per decomposition, and row-major arrays with one Cholesky, two triangular solves and a
/// tridiagonal reduction need no matrix objects and give the same bits on every run. (A power iteration did this
/// before; on two pencils probed at r = 77 and 126 the close top eigenvalues kept it running to its 500-step cap, a
/// slight underestimate at about twice the cost.)
/// </remarks>
internal static class GeneralizedEigenvalue
{
    /// <summary>
    /// The largest λ with A v = λ W v, for A symmetric positive semidefinite and W symmetric positive definite (r
    /// × r, row-major): the largest eigenvalue of M = L⁻¹ A L⁻ᵀ with W = LLᵀ (<see cref="LargestSymmetric"/>).
    /// </summary>
    public static double Largest(double[] a, double[] w, int r)
    {
        var l = Cholesky(w, r);
        // X = L⁻¹ A (forward substitution, column by column of A), then M = L⁻¹ Xᵀ.
        var x = ForwardSolve(l, a, r);
        var xt = new double[r * r];
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) xt[i * r + j] = x[j * r + i];
        var m = ForwardSolve(l, xt, r);
        for (int i = 0; i < r; i++) // symmetric but for rounding: made exactly so
            for (int j = 0; j < i; j++) m[i * r + j] = m[j * r + i] = (m[i * r + j] + m[j * r + i]) / 2;
        return LargestSymmetric(m, r);
    }

    /// <summary>
    /// The largest eigenvalue of a symmetric r × r matrix (row-major; overwritten): Householder reflections reduce it
    /// to a tridiagonal matrix with the same eigenvalues, whose largest bisection on Sturm counts finds to the last
    /// bits.
    /// </summary>
    internal static double LargestSymmetric(double[] m, int r)
    {
        var (diagonal, off) = Tridiagonal(m, r);
        // Gershgorin's discs hold every eigenvalue; then halve [lo, hi] while it keeps the largest (all r below hi).
        double lo = double.MaxValue, hi = double.MinValue;
        for (int i = 0; i < r; i++)
        {
            double radius = (i > 0 ? Math.Abs(off[i - 1]) : 0) + (i < r - 1 ? Math.Abs(off[i]) : 0);
            lo = Math.Min(lo, diagonal[i] - radius);
            hi = Math.Max(hi, diagonal[i] + radius);
        }
        while (true)
        {
            double mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi) return hi;
            if (CountBelow(diagonal, off, mid) == r) hi = mid; else lo = mid;
        }
    }

    /// <summary>The diagonal and the off-diagonal (off[k] couples k and k + 1) of QᵀMQ, tridiagonal, by Householder
    /// reflections I − 2vvᵀ applied as rank-2 updates of the trailing block.</summary>
    private static (double[] Diagonal, double[] Off) Tridiagonal(double[] m, int r)
    {
        double[] diagonal = new double[r], off = new double[Math.Max(r - 1, 0)], v = new double[r], q = new double[r];
        for (int k = 0; k < r - 2; k++)
        {
            int n = r - k - 1, start = (k + 1) * r + k + 1;
            diagonal[k] = m[k * r + k];
            var x = m.AsSpan(k * r + k + 1, n); // column k below the diagonal, as row k right of it
            double norm = TensorPrimitives.Norm<double>(x);
            if (norm == 0) continue;
            off[k] = x[0] > 0 ? -norm : norm; // the sign that avoids cancellation in v = x − off·e₁
            Span<double> vk = v.AsSpan(0, n), qk = q.AsSpan(0, n);
            x.CopyTo(vk);
            vk[0] -= off[k];
            TensorPrimitives.Divide(vk, TensorPrimitives.Norm<double>(vk), vk);
            // B ← HBH = B − 2(v qᵀ + q vᵀ) with p = Bv and q = p − (vᵀp)v.
            for (int i = 0; i < n; i++) qk[i] = TensorPrimitives.Dot<double>(m.AsSpan(start + i * r, n), vk);
            TensorPrimitives.MultiplyAdd(vk, -TensorPrimitives.Dot<double>(vk, qk), qk, qk);
            for (int i = 0; i < n; i++)
            {
                var row = m.AsSpan(start + i * r, n);
                TensorPrimitives.MultiplyAdd(qk, -2 * vk[i], row, row);
                TensorPrimitives.MultiplyAdd(vk, -2 * qk[i], row, row);
            }
        }
        for (int k = Math.Max(r - 2, 0); k < r; k++) diagonal[k] = m[k * r + k];
        if (r >= 2) off[r - 2] = m[(r - 2) * r + r - 1];
        return (diagonal, off);
    }

    /// <summary>How many eigenvalues of the tridiagonal matrix lie below x: the negative pivots of T − xI
    /// (Sylvester's law of inertia), a zero pivot nudged to a tiny one.</summary>
    private static int CountBelow(double[] diagonal, double[] off, double x)
    {
        int count = 0;
        double pivot = 1;
        for (int i = 0; i < diagonal.Length; i++)
        {
            double coupling = i > 0 ? off[i - 1] * off[i - 1] / pivot : 0;
            pivot = diagonal[i] - x - coupling;
            if (pivot == 0) pivot = -1e-300;
            if (pivot < 0) count++;
        }
        return count;
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
