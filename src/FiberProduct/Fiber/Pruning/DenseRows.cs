using System.Numerics;
using System.Runtime.CompilerServices;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// The little dense linear algebra the principal axes need, on row-major matrices: dot products, axpy, modified
/// Gram–Schmidt, the departure from orthonormality, the transpose, and packing rows or columns as the "texts" of the
/// tile kernel (which computes every matrix product here).
/// </summary>
/// <remarks>
/// Own vector loops rather than TensorPrimitives: inlined into the AggressiveOptimization callers, they run at full
/// speed from the first call (a library generic starts in tier 0, and a single cold query never leaves it).
/// </remarks>
internal static class DenseRows
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = Vector<double>.Zero;
        int c = 0, w = Vector<double>.Count;
        for (; c <= x.Length - w; c += w) sum += new Vector<double>(x[c..]) * new Vector<double>(y[c..]);
        double total = Vector.Sum(sum);
        for (; c < x.Length; c++) total += x[c] * y[c];
        return total;
    }

    /// <summary>y ← y + αx.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var a = new Vector<double>(alpha);
        int c = 0, w = Vector<double>.Count;
        for (; c <= x.Length - w; c += w) (new Vector<double>(y[c..]) + a * new Vector<double>(x[c..])).CopyTo(y[c..]);
        for (; c < x.Length; c++) y[c] += alpha * x[c];
    }

    /// <summary>
    /// Orthonormalises the first <paramref name="count"/> rows (of length d) in place by modified Gram–Schmidt,
    /// applied twice ("twice is enough") unless one pass is enough for the purpose, dropping rows that keep less than
    /// 10^-8 of their norm; returns how many remain (at the front).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Orthonormalize(double[] rows, int count, int d, int passes = 2)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            var v = rows.AsSpan(i * d, d);
            double before = Math.Sqrt(Dot(v, v));
            for (int pass = 0; pass < passes; pass++)
                for (int j = 0; j < kept; j++)
                {
                    var qj = rows.AsSpan(j * d, d);
                    Axpy(-Dot(qj, v), qj, v);
                }
            double after = Math.Sqrt(Dot(v, v));
            if (!(after > 1e-8 * before)) continue;
            var target = rows.AsSpan(kept * d, d);
            for (int c = 0; c < d; c++) target[c] = v[c] / after;
            kept++;
        }
        return kept;
    }

    /// <summary>‖B Bᵀ − I‖_F for orthonormal rows B (count × d), in float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Orthogonality(double[] rows, int count, int d)
    {
        double sum = 0;
        for (int i = 0; i < count; i++)
            for (int j = 0; j <= i; j++)
            {
                double e = Dot(rows.AsSpan(i * d, d), rows.AsSpan(j * d, d)) - (i == j ? 1 : 0);
                sum += (i == j ? 1 : 2) * e * e;
            }
        return Math.Sqrt(sum);
    }

    /// <summary>The transpose of a rows × columns row-major matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Transpose(float[] m, int rows, int columns)
    {
        var result = new float[m.Length];
        for (int i0 = 0; i0 < rows; i0 += 16)
            for (int j0 = 0; j0 < columns; j0 += 16)
                for (int i = i0; i < Math.Min(rows, i0 + 16); i++)
                    for (int j = j0; j < Math.Min(columns, j0 + 16); j++) result[j * rows + i] = m[i * columns + j];
        return result;
    }

    /// <summary>Panels of 16 that hold <paramref name="count"/> packed rows.</summary>
    public static int Panels(int count) => (count + JoinOperands.PanelWidth - 1) / JoinOperands.PanelWidth;

    /// <summary>
    /// The first <paramref name="count"/> rows of a float64 matrix, rounded to float32 and packed as the "texts" of the
    /// tile kernel.
    /// </summary>
    public static float[] PackRows(double[] rows, int count, int d)
    {
        var single = new float[count * d];
        for (int i = 0; i < single.Length; i++) single[i] = (float)rows[i];
        return JoinOperands.Pack(single, count, d, Panels(count));
    }

    /// <summary>
    /// The columns of a rows × columns row-major matrix packed as the "texts" of the tile kernel (what packing its
    /// transpose gives, without the transpose): panel p, coordinate k, lane l holds m[k, 16p + l], a contiguous run.
    /// </summary>
    public static float[] PackColumns(float[] m, int rows, int columns)
    {
        const int Width = JoinOperands.PanelWidth;
        int panels = Panels(columns);
        var packed = new float[panels * Width * rows];
        for (int p = 0; p < panels; p++)
        {
            int lanes = Math.Min(Width, columns - p * Width);
            for (int k = 0; k < rows; k++)
                m.AsSpan(k * columns + p * Width, lanes).CopyTo(packed.AsSpan((p * rows + k) * Width));
        }
        return packed;
    }
}
