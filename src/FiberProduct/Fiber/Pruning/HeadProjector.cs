using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// Heads along a basis: a vector x becomes h̃(x) = (q_1·x, …, q_k·x, ‖x_tail‖), the k leading coordinates and
/// the norm of the rest, so that ‖h̃(x) − h̃(y)‖ ≤ ‖x − y‖ (Pythagoras and the reverse triangle
/// inequality on the tail; with k = 0 it is the norm bound |‖x‖ − ‖y‖|). Heads are float32 products with the
/// basis (for the k-d order and the cost model) or quantised to int16 in steps of a power of two (for the join: exact
/// integer dot products), each quantised head with a bound on how far it lies from the exact one, so that ε widened by
/// the bounds keeps every true pair.
/// </summary>
internal sealed class HeadProjector
{
    /// <summary>
    /// Quantised heads have norms below 2^14 (and so coordinates too): integer dot products stay far inside int32.
    /// </summary>
    public const int QuantizedBits = 14;

    private readonly int d;
    private readonly float[] packedBasis;
    private readonly double unitError;

    /// <param name="basis">Orthonormal rows with a measured departure from orthonormality.</param>
    /// <param name="quantum">The step of the int16 heads (<see cref="QuantumFor"/>).</param>
    /// <param name="unitError">How far the vectors the heads are taken of may lie from exact ones (unit vectors:
    /// 2^-23).</param>
    public HeadProjector(Basis basis, double quantum, double unitError)
    {
        d = basis.Dimension;
        Axes = basis.Count;
        Quantum = quantum;
        this.unitError = unitError;
        // The basis vectors are the "texts" of the tile kernel: heads are their dot products with the rows.
        packedBasis = DenseRows.PackRows(basis.Rows, basis.Count, d);
        // Each head coordinate is a float32 dot product with a float32 copy of a unit vector: its error is at most
        // η‖x‖ with η = γ_d (the dot product) + 2^-23 (rounding the basis and the result) + the basis' departure
        // from orthonormality (NaN for a basis that claims none: no bound, no quantised heads).
        double unit = Math.ScaleB(1, -24);
        Eta = (d + 2) * unit / (1 - (d + 2) * unit) + 2 * unit + 2 * basis.Orthogonality + 1e-15;
    }

    /// <summary>The number of axes, the largest head dimension.</summary>
    public int Axes { get; }

    /// <summary>The step heads are quantised in.</summary>
    public double Quantum { get; }

    /// <summary>The relative error η of one float32 head coordinate.</summary>
    public double Eta { get; }

    /// <summary>
    /// The step for sets whose largest norm is <paramref name="largest"/>: a power of two that keeps every head (its
    /// norm is the vector's) at most 2^14 steps, with 10^-3 to spare.
    /// </summary>
    public static double QuantumFor(double largest)
    {
        largest *= 1 + 1.0 / 1024;
        return largest == 0 ? 1 : Math.ScaleB(1, Math.ILogB(largest) + 1 - QuantizedBits);
    }

    /// <summary>
    /// The first <paramref name="width"/> float32 head coordinates of the given rows (null: all), row-major.
    /// </summary>
    public float[] Heads(EmbeddingSet set, int[]? rows, int width, ExecutionScope scope) =>
        RangeJoin.Products(set.Memory, rows?.Length ?? set.Count, d, packedBasis, width, rows, scope);

    /// <summary>
    /// The augmented heads of both sets in join order (<paramref name="rowOrder"/>, <paramref name="columnOrder"/>) at
    /// dimension <paramref name="k"/>, quantised (the texts' written straight into packed panels), with their bounds.
    /// </summary>
    public QuantizedHeads Quantize(EmbeddingSet images, int[] rowOrder, EmbeddingSet texts, int[] columnOrder, int k,
        ExecutionScope scope)
    {
        int stride = (k + 2) & ~1; // k + 1 values, zero-padded to whole coordinate pairs
        // One side after the other: each runs on every worker.
        var (x, normsX, errorX) = Quantize(images, rowOrder, k, stride, packed: false, scope);
        var (y, normsY, errorY) = Quantize(texts, columnOrder, k, stride, packed: true, scope);
        double largestY = errorY.Length == 0 ? 0 : errorY.Max();
        return new QuantizedHeads(k, x, y, stride, Quantum, normsX, normsY, errorX, largestY);
    }

