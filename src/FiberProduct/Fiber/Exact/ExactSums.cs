using System.Numerics;

namespace FiberProduct.Fiber.Exact;

/// <summary>
/// The quantities the join decides, computed without rounding from the stored vectors (any float or double is a
/// dyadic rational, and so are their differences, products and sums).
/// </summary>
internal static class ExactSums
{
    /// <summary>‖x − y‖² = N·2^E exactly.</summary>
    public static (BigInteger N, int E) SquaredEuclidean(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.SequenceEqual(y)) return (BigInteger.Zero, 0); // also −0 = +0: IEEE equality, not bits
        var both = new double[2 * x.Length];
        x.CopyTo(both);
        y.CopyTo(both.AsSpan(x.Length));
        var narrow = new long[both.Length];
        if (Dyadic.TryOnCommonScale(both, narrow, out int scale))
        {
            // Each integer below 2^62 in magnitude, so each difference below 2^63: exact in 64 bits.
            var squares = new WideSum();
            for (int k = 0; k < x.Length; k++)
            {
                long difference = narrow[k] - narrow[x.Length + k];
                squares.Add(difference, difference);
            }
            return (squares.Value, 2 * scale);
        }
        var (integers, exponent) = Dyadic.OnCommonScale(both);
        BigInteger sum = BigInteger.Zero;
        for (int k = 0; k < x.Length; k++)
        {
            var difference = integers[k] - integers[x.Length + k];
            sum += difference * difference;
        }
        return (sum, 2 * exponent);
    }

    /// <summary>
    /// Whether ⟨x, y⟩ ≥ t·‖x‖‖y‖ for t = T·2^et, exactly. With x = X·2^a and y = Y·2^b on integer
    /// scales the scales cancel, leaving P = ⟨X, Y⟩ ≥ t·√(AB) (A = ‖X‖², B = ‖Y‖²), which squaring
    /// decides by the signs: for t ≤ 0 it holds when P ≥ 0 and otherwise iff P² ≤ t²AB; for t &gt; 0 iff P &gt;
    /// 0 and P² ≥ t²AB.
    /// </summary>
    public static bool CosineAtLeast(ReadOnlySpan<double> x, ReadOnlySpan<double> y, BigInteger t, int et)
    {
        var (p, a, b) = Products(x, y);
        // P² against T²·A·B·2^{2et}
        int order = Dyadic.Compare(p * p, 0, t * t * a * b, 2 * et);
        if (t.Sign <= 0) return p.Sign >= 0 || order <= 0;
        return p.Sign > 0 && order >= 0;
    }

    /// <summary>⟨x, y⟩ / (‖x‖‖y‖) to about a unit in the last place, from the exact sums (for rows whose
    /// float64 sums overflow or underflow).</summary>
    public static double Cosine(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var (p, a, b) = Products(x, y);
        int sa = Reduction(a), sb = Reduction(b);
        double root = Math.Sqrt((double)(a >> sa)) * Math.Sqrt((double)(b >> sb));
        int half = (sa + sb) / 2;
        return (double)(p >> half) / root; // |P| ≤ √(AB), so the shifted P fits a double
    }

    private static int Reduction(BigInteger n)
    {
        int shift = (int)Math.Max(0, n.GetBitLength() - 120);
        return shift + (shift & 1); // even, so that the square root halves it exactly
    }

    private static (BigInteger P, BigInteger A, BigInteger B) Products(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        long[] narrowX = new long[x.Length], narrowY = new long[y.Length];
        if (Dyadic.TryOnCommonScale(x, narrowX, out _) && Dyadic.TryOnCommonScale(y, narrowY, out _))
        {
            WideSum dot = new(), xx = new(), yy = new();
            for (int k = 0; k < narrowX.Length; k++)
            {
                dot.Add(narrowX[k], narrowY[k]);
                xx.Add(narrowX[k], narrowX[k]);
                yy.Add(narrowY[k], narrowY[k]);
            }
            return (dot.Value, xx.Value, yy.Value);
        }
        var (xs, _) = Dyadic.OnCommonScale(x);
        var (ys, _) = Dyadic.OnCommonScale(y);
        BigInteger p = BigInteger.Zero, a = BigInteger.Zero, b = BigInteger.Zero;
        for (int k = 0; k < xs.Length; k++)
        {
            p += xs[k] * ys[k];
            a += xs[k] * xs[k];
            b += ys[k] * ys[k];
        }
        return (p, a, b);
    }
}
