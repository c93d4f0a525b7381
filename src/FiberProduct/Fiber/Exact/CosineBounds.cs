using System.Numerics;

namespace FiberProduct.Fiber.Exact;

/// <summary>
/// Rigorous bounds on cos ε for a double ε in [0, π): dyadic L ≤ cos ε ≤ U, from the Taylor series
/// Σ (−1)^k ε^{2k}/(2k)! in fixed point with every rounding directed outwards. The angular join needs them because
/// cos ε is irrational for every ε ≠ 0 and the platform's <see cref="Math.Cos(double)"/> promises no error bound.
/// </summary>
/// <remarks>
/// For ε &lt; π the terms decrease from k = 1 on (ε² &lt; 12), so the series alternates with decreasing terms and
/// the truncation error after a term is at most the next term. Terms are carried as intervals [lo, hi] of integers over
/// 2^bits; each step multiplies by ε² = m²·2^{2e} and divides by (2k + 1)(2k + 2), flooring the lower and ceiling
/// the upper end, so the true term stays inside.
/// </remarks>
internal readonly record struct CosineBounds(BigInteger Lower, BigInteger Upper, int Bits)
{
    /// <summary>Bounds on cos ε with about <paramref name="bits"/> fractional bits (ε in [0, π)).</summary>
    public static CosineBounds Of(double epsilon, int bits)
    {
        if (!(epsilon >= 0 && epsilon <= Math.PI))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                "Expected 0 ≤ ε ≤ Math.PI (which is below π).");
        var one = BigInteger.One << bits;
        if (epsilon == 0) return new CosineBounds(one, one, bits);
        var (m, e) = Dyadic.Split(epsilon);
        BigInteger square = (BigInteger)m * m; // ε² = square·2^{2e}
        int shift = 2 * e;
        BigInteger termLow = one, termHigh = one, sumLow = one, sumHigh = one;
        for (int k = 0; ; k++)
        {
            // term_{k+1} = term_k · ε² / ((2k + 1)(2k + 2))
            long divisor = (2L * k + 1) * (2L * k + 2);
            termLow = ScaleDown(termLow * square, shift, divisor, roundUp: false);
            termHigh = ScaleDown(termHigh * square, shift, divisor, roundUp: true);
            bool subtract = (k & 1) == 0; // term 1 is subtracted, term 2 added, …
            if (subtract) { sumLow -= termHigh; sumHigh -= termLow; }
            else { sumLow += termLow; sumHigh += termHigh; }
            // Past k = 1 the remaining series lies between 0 and the next term, on the side of that term's sign: bound
            // the tail by the current term (which is larger), once it is small.
            if (k >= 1 && termHigh.GetBitLength() <= 2)
                return subtract
                    ? new CosineBounds(sumLow, sumHigh + termHigh, bits)
                    : new CosineBounds(sumLow - termHigh, sumHigh, bits);
        }
    }

    /// <summary>value·2^shift / divisor, rounded down or up to an integer.</summary>
    private static BigInteger ScaleDown(BigInteger value, int shift, long divisor, bool roundUp)
    {
        BigInteger numerator = shift >= 0 ? value << shift : value, denominator = divisor;
        if (shift < 0) denominator <<= -shift;
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        return roundUp && !remainder.IsZero ? quotient + 1 : quotient;
    }

    /// <summary>The lower bound as a double rounded down, and the upper bound rounded up.</summary>
    public (double Lower, double Upper) AsDoubles()
    {
        double low = Math.ScaleB((double)Lower, -Bits), high = Math.ScaleB((double)Upper, -Bits);
        // The BigInteger conversion may round either way: step outwards by one unit each.
        return (Math.BitDecrement(low), Math.BitIncrement(high));
    }
}
