using System.Runtime.CompilerServices;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// Orthonormal rows (Count × d, float64) and their measured departure from orthonormality (NaN: none claimed).
/// </summary>
internal sealed record Basis(double[] Rows, int Count, int Dimension, double Orthogonality);

/// <summary>
/// The axes the pruning heads are taken along. E‖x − y‖² along a unit q is qᵀ(C_x + C_y + δδᵀ)q, δ = μ_x
/// − μ_y, so the leading eigenvectors of that matrix capture the most distance; an orthogonal change of basis keeps
/// every distance.
/// </summary>
internal static class PrincipalAxes
{
    /// <summary>Rows per side the principal axes are estimated from.</summary>
    public const int CovarianceRows = 1024;

    /// <summary>Rows per side of the cheap screening span.</summary>
    public const int ScreeningRows = 96;

    /// <summary>
    /// An orthonormal basis of the span of 96 evenly spaced rows per side (centred) and the mean difference, by
    /// modified Gram–Schmidt: no eigendecomposition. It decides that nothing prunes, and starts the principal axes.
    /// No rounding bound is claimed for it (NaN): heads are never quantised along it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Basis? SampledSpan(EmbeddingSet images, EmbeddingSet texts)
    {
        int d = images.Dimension;
        var (a, n) = Differences(images, texts, ScreeningRows);
        var rows = new double[a.Length];
        for (int i = 0; i < a.Length; i++) rows[i] = a[i];
        // One pass: the span only estimates, and seeds the principal axes, which are orthonormalised again.
        int r = DenseRows.Orthonormalize(rows, n, d, passes: 1);
        return r == 0 ? null : new Basis(rows[..(r * d)], r, d, double.NaN);
    }

    /// <summary>
    /// At most <paramref name="most"/> principal axes, estimated from up to 1,024 evenly spaced rows per side by
    /// Rayleigh–Ritz on a subspace (<paramref name="start"/> after one step of subspace iteration) instead of a d
    /// × d eigendecomposition; with their measured departure from orthonormality, or null if that exceeds 10^-6.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Basis? Fit(EmbeddingSet images, EmbeddingSet texts, Basis start, int most, ExecutionScope scope)
    {
        int d = images.Dimension;
        // A = [X_c/√n_x; Y_c/√n_y; δ] has AᵀA = C_x + C_y + δδᵀ; heads of A's rows along q are A q.
        var (a, n) = Differences(images, texts, CovarianceRows);
        var packedColumns = DenseRows.PackColumns(a, n, d);
        var q = start.Rows;
        int r = start.Count;
        // Q ← orth(Q AᵀA): one step of subspace iteration (float32 products; only the directions matter). On the
        // tiled CLIP pairs the sampled span alone let 75 % of tiles be skipped where the d × d eigendecomposition let
        // 91 %; after one step, 90 %; a second step did not make the join faster.
        var aq = RangeJoin.Products(a, n, d, DenseRows.PackRows(q, r, d), r, null, scope);
        var projections = DenseRows.Transpose(aq, n, r);
        var next = RangeJoin.Products(projections, r, n, packedColumns, d, null, scope);
        q = new double[r * d];
        for (int i = 0; i < q.Length; i++) q[i] = next[i];
        r = DenseRows.Orthonormalize(q, r, d);
        if (r == 0) return null;
        scope.ThrowIfCancelled();
        // Rayleigh–Ritz: T = Q AᵀA Qᵀ = PᵀP with P = A Qᵀ; its eigenvectors V give the Ritz vectors Vᵀ Q.
        var p = DenseRows.Transpose(RangeJoin.Products(a, n, d, DenseRows.PackRows(q, r, d), r, null, scope), n, r);
        var gram = RangeJoin.Products(p, r, n, JoinOperands.Pack(p, r, n, DenseRows.Panels(r)), r, null, scope);
        var t = Matrix<double>.Build.Dense(r, r, (i, j) => 0.5 * ((double)gram[i * r + j] + gram[j * r + i]));
        var evd = t.Evd(Symmetricity.Symmetric);
        scope.ThrowIfCancelled();
        double top = Enumerable.Range(0, r).Select(i => evd.EigenValues[i].Real).DefaultIfEmpty(0).Max();
        var order = Enumerable.Range(0, r).Where(i => evd.EigenValues[i].Real > 1e-10 * top)
            .OrderByDescending(i => evd.EigenValues[i].Real).Take(most).ToArray();
        if (order.Length == 0) return null;
        var basis = new double[order.Length * d];
        for (int k = 0; k < order.Length; k++)
        {
            var target = basis.AsSpan(k * d, d);
            for (int j = 0; j < r; j++) DenseRows.Axpy(evd.EigenVectors[j, order[k]], q.AsSpan(j * d, d), target);
        }
        double orthogonality = DenseRows.Orthogonality(basis, order.Length, d);
        return orthogonality > 1e-6 ? null : new Basis(basis, order.Length, d, orthogonality);
    }

    /// <summary>
    /// Evenly spaced rows of both sets centred by their sample means and scaled by 1/√n, and the mean difference: the
    /// rows of A with AᵀA = C_x + C_y + δδᵀ up to a common power of two (row-major, float32), and their number.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float[] Rows, int Count) Differences(EmbeddingSet images, EmbeddingSet texts, int perSide)
    {
        int d = images.Dimension;
        var rowsX = EvenSample.Rows(images.Count, perSide, shift: false);
        var rowsY = EvenSample.Rows(texts.Count, perSide, shift: false);
        var mx = EvenSample.Mean(images, rowsX);
        var my = EvenSample.Mean(texts, rowsY);
        int n = rowsX.Length + rowsY.Length + 1;
        // Scaled by a power of two to magnitudes near 1, so that float32 products neither underflow nor overflow (only
        // directions matter here).
        double largest = Math.Max(images.MaxMagnitude, texts.MaxMagnitude);
        double unit = largest == 0 ? 1 : Math.ScaleB(1, -Math.ILogB(largest));
        var a = new float[n * d];
        int at = 0;
        foreach (var (set, rows, mean) in new[] { (images, rowsX, mx), (texts, rowsY, my) })
        {
            double scale = unit / Math.Sqrt(rows.Length);
            foreach (int i in rows)
            {
                var row = set.Row(i);
                for (int c = 0; c < d; c++) a[at * d + c] = (float)((row[c] - mean[c]) * scale);
                at++;
            }
        }
        for (int c = 0; c < d; c++) a[at * d + c] = (float)((mx[c] - my[c]) * unit);
        return (a, n);
    }
}
