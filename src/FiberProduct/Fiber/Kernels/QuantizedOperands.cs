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
    /// Quantises one row of d floats read <paramref name="step"/> apart into the d bytes <paramref name="q"/>; returns
    /// its scale s, Σq², Σx² and Σδx² (the last two in float64; δx_k is exact in float64: x_k and s·q_k are multiples
    /// of ulp(s)/4 within 2^9·s of each other, or q_k = 0).
    /// </summary>
    internal static unsafe (float Scale, long SumQ2, double SumX2, double SumD2) Row(float* x, int d, int step,
        sbyte* q)
    {
        float max = 0;
        for (int k = 0; k < d; k++) max = Math.Max(max, Math.Abs(x[k * step]));
        float s = max == 0 ? 0 : JoinOperands.UpToSingle(max / 127.0);
        double inverse = s == 0 ? 0 : 1.0 / s;
        long sumQ2 = 0;
        double sumX2 = 0, sumD2 = 0;
        for (int k = 0; k < d; k++)
        {
            double v = x[k * step];
            int value = (int)Math.Clamp(Math.Round(v * inverse), -127, 127);
            q[k] = (sbyte)value;
            double delta = v - (double)s * value;
            sumX2 += v * v;
            sumD2 += delta * delta;
            sumQ2 += value * value;
        }
        return (s, sumQ2, sumX2, sumD2);
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
        scope.For(0, panels, p =>
        {
            var q = new sbyte[d];
            fixed (float* packed = op.PackedY)
            fixed (byte* bytes = values)
            fixed (sbyte* row = q)
            {
                byte* panel = bytes + (long)p * groups * 64;
                new Span<byte>(panel, groups * 64).Fill(128); // q = 0: padding coordinates and lanes
                for (int l = 0; l < Lanes && p * Lanes + l < columns; l++)
                {
                    var (s, sumQ2, sumY2, sumD2) = Quantized.Row(packed + (long)p * Lanes * d + l, d, Lanes, row);
                    for (int k = 0; k < d; k++) panel[(k >> 2) * 64 + 4 * l + (k & 3)] = (byte)(q[k] + 128);
                    int j = p * Lanes + l;
                    scales[j] = s;
                    norms[j] = Quantized.NormUp(sumY2, d);
                    margins[j] = JoinOperands.UpToSingle((Quantized.NormUp(sumD2, d) + gamma * norms[j])
                        * (1 + Math.ScaleB(1, -50)));
                    hatNorms[j] = Quantized.HatNormUp(s, sumQ2);
                }
            }
        });
        MaxNorm = norms.Length == 0 ? 0 : norms.Max();
        MaxMargin = margins.Length == 0 ? 0 : margins.Max();
        MaxHatNorm = hatNorms.Length == 0 ? 0 : hatNorms.Max();
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
        var order = op.RowOrder;
        int stride = Stride;
        const int Block = 64;
        scope.For(0, (rows + Block - 1) / Block, b =>
        {
            fixed (float* x = op.X.Span)
            fixed (sbyte* values = Values)
                for (int i = b * Block; i < Math.Min(rows, (b + 1) * Block); i++)
                {
                    sbyte* q = values + (long)i * stride;
                    var (s, sumQ2, sumX2, sumD2) = Quantized.Row(x + (long)(order?[i] ?? i) * d, d, 1, q);
                    new Span<sbyte>(q + d, stride - d).Clear();
                    int sumQ = 0;
                    for (int k = 0; k < d; k++) sumQ += q[k];
                    Set(i, s, sumQ, sumQ2, Quantized.NormUp(sumX2, d), Quantized.NormUp(sumD2, d), d, texts);
                }
        });
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
