using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The int8 screen's micro-kernel: for <see cref="Height"/> rows of signed bytes (<c>stride</c> bytes apart, a
/// multiple of 4) and one panel of 16 texts stored as unsigned bytes, <c>output[r·16 + l]</c> = Σ_k panel(k, l) ·
/// x_r[k] over <c>4·groups</c> coordinates, in int32. The panel holds coordinate groups of four: group g, lane l,
/// byte b at <c>panel[64g + 4l + b]</c> (coordinate 4g + b of text l). Integer sums are exact as long as they stay
/// in int32 (the caller keeps 4·groups·255·127 &lt; 2^31); past that they wrap, the same on every kernel.
/// </summary>
internal unsafe interface IInt8TileKernel
{
    static abstract int Height { get; }

    static abstract void Compute(sbyte* x, int stride, int groups, byte* panel, int* output);
}

/// <summary>
/// AVX-VNNI (<c>vpdpbusd</c>, 256 bits): 6 rows × 16 lanes, twelve ymm accumulators, four coordinates per
/// instruction — 32 multiply-adds an instruction against the float32 kernel's 16, at two instructions a cycle.
/// </summary>
internal readonly unsafe struct Int8TileVnni : IInt8TileKernel
{
    public static int Height => 6;

    public static bool IsSupported => AvxVnni.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(sbyte* x, int stride, int groups, byte* panel, int* output)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                       c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        int s = stride / 4; // a row's coordinate groups, as ints
        int* x0 = (int*)x, x1 = x0 + s, x2 = x1 + s, x3 = x2 + s, x4 = x3 + s, x5 = x4 + s;
        for (int g = 0; g < groups; g++)
        {
            var y0 = Vector256.Load(panel + g * 64);
            var y1 = Vector256.Load(panel + g * 64 + 32);
            var a = Vector256.Create(x0[g]).AsSByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, y0, a); c01 = AvxVnni.MultiplyWideningAndAdd(c01, y1, a);
            a = Vector256.Create(x1[g]).AsSByte();
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, y0, a); c11 = AvxVnni.MultiplyWideningAndAdd(c11, y1, a);
            a = Vector256.Create(x2[g]).AsSByte();
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, y0, a); c21 = AvxVnni.MultiplyWideningAndAdd(c21, y1, a);
            a = Vector256.Create(x3[g]).AsSByte();
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, y0, a); c31 = AvxVnni.MultiplyWideningAndAdd(c31, y1, a);
            a = Vector256.Create(x4[g]).AsSByte();
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, y0, a); c41 = AvxVnni.MultiplyWideningAndAdd(c41, y1, a);
            a = Vector256.Create(x5[g]).AsSByte();
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, y0, a); c51 = AvxVnni.MultiplyWideningAndAdd(c51, y1, a);
        }
        c00.Store(output); c01.Store(output + 8); c10.Store(output + 16); c11.Store(output + 24);
        c20.Store(output + 32); c21.Store(output + 40); c30.Store(output + 48); c31.Store(output + 56);
        c40.Store(output + 64); c41.Store(output + 72); c50.Store(output + 80); c51.Store(output + 88);
    }
}

/// <summary>Portable form and reference: the same sums in scalar code, wrapping like the hardware.</summary>
internal readonly unsafe struct Int8TileScalar : IInt8TileKernel
{
    public static int Height => 6;

    public static void Compute(sbyte* x, int stride, int groups, byte* panel, int* output)
    {
        for (int r = 0; r < 6; r++)
        {
            sbyte* row = x + r * stride;
            for (int l = 0; l < 16; l++)
            {
                int sum = 0;
                for (int k = 0; k < 4 * groups; k++)
                    sum = unchecked(sum + panel[(k >> 2) * 64 + l * 4 + (k & 3)] * row[k]);
                output[r * 16 + l] = sum;
            }
        }
    }
}
