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
    /// <summary>Blocks at most this long (uint count) run all their stages breadth-first; 32 KiB, the L1 size.</summary>
    private const int CacheBlock = 1 << 13;

    public static void Forward(Span<uint> a, NttPrime prime, NttPrime.Twiddles tw)
    {
        int n = a.Length;
        if (n <= CacheBlock)
        {
            for (int h = n / 2; h >= 1; h /= 2)
                for (int start = 0; start < n; start += 2 * h)
                    ForwardStage(a.Slice(start, h), a.Slice(start + h, h), tw.Forward.AsSpan(h, h), tw.ForwardShoup.AsSpan(h, h), prime.P);
            return;
        }
        int half = n / 2;
        ForwardStage(a[..half], a[half..], tw.Forward.AsSpan(half, half), tw.ForwardShoup.AsSpan(half, half), prime.P);
        Forward(a[..half], prime, tw);
        Forward(a[half..], prime, tw);
    }

    public static void Inverse(Span<uint> a, NttPrime prime, NttPrime.Twiddles tw)
    {
        int n = a.Length;
        if (n <= CacheBlock)
        {
            for (int h = 1; h < n; h *= 2)
                for (int start = 0; start < n; start += 2 * h)
                    InverseStage(a.Slice(start, h), a.Slice(start + h, h), tw.Inverse.AsSpan(h, h), tw.InverseShoup.AsSpan(h, h), prime.P);
            return;
        }
        int half = n / 2;
        Inverse(a[..half], prime, tw);
        Inverse(a[half..], prime, tw);
        InverseStage(a[..half], a[half..], tw.Inverse.AsSpan(half, half), tw.InverseShoup.AsSpan(half, half), prime.P);
    }

    /// <summary>Gentleman–Sande butterflies: (x, y) ↦ (x + y, (x − y)·w).</summary>
    private static void ForwardStage(Span<uint> lo, Span<uint> hi, ReadOnlySpan<uint> w, ReadOnlySpan<uint> ws, uint p)
    {
        ref uint l = ref MemoryMarshal.GetReference(lo);
        ref uint u = ref MemoryMarshal.GetReference(hi);
        ref uint wr = ref MemoryMarshal.GetReference(w);
        ref uint wsr = ref MemoryMarshal.GetReference(ws);
        int j = 0, h = lo.Length;
        if (Avx2.IsSupported && h >= Vector256<uint>.Count)
        {
            var vp = Vector256.Create(p);
            for (; j < h; j += Vector256<uint>.Count)
            {
                var x = Vector256.LoadUnsafe(ref l, (nuint)j);
                var y = Vector256.LoadUnsafe(ref u, (nuint)j);
                var s = x + y;
                Vector256.Min(s, s - vp).StoreUnsafe(ref l, (nuint)j);
                ShoupMultiply(x - y + vp, Vector256.LoadUnsafe(ref wr, (nuint)j), Vector256.LoadUnsafe(ref wsr, (nuint)j), vp).StoreUnsafe(ref u, (nuint)j);
            }
            return;
        }
        for (; j < h; j++)
        {
            uint x = Unsafe.Add(ref l, j), y = Unsafe.Add(ref u, j);
            uint s = x + y;
            Unsafe.Add(ref l, j) = s >= p ? s - p : s;
            Unsafe.Add(ref u, j) = ShoupMultiply(x - y + p, Unsafe.Add(ref wr, j), Unsafe.Add(ref wsr, j), p);
        }
    }

    /// <summary>Cooley–Tukey butterflies: (x, y) ↦ (x + y·w, x − y·w).</summary>
    private static void InverseStage(Span<uint> lo, Span<uint> hi, ReadOnlySpan<uint> w, ReadOnlySpan<uint> ws, uint p)
    {
        ref uint l = ref MemoryMarshal.GetReference(lo);
        ref uint u = ref MemoryMarshal.GetReference(hi);
        ref uint wr = ref MemoryMarshal.GetReference(w);
        ref uint wsr = ref MemoryMarshal.GetReference(ws);
        int j = 0, h = lo.Length;
        if (Avx2.IsSupported && h >= Vector256<uint>.Count)
        {
            var vp = Vector256.Create(p);
            for (; j < h; j += Vector256<uint>.Count)
            {
                var x = Vector256.LoadUnsafe(ref l, (nuint)j);
                var t = ShoupMultiply(Vector256.LoadUnsafe(ref u, (nuint)j), Vector256.LoadUnsafe(ref wr, (nuint)j), Vector256.LoadUnsafe(ref wsr, (nuint)j), vp);
                var s = x + t;
                var d = x - t + vp;
                Vector256.Min(s, s - vp).StoreUnsafe(ref l, (nuint)j);
                Vector256.Min(d, d - vp).StoreUnsafe(ref u, (nuint)j);
            }
            return;
        }
        for (; j < h; j++)
        {
            uint x = Unsafe.Add(ref l, j);
            uint t = ShoupMultiply(Unsafe.Add(ref u, j), Unsafe.Add(ref wr, j), Unsafe.Add(ref wsr, j), p);
            uint s = x + t, d = x - t + p;
            Unsafe.Add(ref l, j) = s >= p ? s - p : s;
            Unsafe.Add(ref u, j) = d >= p ? d - p : d;
        }
    }

    /// <summary>
    /// x·w mod p for any 32-bit x, given w' = ⌊w·2^32/p⌋: q = ⌊x·w'/2^32⌋ underestimates ⌊x·w/p⌋ by at most one,
    /// so x·w − q·p (computed mod 2^32) lies in [0, 2p) and one conditional subtraction finishes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ShoupMultiply(uint x, uint w, uint wShoup, uint p)
    {
        uint q = (uint)(((ulong)x * wShoup) >> 32);
        uint r = x * w - q * p;
        return r >= p ? r - p : r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> ShoupMultiply(Vector256<uint> x, Vector256<uint> w, Vector256<uint> wShoup, Vector256<uint> p)
    {
        var q = MultiplyHigh(x, wShoup);
        var r = x * w - q * p;
        return Vector256.Min(r, r - p); // r − p wraps above r exactly when r < p
    }

    /// <summary>High 32 bits of each 32×32-bit lane product: vpmuludq on even lanes, then on odd lanes shifted down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> MultiplyHigh(Vector256<uint> x, Vector256<uint> y)
    {
        var even = Avx2.Multiply(x, y);
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(x.AsUInt64(), 32).AsUInt32(), Avx2.ShiftRightLogical(y.AsUInt64(), 32).AsUInt32());
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
            Unsafe.Add(ref ar, i) = ShoupMultiply(prime.Reducer.Multiply(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i)), s, sShoup, p);
    }

    /// <summary>x·y·2^−32 mod p for x, y &lt; p &lt; 2^31 (f = −p⁻¹ mod 2^32): t + (t·f mod 2^32)·p is divisible by 2^32 and below 2^64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> MontgomeryMultiply(Vector256<uint> x, Vector256<uint> y, Vector256<uint> p, Vector256<uint> f)
    {
        var tEven = Avx2.Multiply(x, y);
        var tOdd = Avx2.Multiply(Avx2.ShiftRightLogical(x.AsUInt64(), 32).AsUInt32(), Avx2.ShiftRightLogical(y.AsUInt64(), 32).AsUInt32());
        var uEven = tEven + Avx2.Multiply(Avx2.Multiply(tEven.AsUInt32(), f).AsUInt32(), p);
        var uOdd = tOdd + Avx2.Multiply(Avx2.Multiply(tOdd.AsUInt32(), f).AsUInt32(), p);
        var u = Avx2.Blend(Avx2.ShiftRightLogical(uEven, 32).AsUInt32(), uOdd.AsUInt32(), 0b1010_1010);
        return Vector256.Min(u, u - p);
    }
}
