using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// A register-tiled micro-kernel: the float32 dot products over <c>length</c> coordinates of <see cref="Height"/>
/// image rows (<c>stride</c> floats apart) with the 16 texts of one packed panel, written to <c>output[r·16 + l]</c>.
/// Accumulation runs in index order per pair (one fused multiply-add per coordinate where the hardware has it), which
/// is what the error bound in <see cref="JoinOperands.Thresholds"/> assumes. A length below the stride computes a
/// leading part of the coordinates (pointers offset by c start at coordinate c).
/// </summary>
internal unsafe interface IDotTileKernel
{
    static abstract int Height { get; }

    static abstract void Compute(float* x, int stride, int length, float* panel, float* output);

    /// <summary>
    /// The same tile over quantised pruning heads: exact int32 dot products over an even <c>length</c> of int16
    /// coordinates (rows <c>stride</c> shorts apart; panels hold coordinate pairs, 16 lanes × 2 shorts per pair). The
    /// caller keeps every |value| ≤ 2^14 + 16, so no sum of two products, nor any partial sum, leaves int32.
    /// </summary>
    static abstract void Compute(short* x, int stride, int length, short* panel, int* output);
}

/// <summary>AVX-512: 12 rows × 16 lanes, twelve zmm accumulators, one panel load and twelve broadcasts per
/// coordinate.</summary>
internal readonly unsafe struct DotTile512 : IDotTileKernel
{
    public static int Height => 12;

    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512BW.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(float* x, int d, int length, float* panel, float* output)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
                         c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        float* x0 = x, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, x4 = x3 + d, x5 = x4 + d,
               x6 = x5 + d, x7 = x6 + d, x8 = x7 + d, x9 = x8 + d, x10 = x9 + d, x11 = x10 + d;
        for (int k = 0; k < length; k++)
        {
            var y = Vector512.Load(panel + k * 16);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[k]), y, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[k]), y, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[k]), y, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[k]), y, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[k]), y, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[k]), y, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(x6[k]), y, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(x7[k]), y, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(x8[k]), y, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(x9[k]), y, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x10[k]), y, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x11[k]), y, c11);
        }
        c0.Store(output); c1.Store(output + 16); c2.Store(output + 32); c3.Store(output + 48);
        c4.Store(output + 64); c5.Store(output + 80); c6.Store(output + 96); c7.Store(output + 112);
        c8.Store(output + 128); c9.Store(output + 144); c10.Store(output + 160); c11.Store(output + 176);
    }

    /// <summary>Two coordinates per instruction pair (vpmaddwd, vpaddd): about 1.6 times the float32 rate
    /// here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(short* x, int stride, int length, short* panel, int* output)
    {
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
                       c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        int s = stride / 2; // a row's coordinate pairs, as ints
        int* x0 = (int*)x, x1 = x0 + s, x2 = x1 + s, x3 = x2 + s, x4 = x3 + s, x5 = x4 + s,
             x6 = x5 + s, x7 = x6 + s, x8 = x7 + s, x9 = x8 + s, x10 = x9 + s, x11 = x10 + s;
        for (int g = 0; g < length / 2; g++)
        {
            var y = Vector512.Load(panel + g * 32);
            c0 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x0[g]).AsInt16(), y);
            c1 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x1[g]).AsInt16(), y);
            c2 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x2[g]).AsInt16(), y);
            c3 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x3[g]).AsInt16(), y);
            c4 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x4[g]).AsInt16(), y);
            c5 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x5[g]).AsInt16(), y);
            c6 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x6[g]).AsInt16(), y);
            c7 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x7[g]).AsInt16(), y);
            c8 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x8[g]).AsInt16(), y);
            c9 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x9[g]).AsInt16(), y);
            c10 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x10[g]).AsInt16(), y);
            c11 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(x11[g]).AsInt16(), y);
        }
        c0.Store(output); c1.Store(output + 16); c2.Store(output + 32); c3.Store(output + 48);
        c4.Store(output + 64); c5.Store(output + 80); c6.Store(output + 96); c7.Store(output + 112);
        c8.Store(output + 128); c9.Store(output + 144); c10.Store(output + 160); c11.Store(output + 176);
    }
}

