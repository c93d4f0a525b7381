using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FiberProduct.Fiber.Kernels;

/// <summary>Whether the join runs the int8 screen (<see cref="Int8Screen{TInner, TInt8}"/>).</summary>
internal static class Int8Screening
{
    /// <summary>
    /// On by default; the <c>AppContext</c> switch <c>FiberProduct.DisableInt8Screen</c> (or setting this) turns it
    /// off. The answer is the same either way.
    /// </summary>
    public static bool Enabled { get; set; } =
        !(AppContext.TryGetSwitch("FiberProduct.DisableInt8Screen", out bool off) && off);

    /// <summary>
    /// Where the screen pays: a fast int8 kernel (AVX-VNNI), a dimension whose integer sums stay exact, and enough
    /// rows and texts that quantising them (O((N + M)·d), once per prepared set) is small against the join.
    /// </summary>
    public static bool Pays(JoinOperands op, int rows) =>
        Enabled && Int8TileVnni.IsSupported && op.Dimension <= Quantized.MaxDimension && rows >= 64
        && op.Columns >= 64;
}

/// <summary>
/// The int8 screen: before a tile is computed in float32, its int8 products (<see cref="IInt8TileKernel"/>) and a
/// rigorous upper bound U of every float32 product the tile kernel can return decide whether some pair can pass the
/// sweep's candidate test (dot ≥ candidate[i] + B_j, evaluated in float32 as the sweep does). A tile whose every
/// pair has U &lt; candidate[i] + B_j is one the float32 pass would have rejected pair by pair, so skipping it changes
/// nothing: not the candidates, not their float32 products, not the answer, for every metric and sink. The bound
/// (docs/theorems.md, "The int8 screen"): x·y = x̂·ŷ + x·δy + δx·ŷ, so
/// <code>f ≤ s_i·S_j·Q + a_i·G_j + e_i·H_j + C_i,</code>
/// Q the exact integer product, G_j ≥ ‖δy_j‖ + γ_{d+2}‖y_j‖, H_j ≥ ‖ŷ_j‖, a_i ≥ ‖x_i‖, e_i ≥ ‖δx_i‖ and C_i the
/// subnormal and rounding slack. Wraps the join's own tile filter (pruning), which runs first.
/// </summary>
/// <remarks>
/// The screen costs about 0.4 of a float32 tile here, so it pays where fewer than half the tiles pass: a worker that
/// sees more than half of 512 screened tiles pass stops screening for the next 8,192 tiles, then tries again.
/// Which tiles are screened changes the time only.
/// </remarks>
internal unsafe struct Int8Screen<TInner, TInt8>(TInner inner, QuantizedRows rows, QuantizedTexts texts,
    float[] candidate, float[] halfNormsY) : ITileFilter<Int8Screen<TInner, TInt8>>
    where TInner : struct, ITileFilter<TInner> where TInt8 : IInt8TileKernel
{
    private const int Lanes = JoinOperands.PanelWidth, Window = 512, Rest = 8192;
    private TInner inner = inner;
    private int[] tile = [];
    private int i0, validRows, screened, passed, resting;

    public readonly Int8Screen<TInner, TInt8> ForWorker() =>
        new(inner.ForWorker(), rows, texts, candidate, halfNormsY) { tile = new int[12 * Lanes] };

    public void Rows<TKernel>(int first, int valid) where TKernel : IDotTileKernel
    {
        inner.Rows<TKernel>(first, valid);
        (i0, validRows) = (first, valid);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayHoldPair<TKernel>(int panel, uint validLanes) where TKernel : IDotTileKernel
    {
        if (!inner.MayHoldPair<TKernel>(panel, validLanes)) return false;
        if (resting > 0)
        {
            resting--;
            return true;
        }
        bool pass = Screen(panel, validLanes);
        if (pass) passed++;
        if (++screened == Window)
        {
            if (2 * passed > Window) resting = Rest;
            (screened, passed) = (0, 0);
        }
        return pass;
    }

    /// <summary>Whether some valid pair of the current rows and <paramref name="panel"/> passes the screen.</summary>
    private readonly bool Screen(int panel, uint validLanes)
    {
        int height = TInt8.Height, groups = texts.Groups, column0 = panel * Lanes;
        fixed (sbyte* x = rows.Values)
        fixed (byte* y = texts.Values)
        fixed (int* t = tile)
            for (int r0 = 0; r0 < validRows; r0 += height)
            {
                TInt8.Compute(x + (long)(i0 + r0) * rows.Stride, rows.Stride, groups, y + (long)panel * groups * 64, t);
                for (int r = r0; r < Math.Min(validRows, r0 + height); r++)
                    if ((Int8Bound.Survivors(rows, texts, candidate, halfNormsY, t + (r - r0) * Lanes, i0 + r, column0)
                         & validLanes) != 0)
                        return true;
            }
        return false;
    }

    public void Completed() => inner.Completed();
}

/// <summary>The int8 screen's bound and test, lane by lane (the screen's arithmetic, apart for the tests).</summary>
internal static unsafe class Int8Bound
{
    /// <summary>
    /// U for join row <paramref name="i"/> and join columns [j, j + 8), from the kernel's sums
    /// <paramref name="products"/> (q + 128 against q): U = s_i·S_j·Q + (a_i·G_j + e_i·H_j) + C_i in float32, at least
    /// every float32 product of the pair that a tile kernel returns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Upper(QuantizedRows rows, QuantizedTexts texts, int* products, int i, int j)
    {
        var q = Vector256.Load(products) - Vector256.Create(rows.Offsets[i]); // exact: Q
        var product = Vector256.ConvertToSingle(q) * Load(texts.Scales, j) * Vector256.Create(rows.Scales[i]);
        var margin = Vector256.Create(rows.Norms[i]) * Load(texts.Margins, j)
            + Vector256.Create(rows.ErrorNorms[i]) * Load(texts.HatNorms, j);
        return product + margin + Vector256.Create(rows.Slack[i]);
    }

    /// <summary>
    /// The lanes of row <paramref name="i"/> and panel columns [column0, column0 + 16) where U ≥ candidate[i] + B_j,
    /// the sweep's own float32 threshold, or where either side is NaN: only a comparison that holds rejects.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Survivors(QuantizedRows rows, QuantizedTexts texts, float[] candidate, float[] halfNormsY,
        int* products, int i, int column0)
    {
        var c = Vector256.Create(candidate[i]);
        uint survivors = 0;
        for (int h = 0; h < 16; h += 8)
        {
            var threshold = c + Load(halfNormsY, column0 + h);
            var upper = Upper(rows, texts, products + h, i, column0 + h);
            survivors |= (~Vector256.LessThan(upper, threshold).ExtractMostSignificantBits() & 0xFFu) << h;
        }
        return survivors;
    }

    private static Vector256<float> Load(float[] values, int j) => Vector256.Create(values.AsSpan(j, 8));
}
