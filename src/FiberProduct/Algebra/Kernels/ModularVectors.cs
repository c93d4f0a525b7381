using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FiberProduct.Algebra.Kernels;

/// <summary>Element-wise addition and subtraction of residue vectors, SIMD with a scalar tail.</summary>
internal static class ModularVectors
{
    /// <summary>destination[i] = x[i] + y[i] mod n (destination may alias x or y).</summary>
    public static void Add(ReadOnlySpan<uint> x, ReadOnlySpan<uint> y, Span<uint> destination, in ModularReducer mod)
    {
        int i = 0, n = x.Length;
        ref uint xb = ref MemoryMarshal.GetReference(x);
        ref uint yb = ref MemoryMarshal.GetReference(y);
        ref uint db = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mod.Modulus);
            for (; i <= n - Vector256<uint>.Count; i += Vector256<uint>.Count)
            {
                var a = Vector256.LoadUnsafe(ref xb, (nuint)i);
                var b = Vector256.LoadUnsafe(ref yb, (nuint)i);
                var d = m - b; // a + b ≥ n exactly when a ≥ n − b; no 32-bit overflow on either branch
                Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, d), a - d, a + b)
                    .StoreUnsafe(ref db, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref db, i) = mod.Add(Unsafe.Add(ref xb, i), Unsafe.Add(ref yb, i));
    }

    /// <summary>destination[i] = x[i] − y[i] mod n (destination may alias x or y).</summary>
    public static void Subtract(ReadOnlySpan<uint> x, ReadOnlySpan<uint> y, Span<uint> destination,
        in ModularReducer mod)
    {
        int i = 0, n = x.Length;
        ref uint xb = ref MemoryMarshal.GetReference(x);
        ref uint yb = ref MemoryMarshal.GetReference(y);
        ref uint db = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mod.Modulus);
            for (; i <= n - Vector256<uint>.Count; i += Vector256<uint>.Count)
            {
                var a = Vector256.LoadUnsafe(ref xb, (nuint)i);
                var b = Vector256.LoadUnsafe(ref yb, (nuint)i);
                var diff = a - b;
                (diff + (Vector256.LessThan(a, b) & m)).StoreUnsafe(ref db, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref db, i) = mod.Subtract(Unsafe.Add(ref xb, i), Unsafe.Add(ref yb, i));
    }
}