/// <summary>AVX2 + FMA: 6 rows × 16 lanes, twelve ymm accumulators, two panel loads and six broadcasts per
/// coordinate.</summary>
internal readonly unsafe struct DotTile256 : IDotTileKernel
{
    public static int Height => 6;

    public static bool IsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(float* x, int d, int length, float* panel, float* output)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                         c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        float* x0 = x, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, x4 = x3 + d, x5 = x4 + d;
        for (int k = 0; k < length; k++)
        {
            var y0 = Vector256.Load(panel + k * 16);
            var y1 = Vector256.Load(panel + k * 16 + 8);
            var a = Vector256.Create(x0[k]); c00 = Fma.MultiplyAdd(a, y0, c00); c01 = Fma.MultiplyAdd(a, y1, c01);
            a = Vector256.Create(x1[k]); c10 = Fma.MultiplyAdd(a, y0, c10); c11 = Fma.MultiplyAdd(a, y1, c11);
            a = Vector256.Create(x2[k]); c20 = Fma.MultiplyAdd(a, y0, c20); c21 = Fma.MultiplyAdd(a, y1, c21);
            a = Vector256.Create(x3[k]); c30 = Fma.MultiplyAdd(a, y0, c30); c31 = Fma.MultiplyAdd(a, y1, c31);
            a = Vector256.Create(x4[k]); c40 = Fma.MultiplyAdd(a, y0, c40); c41 = Fma.MultiplyAdd(a, y1, c41);
            a = Vector256.Create(x5[k]); c50 = Fma.MultiplyAdd(a, y0, c50); c51 = Fma.MultiplyAdd(a, y1, c51);
        }
        c00.Store(output); c01.Store(output + 8); c10.Store(output + 16); c11.Store(output + 24);
        c20.Store(output + 32); c21.Store(output + 40); c30.Store(output + 48); c31.Store(output + 56);
        c40.Store(output + 64); c41.Store(output + 72); c50.Store(output + 80); c51.Store(output + 88);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(short* x, int stride, int length, short* panel, int* output)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                       c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        int s = stride / 2;
        int* x0 = (int*)x, x1 = x0 + s, x2 = x1 + s, x3 = x2 + s, x4 = x3 + s, x5 = x4 + s;
        for (int g = 0; g < length / 2; g++)
        {
            var y0 = Vector256.Load(panel + g * 32);
            var y1 = Vector256.Load(panel + g * 32 + 16);
            var a = Vector256.Create(x0[g]).AsInt16();
            c00 += Avx2.MultiplyAddAdjacent(a, y0); c01 += Avx2.MultiplyAddAdjacent(a, y1);
            a = Vector256.Create(x1[g]).AsInt16();
            c10 += Avx2.MultiplyAddAdjacent(a, y0); c11 += Avx2.MultiplyAddAdjacent(a, y1);
            a = Vector256.Create(x2[g]).AsInt16();
            c20 += Avx2.MultiplyAddAdjacent(a, y0); c21 += Avx2.MultiplyAddAdjacent(a, y1);
            a = Vector256.Create(x3[g]).AsInt16();
            c30 += Avx2.MultiplyAddAdjacent(a, y0); c31 += Avx2.MultiplyAddAdjacent(a, y1);
            a = Vector256.Create(x4[g]).AsInt16();
            c40 += Avx2.MultiplyAddAdjacent(a, y0); c41 += Avx2.MultiplyAddAdjacent(a, y1);
            a = Vector256.Create(x5[g]).AsInt16();
            c50 += Avx2.MultiplyAddAdjacent(a, y0); c51 += Avx2.MultiplyAddAdjacent(a, y1);
        }
        c00.Store(output); c01.Store(output + 8); c10.Store(output + 16); c11.Store(output + 24);
        c20.Store(output + 32); c21.Store(output + 40); c30.Store(output + 48); c31.Store(output + 56);
        c40.Store(output + 64); c41.Store(output + 72); c50.Store(output + 80); c51.Store(output + 88);
    }
}

/// <summary>Portable fallback: 4 rows × 16 lanes in scalar code, a multiply and an add per coordinate.</summary>
internal readonly unsafe struct DotTileScalar : IDotTileKernel
{
    public static int Height => 4;

    public static void Compute(float* x, int d, int length, float* panel, float* output)
    {
        for (int r = 0; r < 4; r++)
        {
            float* row = x + r * d;
            float* acc = output + r * 16;
            for (int l = 0; l < 16; l++) acc[l] = 0;
            for (int k = 0; k < length; k++)
            {
                float a = row[k];
                float* y = panel + k * 16;
                for (int l = 0; l < 16; l++) acc[l] += a * y[l];
            }
        }
    }

    public static void Compute(short* x, int stride, int length, short* panel, int* output)
    {
        for (int r = 0; r < 4; r++)
        {
            short* row = x + r * stride;
            int* acc = output + r * 16;
            for (int l = 0; l < 16; l++) acc[l] = 0;
            for (int c = 0; c < length; c++)
            {
                int a = row[c];
                short* y = panel + (c >> 1) * 32 + (c & 1);
                for (int l = 0; l < 16; l++) acc[l] += a * y[2 * l];
            }
        }
    }
}
