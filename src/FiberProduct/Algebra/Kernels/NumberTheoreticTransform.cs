using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FiberProduct.Algebra.Kernels;

/// <summary>
/// Radix-2 number-theoretic transforms modulo a prime p &lt; 2^31: a decimation-in-frequency forward
/// transform (natural order in, bit-reversed out) and a decimation-in-time inverse (bit-reversed in,
/// natural out), so convolution needs no bit-reversal pass. Twiddle products use Shoup's method;
/// all values stay canonical in [0, p). Large transforms recurse depth-first so that the inner
/// stages run on blocks that fit in cache; butterflies run 8 lanes wide with AVX2.
/// </summary>
internal static class NumberTheoreticTransform
{
    /// <summary>Blocks at most this long (uint count) run all their stages breadth-first; 32 KiB, the L1
    /// size.</summary>
    private const int CacheBlock = 1 << 13;

    /// <summary>The vector path needs two full vectors per block of the last three stages.</summary>
    private static bool UseVectors(int n) => Avx2.IsSupported && n >= 16;

    public static void Forward(Span<uint> a, NttPrime prime, NttPrime.Twiddles tw)
    {
        int n = a.Length;
        if (n > CacheBlock)
        {
            int half = n / 2;
            ForwardStage(a, half, tw, prime.P);
            Forward(a[..half], prime, tw);
            Forward(a[half..], prime, tw);
            return;
        }
        if (!UseVectors(n))
        {
            for (int h = n / 2; h >= 1; h /= 2) ForwardStage(a, h, tw, prime.P);
            return;
        }
        for (int h = n / 2; h >= 8; h /= 2) ForwardStage(a, h, tw, prime.P);
        ForwardLastThreeStages(a, tw, prime.P);
    }

    public static void Inverse(Span<uint> a, NttPrime prime, NttPrime.Twiddles tw)
    {
        int n = a.Length;
        if (n > CacheBlock)
        {
            int half = n / 2;
            Inverse(a[..half], prime, tw);
            Inverse(a[half..], prime, tw);
            InverseStage(a, half, tw, prime.P);
            return;
        }
        if (!UseVectors(n))
        {
            for (int h = 1; h < n; h *= 2) InverseStage(a, h, tw, prime.P);
            return;
        }
        InverseFirstThreeStages(a, tw, prime.P);
        for (int h = 8; h < n; h *= 2) InverseStage(a, h, tw, prime.P);
    }

    /// <summary>One stage of Gentleman–Sande butterflies (x, y) ↦ (x + y, (x − y)·ω^j) over every block of
    /// length 2h.</summary>
    private static void ForwardStage(Span<uint> a, int h, NttPrime.Twiddles tw, uint p)
    {
        ref uint w = ref tw.Forward[h];
        ref uint ws = ref tw.ForwardShoup[h];
        for (int start = 0; start < a.Length; start += 2 * h)
        {
            ref uint lo = ref a[start];
            ref uint hi = ref a[start + h];
            int j = 0;
            if (Avx2.IsSupported && h >= Vector256<uint>.Count)
            {
                var vp = Vector256.Create(p);
                for (; j < h; j += Vector256<uint>.Count)
                {
                    var x = Vector256.LoadUnsafe(ref lo, (nuint)j);
                    var y = Vector256.LoadUnsafe(ref hi, (nuint)j);
                    var (s, d) = ForwardButterfly(x, y, Vector256.LoadUnsafe(ref w, (nuint)j),
                        Vector256.LoadUnsafe(ref ws, (nuint)j), vp);
                    s.StoreUnsafe(ref lo, (nuint)j);
                    d.StoreUnsafe(ref hi, (nuint)j);
                }
                continue;
            }
            for (; j < h; j++)
            {
                uint x = Unsafe.Add(ref lo, j), y = Unsafe.Add(ref hi, j);
                uint s = x + y;
                Unsafe.Add(ref lo, j) = s >= p ? s - p : s;
                Unsafe.Add(ref hi, j) = ShoupMultiply(x - y + p, Unsafe.Add(ref w, j), Unsafe.Add(ref ws, j), p);
            }
        }
    }

