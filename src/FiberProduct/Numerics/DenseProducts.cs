using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Numerics;

/// <summary>
/// Small dense products computed on the calling thread. MathNet's managed provider multiplies on threads of its own
/// once the matrices' orders add up to 64 (<c>Control.ParallelizeOrder</c>), which breaks a caller's thread limit and
/// nests parallel loops inside parallel loops; the products here stay on the thread that asks, so the execution scope
/// around them decides how many threads run.
/// </summary>
internal static class DenseProducts
{
    /// <summary>AᵀB for matrices given by their columns (each contiguous, all of one length): entry (j, k) = ⟨a_j,
    /// b_k⟩.</summary>
    public static Matrix<double> TransposeTimes(double[][] a, double[][] b) =>
        Matrix<double>.Build.Dense(a.Length, b.Length, (j, k) => TensorPrimitives.Dot<double>(a[j], b[k]));

    /// <summary>AB, the inner index summed in order.</summary>
    public static Matrix<double> Times(Matrix<double> a, Matrix<double> b)
    {
        int m = a.RowCount, inner = a.ColumnCount, n = b.ColumnCount;
        var left = a.ToRowArrays();
        var right = b.ToColumnArrays();
        return Matrix<double>.Build.Dense(m, n, (i, j) => TensorPrimitives.Dot<double>(left[i], right[j]));
    }

    /// <summary>
    /// The Gram matrix GᵀG (r × r, row-major) of the first <paramref name="rows"/> entries of the given columns:
    /// entry (a, b) = Σ_{i &lt; rows} g_a[i]·g_b[i].
    /// </summary>
    public static double[] Gram(double[][] columns, int rows)
    {
        int r = columns.Length;
        var gram = new double[r * r];
        for (int a = 0; a < r; a++)
            for (int b = a; b < r; b++)
                gram[a * r + b] = gram[b * r + a] = TensorPrimitives.Dot<double>(columns[a].AsSpan(0, rows),
                    columns[b].AsSpan(0, rows));
        return gram;
    }
}
