using System.Buffers;
using System.Numerics;

namespace FiberProduct.Algebra.Kernels;

/// <summary>
/// Multiplication over Z_n through number-theoretic transforms modulo one, two or three primes
/// p_i &lt; 2^31 and the Chinese remainder theorem. Every integer coefficient of the product of the
/// lifted inputs is at most min(la, lb)·(n − 1)²; as many primes are used as it takes for their
/// product to exceed that bound, so the integer product, and hence its residue mod n, is recovered exactly.
/// </summary>
internal static class NttMultiplication
{
    /// <summary>Whether a product of this length fits one transform (longer ones are split by Karatsuba
    /// first).</summary>
    public static bool Supports(long productLength) => productLength <= NttPrime.MaxLength;

    /// <summary>How many primes the product bound needs.</summary>
    public static int PrimesNeeded(int shorterLength, uint modulus)
    {
        var bound = (BigInteger)shorterLength * (modulus - 1) * (modulus - 1);
        BigInteger product = 1;
        for (int k = 0; k < NttPrime.All.Length; k++)
        {
            product *= NttPrime.All[k].P;
            if (product > bound) return k + 1;
        }
        // unreachable for lengths ≤ 2^25
        throw new InvalidOperationException(
            "The product bound exceeds the transform primes; the caller must split the input.");
    }

    public static void Multiply(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod)
    {
        int length = a.Length + b.Length - 1;
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)length);
        int primes = PrimesNeeded(Math.Min(a.Length, b.Length), mod.Modulus);
        bool squaring = a == b; // same memory: one forward transform serves both factors

        uint[] fa = ArrayPool<uint>.Shared.Rent(size);
        uint[] fb = squaring ? fa : ArrayPool<uint>.Shared.Rent(size);
        uint[]? residues = primes > 1 ? ArrayPool<uint>.Shared.Rent((primes - 1) * length) : null;
        try
        {
            for (int k = primes - 1; k >= 0; k--) // the first prime last: its residues stay in fa
            {
                var prime = NttPrime.All[k];
                var tw = prime.GetTwiddles(size);
                Span<uint> x = fa.AsSpan(0, size), y = fb.AsSpan(0, size);
                Load(a, x, prime);
                NumberTheoreticTransform.Forward(x, prime, tw);
                if (!squaring)
                {
                    Load(b, y, prime);
                    NumberTheoreticTransform.Forward(y, prime, tw);
                }
                uint sizeInverse = NttPrime.Pow(prime.Reducer, (uint)size, prime.P - 2);
                NumberTheoreticTransform.PointwiseMultiply(x, y, sizeInverse, prime);
                NumberTheoreticTransform.Inverse(x, prime, tw);
                if (k > 0) x[..length].CopyTo(residues.AsSpan((k - 1) * length, length));
            }
            // fa now holds the residues modulo the first prime.
            Reconstruct(fa.AsSpan(0, length), residues, primes, result[..length], mod);
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(fa);
            if (!squaring) ArrayPool<uint>.Shared.Return(fb);
            if (residues is not null) ArrayPool<uint>.Shared.Return(residues);
        }
    }

    private static void Load(ReadOnlySpan<uint> source, Span<uint> destination, NttPrime prime)
    {
        if (source.Length > 0 && TensorMax(source) >= prime.P)
            for (int i = 0; i < source.Length; i++) destination[i] = prime.Reducer.Reduce(source[i]);
        else
            source.CopyTo(destination);
        destination[source.Length..].Clear();
    }

    private static uint TensorMax(ReadOnlySpan<uint> values) => System.Numerics.Tensors.TensorPrimitives.Max(values);

    /// <summary>
    /// Garner's mixed-radix form x = t0 + t1·p0 + t2·p0·p1 of the integer with the given residues,
    /// evaluated directly mod n; x itself is below the product of the primes and equals the true coefficient.
    /// </summary>
    private static void Reconstruct(ReadOnlySpan<uint> r0, uint[]? others, int primes, Span<uint> result,
        in ModularReducer mod)
    {
        int length = r0.Length;
        if (primes == 1)
        {
            for (int i = 0; i < length; i++) result[i] = mod.Reduce(r0[i]);
            return;
        }
        var (p0, p1) = (NttPrime.All[0], NttPrime.All[1]);
        var m1 = p1.Reducer;
        uint inv01 = NttPrime.Pow(m1, p0.P % p1.P, p1.P - 2);
        uint inv01Shoup = p1.ShoupOf(inv01);
        uint p0ModN = mod.Reduce(p0.P);
        ReadOnlySpan<uint> r1 = others.AsSpan(0, length);
        if (primes == 2)
        {
            for (int i = 0; i < length; i++)
            {
                uint t0 = r0[i];
                uint t1 = NumberTheoreticTransform.ShoupMultiply(m1.Subtract(r1[i], m1.Reduce(t0)),
                    inv01, inv01Shoup, p1.P);
                result[i] = mod.Reduce(t0 + (ulong)t1 * p0ModN);
            }
            return;
        }
        var p2 = NttPrime.All[2];
        var m2 = p2.Reducer;
        uint p0Mod2 = p0.P % p2.P;
        uint inv012 = NttPrime.Pow(m2, m2.Multiply(p0Mod2, p1.P % p2.P), p2.P - 2);
        uint inv012Shoup = p2.ShoupOf(inv012);
        uint p01ModN = mod.Multiply(p0ModN, mod.Reduce(p1.P));
        ReadOnlySpan<uint> r2 = others.AsSpan(length, length);
        for (int i = 0; i < length; i++)
        {
            uint t0 = r0[i];
            uint t1 = NumberTheoreticTransform.ShoupMultiply(m1.Subtract(r1[i], m1.Reduce(t0)),
                inv01, inv01Shoup, p1.P);
            // t2 = (r2 − t0 − t1·p0) / (p0·p1) mod p2
            uint partial = m2.Reduce(t0 + (ulong)t1 * p0Mod2);
            uint t2 = NumberTheoreticTransform.ShoupMultiply(m2.Subtract(r2[i], partial), inv012, inv012Shoup, p2.P);
            result[i] = mod.Reduce(mod.Reduce(t0 + (ulong)t1 * p0ModN) + (ulong)t2 * p01ModN);
        }
    }
}