    /// <summary>
    /// Quantised heads of every row of <paramref name="set"/> in the given order, k + 1 values a row (the last is the
    /// tail norm) in rows of <paramref name="stride"/>, row-major or packed; their squared norms and error bounds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (short[] Values, int[] Norms, double[] Errors) Quantize(EmbeddingSet set, int[] order, int k, int stride,
        bool packed, ExecutionScope scope)
    {
        int n = set.Count;
        // Every row is written whole (its padding too); in the packed layout the lanes past the last column are
        // cleared.
        var values = LargeArrays.AllocateUninitialized<short>((long)(packed ? (n + 15) / 16 * 16 : n) * stride);
        if (packed && n % 16 != 0) values.AsSpan(n / 16 * 16 * stride).Clear();
        var norms = new int[packed ? (n + 15) / 16 * 16 : n];
        var errors = new double[n];
        // Each micro-panel of heads is quantised as soon as the workers have it: no n × k float array.
        RangeJoin.Products(set.Memory, n, d, packedBasis, k, order,
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (i0, count, products) =>
            {
                Span<short> quantised = stackalloc short[stride]; // one row; its padding stays zero
                quantised.Clear();
                for (int i = i0; i < i0 + count; i++)
                {
                    var head = products.Slice((i - i0) * k, k);
                    (norms[i], errors[i]) = Quantize(head, set.SquaredNorm(order[i]), quantised);
                    Store(quantised, values, i, stride, packed);
                }
            }, scope);
        return (values, norms, errors);
    }

    /// <summary>
    /// Quantises one row's head (its k products and the tail norm from its squared norm) into
    /// <paramref name="quantised"/> (k + 1 values); returns its squared integer norm and how far it lies from the exact
    /// head (in the units of the vectors).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (int Norm, double Error) Quantize(ReadOnlySpan<float> row, double squared, Span<short> quantised)
    {
        int k = row.Length;
        double head = 0;
        foreach (float v in row) head += (double)v * v;
        double norm = Math.Sqrt(squared);
        double tail = Math.Sqrt(Math.Max(0, squared - head));
        // Rounding to the nearest step moves each value by at most half a step (the quantum is a power of two, so
        // v / quantum is exact).
        double inverse = 1 / Quantum;
        long sum = 0;
        for (int c = 0; c <= k; c++)
        {
            int q = (int)Math.Round((c < k ? row[c] : tail) * inverse);
            quantised[c] = (short)q;
            sum += (long)q * q;
        }
        // Every head has norm at most ‖x‖ (1 + 10^-3) ≤ 2^14 quanta; with half a step per coordinate it stays
        // below 2^14 + 9, which the kernels' int32 sums rely on.
        double largest = Math.ScaleB(1, QuantizedBits) + 9;
        if (!(sum < largest * largest))
            throw new InvalidOperationException("A quantised pruning head exceeded its range.");
        // ‖head − exact head‖ ≤ √k·η‖x‖ =: Δ; then |tail² − exact tail²| ≤ Δ(2‖x‖ + Δ) =:
        // D, so the tail is off by at most D / tail (or √D); 1e-12 covers the float64 arithmetic, 2^-148 float32
        // rounding in the subnormal range, and √(k + 1)/2 quanta the quantisation.
        double delta = Math.Sqrt(k) * OneCoordinate(norm);
        double spread = delta * (2 * norm + delta) + (k + 4) * Math.ScaleB(squared, -52); // + the float64 sums
        double tailError = tail > 0 ? Math.Min(Math.Sqrt(spread), spread / tail) : Math.Sqrt(spread);
        double error = delta + tailError + Math.Sqrt(k + 1) * Quantum / 2 + Math.ScaleB(1, -148) + unitError;
        return ((int)sum, error * (1 + 1e-9) + 1e-12 * norm);
    }

    /// <summary>Writes one quantised row as row i, row-major or into its packed panel.</summary>
    private static void Store(ReadOnlySpan<short> quantised, short[] values, int i, int stride, bool packed)
    {
        if (!packed)
        {
            quantised.CopyTo(values.AsSpan(i * stride, stride));
            return;
        }
        // Column i's coordinate pairs are 32 shorts apart in its panel, from lane (i mod 16).
        var pairs = MemoryMarshal.Cast<short, int>(quantised);
        var target = MemoryMarshal.Cast<short, int>(values.AsSpan((i >> 4) * stride * 16));
        for (int g = 0, at = i & 15; g < pairs.Length; g++, at += 16) target[at] = pairs[g];
    }

    /// <summary>
    /// The same heads seen over their leading <paramref name="checkpoint"/> coordinates: their squared norms (columns
    /// padded to whole panels) and per-row bounds on how far those quantised coordinates lie from the exact ones — no
    /// tail term, so tighter than the whole head's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public LeadingHeads Leading(QuantizedHeads heads, int checkpoint, EmbeddingSet images, int[] rowOrder,
        EmbeddingSet texts, int[] columnOrder)
    {
        int stride = heads.Stride, n = images.Count, m = texts.Count;
        var normsX = new int[n];
        var errorX = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < checkpoint; c++) normsX[i] += heads.X[i * stride + c] * heads.X[i * stride + c];
            errorX[i] = CoordinateError(images.SquaredNorm(rowOrder[i]), checkpoint);
        }
        var normsY = new int[heads.NormsY.Length];
        double errorY = 0;
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < checkpoint; c++)
            {
                int v = heads.PackedY[QuantizedHeads.PackedIndex(j, c, stride)];
                normsY[j] += v * v;
            }
            errorY = Math.Max(errorY, CoordinateError(texts.SquaredNorm(columnOrder[j]), checkpoint));
        }
        return new LeadingHeads(checkpoint, normsX, normsY, errorX, errorY);
    }

    /// <summary>
    /// How far the first c quantised head coordinates of a row with this squared norm lie from the exact ones: √c
    /// times the error of one float32 coordinate (η‖x‖, plus subnormal rounding), the unit vector's own error,
    /// float64 slack, and the quantisation (half a step per coordinate).
    /// </summary>
    public double CoordinateError(double squared, int c)
    {
        double norm = Math.Sqrt(squared);
        double error = Math.Sqrt(c) * (OneCoordinate(norm) + Quantum / 2) + Math.ScaleB(1, -148) + unitError;
        return error * (1 + 1e-9) + 1e-12 * norm;
    }

    /// <summary>
    /// How far one float32 head coordinate of a row of norm ‖x‖ lies from the exact one: η‖x‖, plus
    /// subnormal rounding.
    /// </summary>
    private double OneCoordinate(double norm) => Eta * norm + (d + 2) * Math.ScaleB(1, -148);
}

/// <summary>
/// Quantised heads over their leading <see cref="Checkpoint"/> coordinates: squared norms and error bounds (the
/// columns' largest in <see cref="ErrorY"/>).
/// </summary>
internal sealed record LeadingHeads(int Checkpoint, int[] NormsX, int[] NormsY, double[] ErrorX, double ErrorY);
