using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FiberProduct.Algebra.Kernels;

/// <summary>
/// Classical O(la·lb) multiplication with lazy reduction: products are accumulated in a machine word
/// as long as the sum provably cannot overflow, and reduced mod n only then. This is the reference
/// every other algorithm is tested against, and the fastest one for short inputs.
/// </summary>
internal static class Schoolbook
{
    /// <summary>result[0 .. la+lb−1) = a · b mod n. Inputs are canonical residues; neither may be empty.</summary>
    public static void Multiply(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod)
    {
        // b is the shorter: it bounds the number of terms per coefficient
        if (a.Length < b.Length) { var t = a; a = b; b = t; }
        int length = a.Length + b.Length - 1;
        ulong maxProduct = (ulong)(mod.Modulus - 1) * (mod.Modulus - 1);

        if (maxProduct == 0) { result[..length].Clear(); return; }
        if ((UInt128)maxProduct * (ulong)b.Length <= uint.MaxValue)
            MultiplyAccumulate32(a, b, result[..length], mod);
        else
            MultiplyAccumulate64(a, b, result[..length], mod, maxProduct);
    }

    /// <summary>Every coefficient sum fits in 32 bits: accumulate rows c[i..] += a_i · b with 32-bit SIMD.</summary>
    private static void MultiplyAccumulate32(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> c,
        in ModularReducer mod)
    {
        c.Clear();
        ref uint cb = ref MemoryMarshal.GetReference(c);
        ref uint bb = ref MemoryMarshal.GetReference(b);
        int lb = b.Length;
        for (int i = 0; i < a.Length; i++)
        {
            uint ai = a[i];
            if (ai == 0) continue;
            ref uint row = ref Unsafe.Add(ref cb, i);
            int j = 0;
            if (Vector256.IsHardwareAccelerated && lb >= Vector256<uint>.Count)
            {
                var va = Vector256.Create(ai);
                for (; j <= lb - Vector256<uint>.Count; j += Vector256<uint>.Count)
                {
                    var acc = Vector256.LoadUnsafe(ref row, (nuint)j);
                    (acc + va * Vector256.LoadUnsafe(ref bb, (nuint)j)).StoreUnsafe(ref row, (nuint)j);
                }
            }
            for (; j < lb; j++) Unsafe.Add(ref row, j) += ai * Unsafe.Add(ref bb, j);
        }
        for (int k = 0; k < c.Length; k++) c[k] = mod.Reduce(c[k]);
    }

    /// <summary>
    /// 64-bit accumulators, reduced mod n after every block of rows small enough that
    /// n + block·(n−1)² &lt; 2^64 (a block of one row for moduli near 2^32).
    /// </summary>
    private static void MultiplyAccumulate64(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> c,
        in ModularReducer mod, ulong maxProduct)
    {
        int block = (int)Math.Min(int.MaxValue, (ulong.MaxValue - mod.Modulus) / maxProduct);
        ulong[] accumulator = System.Buffers.ArrayPool<ulong>.Shared.Rent(c.Length);
        ulong[] wideB = System.Buffers.ArrayPool<ulong>.Shared.Rent(b.Length);
        try
        {
            Span<ulong> acc = accumulator.AsSpan(0, c.Length);
            acc.Clear();
            Span<ulong> wb = wideB.AsSpan(0, b.Length);
            for (int j = 0; j < b.Length; j++) wb[j] = b[j];

            for (int start = 0; start < a.Length; start += block)
            {
                int end = (int)Math.Min(a.Length, (long)start + block);
                for (int i = start; i < end; i++) AddScaledRow(acc.Slice(i, b.Length), a[i], wb);
                if (end < a.Length)
                {
                    // Only coefficients touched by this block can be large; reduce them before the next block.
                    for (int k = start; k < end + b.Length - 1; k++) acc[k] = mod.Reduce(acc[k]);
                }
            }
            for (int k = 0; k < c.Length; k++) c[k] = mod.Reduce(acc[k]);
        }
        finally
        {
            System.Buffers.ArrayPool<ulong>.Shared.Return(accumulator);
            System.Buffers.ArrayPool<ulong>.Shared.Return(wideB);
        }
    }

    /// <summary>row += s · b for 32-bit s and 32-bit b_j held in 64-bit lanes.</summary>
    private static void AddScaledRow(Span<ulong> row, uint s, ReadOnlySpan<ulong> b)
    {
        if (s == 0) return;
        ref ulong rb = ref MemoryMarshal.GetReference(row);
        ref ulong bb = ref MemoryMarshal.GetReference(b);
        int j = 0;
        if (Avx2.IsSupported)
        {
            // vpmuludq multiplies the low 32 bits of each 64-bit lane into a full 64-bit product: exact here.
            var vs = Vector256.Create((ulong)s).AsUInt32();
            for (; j <= b.Length - Vector256<ulong>.Count; j += Vector256<ulong>.Count)
            {
                var product = Avx2.Multiply(vs, Vector256.LoadUnsafe(ref bb, (nuint)j).AsUInt32());
                (Vector256.LoadUnsafe(ref rb, (nuint)j) + product).StoreUnsafe(ref rb, (nuint)j);
            }
        }
        for (; j < b.Length; j++) Unsafe.Add(ref rb, j) += s * Unsafe.Add(ref bb, j);
    }

    /// <summary>Plain scalar reference, one reduction per term: the definition, for tests only.</summary>
    internal static void Reference(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod)
    {
        result[..(a.Length + b.Length - 1)].Clear();
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < b.Length; j++)
                result[i + j] = mod.Add(result[i + j], mod.Multiply(a[i], b[j]));
    }
}