    /// <summary>One stage of Cooley–Tukey butterflies (x, y) ↦ (x + y·ω^−j, x − y·ω^−j) over every block
    /// of length 2h.</summary>
    private static void InverseStage(Span<uint> a, int h, NttPrime.Twiddles tw, uint p)
    {
        ref uint w = ref tw.Inverse[h];
        ref uint ws = ref tw.InverseShoup[h];
        for (int start = 0; start < a.Length; start += 2 * h)
        {
            ref uint lo = ref a[start];
            ref uint hi = ref a[start + h];
            int j = 0;
            if (Avx2.IsSupported && h >= Vector256<uint>.Count)
            {
                var vp = Vector256.Create(p);
                for (; j < h; j += Vector256<uint>.Count)
                {
                    var (s, d) = InverseButterfly(Vector256.LoadUnsafe(ref lo, (nuint)j),
                        Vector256.LoadUnsafe(ref hi, (nuint)j), Vector256.LoadUnsafe(ref w, (nuint)j),
                        Vector256.LoadUnsafe(ref ws, (nuint)j), vp);
                    s.StoreUnsafe(ref lo, (nuint)j);
                    d.StoreUnsafe(ref hi, (nuint)j);
                }
                continue;
            }
            for (; j < h; j++)
            {
                uint x = Unsafe.Add(ref lo, j);
                uint t = ShoupMultiply(Unsafe.Add(ref hi, j), Unsafe.Add(ref w, j), Unsafe.Add(ref ws, j), p);
                uint s = x + t, d = x - t + p;
                Unsafe.Add(ref lo, j) = s >= p ? s - p : s;
                Unsafe.Add(ref hi, j) = d >= p ? d - p : d;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Sum, Vector256<uint> Difference) ForwardButterfly(Vector256<uint> x,
        Vector256<uint> y, Vector256<uint> w, Vector256<uint> ws, Vector256<uint> p)
    {
        var s = x + y;
        return (Vector256.Min(s, s - p), ShoupMultiply(x - y + p, w, ws, p));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Sum, Vector256<uint> Difference) InverseButterfly(Vector256<uint> x,
        Vector256<uint> y, Vector256<uint> w, Vector256<uint> ws, Vector256<uint> p)
    {
        var t = ShoupMultiply(y, w, ws, p);
        var s = x + t;
        var d = x - t + p;
        return (Vector256.Min(s, s - p), Vector256.Min(d, d - p));
    }

    /// <summary>The butterfly with twiddle 1 (the stage h = 1, where ω_2^0 is the only twiddle): (x, y) ↦ (x + y, x
    /// − y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Sum, Vector256<uint> Difference) UnitButterfly(Vector256<uint> x,
        Vector256<uint> y, Vector256<uint> p)
    {
        var s = x + y;
        var d = x - y + p;
        return (Vector256.Min(s, s - p), Vector256.Min(d, d - p));
    }

    // The stages h = 4, 2, 1 pair elements inside one vector. Two vectors A, B (16 elements, two blocks of 8)
    // are regrouped so that the partners of a stage sit in the same lane of two vectors lo, hi; Join undoes Split.
    //   h = 4: lo = [A0..A3 B0..B3], hi = [A4..A7 B4..B7]          (vperm2i128)
    //   h = 2: lo = [A0 A1 B0 B1 | A4 A5 B4 B5], hi = [A2 A3 B2 B3 | A6 A7 B6 B7]   (vpunpck*qdq)
    //   h = 1: lo = [A0 A2 B0 B2 | A4 A6 B4 B6], hi = [A1 A3 B1 B3 | A5 A7 B5 B7]   (vshufps; joined by vpunpck*dq)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Lo, Vector256<uint> Hi) Split4(Vector256<uint> a, Vector256<uint> b) =>
        (Avx2.Permute2x128(a, b, 0x20), Avx2.Permute2x128(a, b, 0x31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Lo, Vector256<uint> Hi) Split2(Vector256<uint> a, Vector256<uint> b) =>
        (Avx2.UnpackLow(a.AsUInt64(), b.AsUInt64()).AsUInt32(), Avx2.UnpackHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Lo, Vector256<uint> Hi) Split1(Vector256<uint> a, Vector256<uint> b) =>
        (Avx.Shuffle(a.AsSingle(), b.AsSingle(), 0b10_00_10_00).AsUInt32(),
            Avx.Shuffle(a.AsSingle(), b.AsSingle(), 0b11_01_11_01).AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> A, Vector256<uint> B) Join1(Vector256<uint> lo, Vector256<uint> hi) =>
        (Avx2.UnpackLow(lo, hi), Avx2.UnpackHigh(lo, hi));

    /// <summary>Twiddles of stage h = 4 and h = 2 laid out for the lanes of Split4 and Split2.</summary>
    private static (Vector256<uint> W4, Vector256<uint> W4s, Vector256<uint> W2,
        Vector256<uint> W2s) SmallTwiddles(uint[] w, uint[] ws) =>
        (Vector256.Create(w[4], w[5], w[6], w[7], w[4], w[5], w[6], w[7]),
         Vector256.Create(ws[4], ws[5], ws[6], ws[7], ws[4], ws[5], ws[6], ws[7]),
         Vector256.Create(w[2], w[3], w[2], w[3], w[2], w[3], w[2], w[3]),
         Vector256.Create(ws[2], ws[3], ws[2], ws[3], ws[2], ws[3], ws[2], ws[3]));

    /// <summary>The forward stages h = 4, 2, 1 fused in registers, 16 elements at a time.</summary>
    private static void ForwardLastThreeStages(Span<uint> a, NttPrime.Twiddles tw, uint p)
    {
        var (w4, w4s, w2, w2s) = SmallTwiddles(tw.Forward, tw.ForwardShoup);
        var vp = Vector256.Create(p);
        ref uint r = ref MemoryMarshal.GetReference(a);
        for (int i = 0; i < a.Length; i += 16)
        {
            var (lo, hi) = Split4(Vector256.LoadUnsafe(ref r, (nuint)i), Vector256.LoadUnsafe(ref r, (nuint)(i + 8)));
            (lo, hi) = ForwardButterfly(lo, hi, w4, w4s, vp);
            var (a4, b4) = Split4(lo, hi); // Split4 is its own inverse
            (lo, hi) = Split2(a4, b4);
            (lo, hi) = ForwardButterfly(lo, hi, w2, w2s, vp);
            var (a2, b2) = Split2(lo, hi); // so is Split2
            (lo, hi) = Split1(a2, b2);
            (lo, hi) = UnitButterfly(lo, hi, vp);
            var (x, y) = Join1(lo, hi);
            x.StoreUnsafe(ref r, (nuint)i);
            y.StoreUnsafe(ref r, (nuint)(i + 8));
        }
    }

    /// <summary>The inverse stages h = 1, 2, 4 fused in registers, 16 elements at a time.</summary>
    private static void InverseFirstThreeStages(Span<uint> a, NttPrime.Twiddles tw, uint p)
    {
        var (w4, w4s, w2, w2s) = SmallTwiddles(tw.Inverse, tw.InverseShoup);
        var vp = Vector256.Create(p);
        ref uint r = ref MemoryMarshal.GetReference(a);
        for (int i = 0; i < a.Length; i += 16)
        {
            var (lo, hi) = Split1(Vector256.LoadUnsafe(ref r, (nuint)i), Vector256.LoadUnsafe(ref r, (nuint)(i + 8)));
            (lo, hi) = UnitButterfly(lo, hi, vp);
            var (a1, b1) = Join1(lo, hi);
            (lo, hi) = Split2(a1, b1);
            (lo, hi) = InverseButterfly(lo, hi, w2, w2s, vp);
            var (a2, b2) = Split2(lo, hi);
            (lo, hi) = Split4(a2, b2);
            (lo, hi) = InverseButterfly(lo, hi, w4, w4s, vp);
            var (x, y) = Split4(lo, hi);
            x.StoreUnsafe(ref r, (nuint)i);
            y.StoreUnsafe(ref r, (nuint)(i + 8));
        }
    }

    /// <summary>
    /// x·w mod p for any 32-bit x, given w' = ⌊w·2^32/p⌋: q = ⌊x·w'/2^32⌋ underestimates ⌊x·w/p⌋ by at
    /// most one, so x·w − q·p (computed mod 2^32) lies in [0, 2p) and one conditional subtraction finishes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ShoupMultiply(uint x, uint w, uint wShoup, uint p)
    {
        uint q = (uint)(((ulong)x * wShoup) >> 32);
        uint r = x * w - q * p;
        return r >= p ? r - p : r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> ShoupMultiply(Vector256<uint> x, Vector256<uint> w,
        Vector256<uint> wShoup, Vector256<uint> p)
    {
        var q = MultiplyHigh(x, wShoup);
        var r = x * w - q * p;
        return Vector256.Min(r, r - p); // r − p wraps above r exactly when r < p
    }

    /// <summary>High 32 bits of each 32×32-bit lane product: vpmuludq on even lanes, then on odd lanes shifted
    /// down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> MultiplyHigh(Vector256<uint> x, Vector256<uint> y)
    {
        var even = Avx2.Multiply(x, y);
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(x.AsUInt64(), 32).AsUInt32(),
            Avx2.ShiftRightLogical(y.AsUInt64(), 32).AsUInt32());
        return Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b1010_1010);
    }

    /// <summary>
    /// a[i] = a[i]·b[i]·s mod p, where the constant s is given in Shoup form. The vector path multiplies a
    /// by s·2^32 first and then Montgomery-reduces the product with b, which divides by 2^32 again.
    /// </summary>
    public static void PointwiseMultiply(Span<uint> a, ReadOnlySpan<uint> b, uint s, NttPrime prime)
    {
        ref uint ar = ref MemoryMarshal.GetReference(a);
        ref uint br = ref MemoryMarshal.GetReference(b);
        uint p = prime.P;
        uint sShoup = prime.ShoupOf(s);
        int i = 0, n = a.Length;
        if (Avx2.IsSupported && n >= Vector256<uint>.Count)
        {
            uint sR = prime.Reducer.Multiply(s, prime.R);
            var vp = Vector256.Create(p);
            var vs = Vector256.Create(sR);
            var vss = Vector256.Create(prime.ShoupOf(sR));
            var vf = Vector256.Create(prime.MontgomeryFactor);
            for (; i <= n - Vector256<uint>.Count; i += Vector256<uint>.Count)
            {
                var x = ShoupMultiply(Vector256.LoadUnsafe(ref ar, (nuint)i), vs, vss, vp);
                MontgomeryMultiply(x, Vector256.LoadUnsafe(ref br, (nuint)i), vp, vf).StoreUnsafe(ref ar, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref ar, i) = ShoupMultiply(
                prime.Reducer.Multiply(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i)), s, sShoup, p);
    }

    /// <summary>x·y·2^−32 mod p for x, y &lt; p &lt; 2^31 (f = −p⁻¹ mod 2^32): t + (t·f mod 2^32)·p is
    /// divisible by 2^32 and below 2^64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> MontgomeryMultiply(Vector256<uint> x, Vector256<uint> y,
        Vector256<uint> p, Vector256<uint> f)
    {
        var tEven = Avx2.Multiply(x, y);
        var tOdd = Avx2.Multiply(Avx2.ShiftRightLogical(x.AsUInt64(), 32).AsUInt32(),
            Avx2.ShiftRightLogical(y.AsUInt64(), 32).AsUInt32());
        var uEven = tEven + Avx2.Multiply(Avx2.Multiply(tEven.AsUInt32(), f).AsUInt32(), p);
        var uOdd = tOdd + Avx2.Multiply(Avx2.Multiply(tOdd.AsUInt32(), f).AsUInt32(), p);
        var u = Avx2.Blend(Avx2.ShiftRightLogical(uEven, 32).AsUInt32(), uOdd.AsUInt32(), 0b1010_1010);
        return Vector256.Min(u, u - p);
    }
}
