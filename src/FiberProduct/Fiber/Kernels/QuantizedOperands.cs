using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FiberProduct.Execution;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The float32 vectors the tile kernel reads (<see cref="JoinOperands.X"/>, <see cref="JoinOperands.PackedY"/>),
/// rounded to int8 with one scale per row, and the constants of the int8 screen's bound (docs/theorems.md, "The int8
/// screen"). Row x (scale s) is stored as q_k = round(x_k / s) clamped to [−127, 127], so x = s·q + δx with the
/// rounding δx measured exactly, not assumed.
/// </summary>
internal static class Quantized
{
    /// <summary>The largest dimension the screen takes: 4·⌈d/4⌉·255·127 must stay below 2^31.</summary>
    public const int MaxDimension = 65536;

    /// <summary>float32 unit roundoff u.</summary>
    internal const double Unit = 1.0 / (1 << 24);

    /// <summary>2^-140: absolute slack for subnormal rounding, as in <see cref="JoinOperands"/>.</summary>
    internal const double Tiny = 1.0 / (1L << 62) / (1L << 62) / (1L << 16);

    /// <summary>Bytes per quantised row: d rounded up to a whole coordinate group of four.</summary>
    public static int Stride(int d) => (d + 3) & ~3;

    /// <summary>
    /// An upper bound of √sum for a float64 sum of d squares (relative error below (d + 2)·2^-53) and its square
    /// root (2^-53 more), as the smallest float32 above.
    /// </summary>
    internal static float NormUp(double sumOfSquares, int d) =>
        JoinOperands.UpToSingle(
            Math.Sqrt(sumOfSquares * (1 + (d + 8) * Math.ScaleB(1, -52))) * (1 + Math.ScaleB(1, -50)));

    /// <summary>
    /// Quantises one row of d floats into the d bytes <paramref name="q"/>: its scale s (the smallest float32 ≥
    /// max|x_k|/127; zero for the zero row), q_k = x_k/s rounded to an integer in [−127, 127] (any rounding would do:
    /// the error is measured); returns s, Σq, Σq², Σx² and Σδx² (the last two in float64, where δx_k = x_k − s·q_k
    /// is exact: x_k and s·q_k are multiples of ulp(s)/2 within 2^8·s of each other, or q_k = 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe (float Scale, int SumQ, long SumQ2, double SumX2, double SumD2) Row(float* x, int d,
        sbyte* q)
    {
        int k = 0, whole = d & ~7;
        var largest = Vector256<float>.Zero;
        for (; k < whole; k += 8) largest = Vector256.Max(largest, Vector256.Abs(Vector256.Load(x + k)));
        float max = 0;
        for (int l = 0; l < 8; l++) max = Math.Max(max, largest[l]);
        for (; k < d; k++) max = Math.Max(max, Math.Abs(x[k]));
        float s = max == 0 ? 0 : JoinOperands.UpToSingle(max / 127.0);
        float inverse = s == 0 ? 0 : (float)Math.Min(1.0 / s, float.MaxValue); // finite for subnormal s
        var (scale, invert, limit) = (Vector256.Create((double)s), Vector256.Create(inverse), Vector256.Create(127f));
        Vector256<double> x2 = default, d2 = default;
        Vector256<int> sumQ = default, sumQ2 = default;
        for (k = 0; k < whole; k += 8)
        {
            var v = Vector256.Load(x + k);
            var r = Vector256.Min(Vector256.Max(Vector256.Round(v * invert), -limit), limit);
            var integer = Vector256.ConvertToInt32(r);
            (sumQ, sumQ2) = (sumQ + integer, sumQ2 + integer * integer);
            var bytes = Vector256.Narrow(Vector256.Narrow(integer, integer), default);
            *(long*)(q + k) = bytes.AsInt64().ToScalar();
            var (low, high) = Vector256.Widen(v);
            var (lowQ, highQ) = Vector256.Widen(r);
            var (lowD, highD) = (low - scale * lowQ, high - scale * highQ);
            x2 += low * low + high * high;
            d2 += lowD * lowD + highD * highD;
        }
        int totalQ = Vector256.Sum(sumQ);
        long totalQ2 = Vector256.Sum(sumQ2);
        double sumX2 = Vector256.Sum(x2), sumD2 = Vector256.Sum(d2);
        for (; k < d; k++)
        {
            float v = x[k];
            float r = Math.Clamp(MathF.Round(v * inverse), -127f, 127f);
            q[k] = (sbyte)r;
            double delta = v - (double)s * r;
            (totalQ, totalQ2) = (totalQ + (int)r, totalQ2 + (long)(r * r));
            sumX2 += (double)v * v;
            sumD2 += delta * delta;
        }
        return (s, totalQ, totalQ2, sumX2, sumD2);
    }

    /// <summary>An upper bound of ‖ŷ‖ = s·√Σq², as the smallest float32 above.</summary>
    internal static float HatNormUp(float s, long sumQ2) =>
        JoinOperands.UpToSingle(s * Math.Sqrt(sumQ2) * (1 + Math.ScaleB(1, -50)));
}

