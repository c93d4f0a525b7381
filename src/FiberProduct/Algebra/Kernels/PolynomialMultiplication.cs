namespace FiberProduct.Algebra.Kernels;

/// <summary>The multiplication algorithms the dispatcher chooses among.</summary>
internal enum MultiplicationAlgorithm
{
    /// <summary>Let <see cref="PolynomialMultiplication"/> choose by length and modulus.</summary>
    Automatic,
    Schoolbook,
    Karatsuba,
    Ntt,
}

/// <summary>
/// The multiplication dispatcher for Z_n[x], in the manner of FLINT's nmod_poly_mul: one place that picks
/// classical or transform multiplication by the length of the shorter factor and the size of the modulus,
/// with the thresholds measured on this project's benchmark machine (docs/performance.md, `polymul --sweep`),
/// and Karatsuba to split products too long for one transform.
/// </summary>
internal static class PolynomialMultiplication
{
    /// <summary>Below this many terms in the shorter factor, Karatsuba recursion bottoms out in the schoolbook
    /// kernel.</summary>
    internal const int KaratsubaCutoff = 32;

    /// <summary>
    /// Shorter-factor length from which the transform beats schoolbook, by the number of transform primes the
    /// product bound needs (`polymul --sweep`, docs/performance.md): 128 with one prime (n = 256), 224 with two
    /// (n = 100277), 64 with three (n near 2^32, where schoolbook must reduce after every row).
    /// </summary>
    internal static int NttThreshold(int primes) => primes switch { 1 => 128, 2 => 224, _ => 64 };

    /// <summary>result[0 .. la+lb−1) = a · b mod n for non-empty canonical inputs.</summary>
    public static void Multiply(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod,
        MultiplicationAlgorithm algorithm = MultiplicationAlgorithm.Automatic)
    {
        switch (algorithm)
        {
            case MultiplicationAlgorithm.Schoolbook:
                Schoolbook.Multiply(a, b, result, mod);
                return;
            case MultiplicationAlgorithm.Karatsuba:
                Karatsuba.Multiply(a, b, result, mod, KaratsubaCutoff, Schoolbook.Multiply);
                return;
            case MultiplicationAlgorithm.Ntt:
                Split(a, b, result, mod, NttPrime.MaxLength, NttMultiplication.Multiply);
                return;
            default:
                Automatic(a, b, result, mod);
                return;
        }
    }

    private static void Automatic(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod)
    {
        int shorter = Math.Min(a.Length, b.Length);
        long length = (long)a.Length + b.Length - 1;
        if (length > NttPrime.MaxLength)
        {
            Split(a, b, result, mod, NttPrime.MaxLength, Automatic);
            return;
        }
        // Measured: below the transform threshold the vectorised schoolbook kernel beats Karatsuba for moduli
        // that need one or two primes; with three (n near 2^32) schoolbook reduces after every row and
        // Karatsuba wins from 32 terms until the transform takes over.
        int primes = NttMultiplication.PrimesNeeded(shorter, mod.Modulus);
        if (shorter >= NttThreshold(primes))
            NttMultiplication.Multiply(a, b, result, mod);
        else if (primes == 3 && shorter >= KaratsubaCutoff)
            Karatsuba.Multiply(a, b, result, mod, KaratsubaCutoff, Schoolbook.Multiply);
        else
            Schoolbook.Multiply(a, b, result, mod);
    }

    /// <summary>
    /// Products longer than <paramref name="maxLength"/> (the longest transform): a short factor multiplies
    /// the long one piece by piece; two long factors are halved by Karatsuba until every piece fits.
    /// </summary>
    internal static void Split(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod,
        int maxLength, Multiplier inner)
    {
        if (a.Length + b.Length - 1 <= maxLength) { inner(a, b, result, mod); return; }
        if (a.Length < b.Length) { var t = a; a = b; b = t; }
        int half = maxLength / 2;
        if (b.Length >= half)
        {
            Karatsuba.Multiply(a, b, result, mod, half, inner);
            return;
        }
        Span<uint> c = result[..(a.Length + b.Length - 1)];
        c.Clear();
        uint[] partial = System.Buffers.ArrayPool<uint>.Shared.Rent(half + b.Length - 1);
        try
        {
            for (int start = 0; start < a.Length; start += half)
            {
                var piece = a.Slice(start, Math.Min(half, a.Length - start));
                var product = partial.AsSpan(0, piece.Length + b.Length - 1);
                inner(piece, b, product, mod);
                var target = c.Slice(start, product.Length);
                ModularVectors.Add(target, product, target, mod);
            }
        }
        finally { System.Buffers.ArrayPool<uint>.Shared.Return(partial); }
    }
}
