using System.Buffers;

namespace FiberProduct.Algebra.Kernels;

/// <summary>
/// Karatsuba multiplication over Z_n: (a0 + a1 x^h)(b0 + b1 x^h) with three half-size products,
/// the middle one (a0 + a1)(b0 + b1) − a0b0 − a1b1. Everything stays reduced mod n, so it is exact
/// for any modulus. Unbalanced inputs are cut into pieces the length of the shorter operand.
/// </summary>
internal static class Karatsuba
{
    /// <summary>result[0 .. la+lb−1) = a · b mod n; below <paramref name="cutoff"/> terms it defers to
    /// <paramref name="baseCase"/>.</summary>
    public static void Multiply(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod,
        int cutoff, Multiplier baseCase)
    {
        if (a.Length < b.Length) { var t = a; a = b; b = t; }
        if (b.Length < Math.Max(cutoff, 2)) { baseCase(a, b, result, mod); return; }
        if (a.Length == b.Length) { Balanced(a, b, result, mod, cutoff, baseCase); return; }

        // Unbalanced: a = Σ pieces of length lb, each piece times b is a balanced product.
        int lb = b.Length, length = a.Length + lb - 1;
        Span<uint> c = result[..length];
        c.Clear();
        uint[] rented = ArrayPool<uint>.Shared.Rent(2 * lb - 1);
        try
        {
            for (int start = 0; start < a.Length; start += lb)
            {
                var piece = a.Slice(start, Math.Min(lb, a.Length - start));
                Span<uint> partial = rented.AsSpan(0, piece.Length + lb - 1);
                Multiply(piece, b, partial, mod, cutoff, baseCase);
                var target = c.Slice(start, partial.Length);
                ModularVectors.Add(target, partial, target, mod);
            }
        }
        finally { ArrayPool<uint>.Shared.Return(rented); }
    }

    private static void Balanced(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod,
        int cutoff, Multiplier baseCase)
    {
        int m = a.Length, h = m / 2, hi = m - h; // low halves have h terms, high halves hi ≥ h terms
        ReadOnlySpan<uint> a0 = a[..h], a1 = a[h..], b0 = b[..h], b1 = b[h..];

        // z0 = a0·b0 into result[0, 2h−1), z2 = a1·b1 into result[2h, 2m−1); result[2h−1] is the
        // gap between them.
        Multiply(a0, b0, result[..(2 * h - 1)], mod, cutoff, baseCase);
        result[2 * h - 1] = 0;
        Multiply(a1, b1, result[(2 * h)..(2 * m - 1)], mod, cutoff, baseCase);

        uint[] rented = ArrayPool<uint>.Shared.Rent(4 * hi - 1);
        try
        {
            Span<uint> sa = rented.AsSpan(0, hi), sb = rented.AsSpan(hi, hi), z1 = rented.AsSpan(2 * hi, 2 * hi - 1);
            a1.CopyTo(sa); ModularVectors.Add(sa[..h], a0, sa[..h], mod);
            b1.CopyTo(sb); ModularVectors.Add(sb[..h], b0, sb[..h], mod);
            Multiply(sa, sb, z1, mod, cutoff, baseCase);

            var z0 = result[..(2 * h - 1)];
            var z2 = result[(2 * h)..(2 * m - 1)];
            ModularVectors.Subtract(z1[..z0.Length], z0, z1[..z0.Length], mod);
            ModularVectors.Subtract(z1[..z2.Length], z2, z1[..z2.Length], mod);
            var middle = result.Slice(h, z1.Length);
            ModularVectors.Add(middle, z1, middle, mod);
        }
        finally { ArrayPool<uint>.Shared.Return(rented); }
    }
}

/// <summary>A multiplication kernel: result[0 .. la+lb−1) = a · b mod n for non-empty canonical inputs.</summary>
internal delegate void Multiplier(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, Span<uint> result, in ModularReducer mod);