/// <summary>
/// The texts of a join (<see cref="JoinOperands.PackedY"/>, in join order) as unsigned bytes q + 128 in the int8
/// kernel's panels (<see cref="IInt8TileKernel"/>), with per text j: its scale S_j, G_j ≥ ‖δy_j‖ + γ‖y_j‖ and
/// H_j ≥ ‖ŷ_j‖ = S_j‖q_j‖ (float32, rounded up; zero in the padding lanes).
/// </summary>
internal sealed unsafe class QuantizedTexts
{
    private const int Lanes = JoinOperands.PanelWidth;

    public QuantizedTexts(JoinOperands op, ExecutionScope scope)
    {
        int d = op.Dimension, panels = op.Panels;
        Groups = Quantized.Stride(d) / 4;
        Values = LargeArrays.AllocateUninitialized<byte>((long)panels * Groups * 64);
        Scales = new float[panels * Lanes];
        Margins = new float[panels * Lanes];
        HatNorms = new float[panels * Lanes];
        var norms = new float[panels * Lanes];
        double gamma = op.Gamma;
        int columns = op.Columns, groups = Groups;
        var (values, scales, margins, hatNorms) = (Values, Scales, Margins, HatNorms);
        scope.For(0, panels, p => Panel(op.PackedY, p, d, columns, gamma, values, scales, norms, margins, hatNorms));
        MaxNorm = norms.Length == 0 ? 0 : norms.Max();
        MaxMargin = margins.Length == 0 ? 0 : margins.Max();
        MaxHatNorm = hatNorms.Length == 0 ? 0 : hatNorms.Max();
    }

    /// <summary>Quantises panel p: each lane read out into a row, quantised, its bytes written to the groups.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Panel(float[] packedY, int p, int d, int columns, double gamma, byte[] values, float[] scales,
        float[] norms, float[] margins, float[] hatNorms)
    {
        int groups = Quantized.Stride(d) / 4;
        var row = new float[d];
        var q = new sbyte[d];
        fixed (float* packed = packedY)
        fixed (byte* bytes = values)
        fixed (float* y = row)
        fixed (sbyte* text = q)
        {
            byte* panel = bytes + (long)p * groups * 64;
            new Span<byte>(panel, groups * 64).Fill(128); // q = 0: padding coordinates and lanes
            float* source = packed + (long)p * Lanes * d;
            for (int l = 0; l < Lanes && p * Lanes + l < columns; l++)
            {
                for (int k = 0; k < d; k++) y[k] = source[k * Lanes + l];
                var (s, _, sumQ2, sumY2, sumD2) = Quantized.Row(y, d, text);
                for (int k = 0; k < d; k++) panel[(k >> 2) * 64 + 4 * l + (k & 3)] = (byte)(text[k] + 128);
                int j = p * Lanes + l;
                scales[j] = s;
                norms[j] = Quantized.NormUp(sumY2, d);
                margins[j] = JoinOperands.UpToSingle((Quantized.NormUp(sumD2, d) + gamma * norms[j])
                    * (1 + Math.ScaleB(1, -50)));
                hatNorms[j] = Quantized.HatNormUp(s, sumQ2);
            }
        }
    }

    /// <summary>Coordinate groups of four per text.</summary>
    public int Groups { get; }

    /// <summary>Panels of 16 texts: group g, lane l, byte b at 64g + 4l + b; panels 64·Groups bytes apart.</summary>
    public byte[] Values { get; }

    /// <summary>S_j, per join column (the 16 lanes of each panel).</summary>
    public float[] Scales { get; }

    /// <summary>G_j ≥ ‖δy_j‖ + γ_{d+2}‖y_j‖.</summary>
    public float[] Margins { get; }

    /// <summary>H_j ≥ ‖ŷ_j‖.</summary>
    public float[] HatNorms { get; }

    /// <summary>The largest ‖y_j‖, G_j and H_j (upper bounds).</summary>
    public double MaxNorm { get; }
    public double MaxMargin { get; }
    public double MaxHatNorm { get; }
}

