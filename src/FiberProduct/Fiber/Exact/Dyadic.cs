using System.Numerics;

namespace FiberProduct.Fiber.Exact;

/// <summary>
/// Exact arithmetic on dyadic rationals m·2^e (m a <see cref="BigInteger"/>): every finite float and double is one,
/// and so are sums, differences and products of them. The boundary decisions of the ε-join are made here, so that they
/// do not depend on any order of summation.
/// </summary>
internal static class Dyadic
{
    /// <summary>A finite double as m·2^e exactly (m = 0 for ±0).</summary>
    public static (long Mantissa, int Exponent) Split(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        if (biased == 0x7FF)
            throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite values are dyadic.");
        long mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        int exponent = (biased == 0 ? 1 : biased) - 1075;
        return (bits < 0 ? -mantissa : mantissa, exponent);
    }

    /// <summary>The values as integers on one common scale: values[k] = result[k]·2^exponent exactly.</summary>
    public static (BigInteger[] Integers, int Exponent) OnCommonScale(ReadOnlySpan<double> values)
    {
        var split = new (long Mantissa, int Exponent)[values.Length];
        int lowest = int.MaxValue;
        for (int k = 0; k < values.Length; k++)
        {
            split[k] = Split(values[k]);
            if (split[k].Mantissa != 0) lowest = Math.Min(lowest, split[k].Exponent);
        }
        if (lowest == int.MaxValue) lowest = 0;
        var integers = new BigInteger[values.Length];
        for (int k = 0; k < values.Length; k++)
            integers[k] = split[k].Mantissa == 0 ? BigInteger.Zero
                : (BigInteger)split[k].Mantissa << (split[k].Exponent - lowest);
        return (integers, lowest);
    }

    /// <summary>
    /// The values as 64-bit integers on one common scale (values[k] = integers[k]·2^exponent exactly), when every one
    /// fits below 2^62 in magnitude there; false otherwise (then <see cref="OnCommonScale"/> is needed). Rows of one
    /// embedding rarely span more than a few binary orders, so this is the usual case, and sums of their products can
    /// be made in <see cref="WideSum"/> rather than in <see cref="BigInteger"/>.
    /// </summary>
    public static bool TryOnCommonScale(ReadOnlySpan<double> values, Span<long> integers, out int exponent)
    {
        int lowest = int.MaxValue, highest = int.MinValue;
        foreach (double value in values)
        {
            var (mantissa, e) = Split(value);
            if (mantissa == 0) continue;
            // A widened float32 has at most 24 significant bits: its trailing zeros do not count.
            ulong magnitude = (ulong)Math.Abs(mantissa);
            lowest = Math.Min(lowest, e + BitOperations.TrailingZeroCount(magnitude));
            highest = Math.Max(highest, e + 64 - BitOperations.LeadingZeroCount(magnitude));
        }
        exponent = lowest == int.MaxValue ? 0 : lowest;
        if (highest - exponent > 62) return false;
        for (int k = 0; k < values.Length; k++)
        {
            var (mantissa, e) = Split(values[k]);
            integers[k] = mantissa == 0 ? 0 : e >= exponent ? mantissa << (e - exponent) : mantissa >> (exponent - e);
        }
        return true;
    }

    /// <summary>The sign of a·2^ea − b·2^eb.</summary>
    public static int Compare(BigInteger a, int ea, BigInteger b, int eb)
    {
        if (a.Sign != b.Sign) return a.Sign.CompareTo(b.Sign);
        if (a.IsZero) return 0;
        // Same sign: bring both onto the smaller exponent (shifting left is exact).
        return ea >= eb ? (a << (ea - eb)).CompareTo(b) : a.CompareTo(b << (eb - ea));
    }

    /// <summary>a·2^ea − b·2^eb exactly, as m·2^e.</summary>
    public static (BigInteger Mantissa, int Exponent) Subtract(BigInteger a, int ea, BigInteger b, int eb) =>
        ea >= eb ? ((a << (ea - eb)) - b, eb) : (a - (b << (eb - ea)), ea);

    /// <summary>
    /// √(n·2^e) for n ≥ 0, as a double within two units in the last place (the square root of a double rounding of
    /// n's leading 120 bits): used only to report the distance of pairs whose float64 sum overflowed or underflowed.
    /// </summary>
    public static double Sqrt(BigInteger n, int e)
    {
        if (n.IsZero) return 0;
        long bits = (long)n.GetBitLength();
        long shift = Math.Max(0, bits - 120);
        if (((shift + e) & 1) != 0) shift++; // keep the exponent even so that it halves exactly
        double leading = (double)(n >> (int)shift);
        return Math.ScaleB(Math.Sqrt(leading), (int)((shift + e) / 2));
    }
}