/// <summary>
/// The rows of a join (<see cref="JoinOperands.X"/> in join order) as signed bytes, <see cref="Stride"/> bytes a row
/// and 12 zero rows after the last, with per row i: its scale s_i, a_i ≥ ‖x_i‖, e_i ≥ ‖δx_i‖, the VNNI correction
/// Z_i = 128·Σq (the texts are stored as q + 128), and the slack C_i that covers the subnormal term of the float32
/// error and the rounding of the screen's own float32 arithmetic (docs/theorems.md, "The int8 screen").
/// </summary>
internal sealed unsafe class QuantizedRows
{
    public QuantizedRows(JoinOperands op, QuantizedTexts texts, ExecutionScope scope)
    {
        int d = op.Dimension, rows = op.Rows;
        Stride = Quantized.Stride(d);
        Values = LargeArrays.AllocateUninitialized<sbyte>((long)(rows + 12) * Stride);
        Values.AsSpan(rows * Stride).Clear();
        (Scales, Norms, ErrorNorms, Slack, Offsets) =
            (new float[rows], new float[rows], new float[rows], new float[rows], new int[rows]);
        const int Block = 64;
        scope.For(0, (rows + Block - 1) / Block, b => Quantize(op, b * Block, Math.Min(rows, (b + 1) * Block), texts));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Quantize(JoinOperands op, int from, int to, QuantizedTexts texts)
    {
        int d = op.Dimension;
        fixed (float* x = op.X.Span)
        fixed (sbyte* values = Values)
            for (int i = from; i < to; i++)
            {
                sbyte* q = values + (long)i * Stride;
                var (s, sumQ, sumQ2, sumX2, sumD2) = Quantized.Row(x + (long)(op.RowOrder?[i] ?? i) * d, d, q);
                new Span<sbyte>(q + d, Stride - d).Clear();
                Set(i, s, sumQ, sumQ2, Quantized.NormUp(sumX2, d), Quantized.NormUp(sumD2, d), d, texts);
            }
    }

    private void Set(int i, float s, int sumQ, long sumQ2, float norm, float error, int d, QuantizedTexts texts)
    {
        (Scales[i], Norms[i], ErrorNorms[i], Offsets[i]) = (s, norm, error, 128 * sumQ);
        // The float32 dot product's subnormal term, then eight roundings (u each, relative to the largest the terms
        // can be) and eight subnormal roundings of the screen's test.
        double tiny = Quantized.Tiny * (d + 8) * (1 + norm + texts.MaxNorm);
        double largest = Quantized.HatNormUp(s, sumQ2) * texts.MaxHatNorm + norm * texts.MaxMargin
            + error * texts.MaxHatNorm + tiny;
        double slack = tiny + 9 * Quantized.Unit * largest + 16 * Math.ScaleB(1, -149);
        Slack[i] = JoinOperands.UpToSingle(slack * (1 + Math.ScaleB(1, -50)));
    }

    /// <summary>Bytes per row (d rounded up to a multiple of 4, zero-padded).</summary>
    public int Stride { get; }

    public sbyte[] Values { get; }

    /// <summary>s_i, per join row.</summary>
    public float[] Scales { get; }

    /// <summary>a_i ≥ ‖x_i‖.</summary>
    public float[] Norms { get; }

    /// <summary>e_i ≥ ‖δx_i‖.</summary>
    public float[] ErrorNorms { get; }

    /// <summary>C_i.</summary>
    public float[] Slack { get; }

    /// <summary>Z_i = 128·Σ_k q_ik.</summary>
    public int[] Offsets { get; }
}
