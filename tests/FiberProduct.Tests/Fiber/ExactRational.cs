using System.Numerics;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// Membership in F_ε decided in exact rational arithmetic, written independently of the engine's code: each double is
/// m·2^(e − 52) with m = ScaleB(v, 52 − e) an integer (e = ILogB(v)), all values of a pair are put on the smallest
/// exponent among them, and the comparisons are made on BigIntegers.
/// </summary>
internal static class ExactRational
{
    private static (BigInteger M, int E) Parts(double v)
    {
        if (v == 0) return (BigInteger.Zero, 0);
        int e = Math.ILogB(v) - 52;
        return (new BigInteger(Math.ScaleB(v, -e)), e);
    }

    /// <summary>The values as integers on a common exponent.</summary>
    private static (BigInteger[] Values, int Exponent) Integers(IEnumerable<double> values)
    {
        var parts = values.Select(Parts).ToArray();
        int lowest = parts.Where(p => !p.M.IsZero).Select(p => p.E).DefaultIfEmpty(0).Min();
        return (parts.Select(p => p.M.IsZero ? p.M : p.M * BigInteger.Pow(2, p.E - lowest)).ToArray(), lowest);
    }

    /// <summary>‖x − y‖² = N·2^E, exactly.</summary>
    public static (BigInteger N, int E) SquaredEuclidean(double[] x, double[] y)
    {
        var (v, e) = Integers(x.Concat(y));
        BigInteger sum = BigInteger.Zero;
        for (int k = 0; k < x.Length; k++) sum += BigInteger.Pow(v[k] - v[x.Length + k], 2);
        return (sum, 2 * e);
    }

    /// <summary>Whether a·2^ea = b·2^eb.</summary>
    public static bool Equal(BigInteger a, int ea, BigInteger b, int eb) =>
        ea >= eb ? a * BigInteger.Pow(2, ea - eb) == b : a == b * BigInteger.Pow(2, eb - ea);

    /// <summary>a·2^ea ≤ b·2^eb for a, b ≥ 0.</summary>
    private static bool AtMost(BigInteger a, int ea, BigInteger b, int eb) =>
        ea >= eb ? a * BigInteger.Pow(2, ea - eb) <= b : a <= b * BigInteger.Pow(2, eb - ea);

    public static bool Within(FiberMetric metric, double[] x, double[] y, double epsilon)
    {
        if (double.IsPositiveInfinity(epsilon)) return true;
        if (metric == FiberMetric.Euclidean)
        {
            var (v, e) = Integers(x.Concat(y));
            BigInteger sum = BigInteger.Zero;
            for (int k = 0; k < x.Length; k++) sum += BigInteger.Pow(v[k] - v[x.Length + k], 2);
            var (m, f) = Parts(epsilon);
            return AtMost(sum, 2 * e, m * m, 2 * f);
        }
        var (xs, _) = Integers(x);
        var (ys, _) = Integers(y);
        BigInteger p = 0, a = 0, b = 0;
        for (int k = 0; k < xs.Length; k++) { p += xs[k] * ys[k]; a += xs[k] * xs[k]; b += ys[k] * ys[k]; }
        if (metric == FiberMetric.Cosine)
        {
            if (epsilon >= 2) return true;
            // cos ≥ t with t = 1 − ε as an exact fraction tn / 2^-te
            var (m, f) = Parts(epsilon);
            int te = Math.Min(f, 0);
            BigInteger tn = BigInteger.Pow(2, -te) - m * BigInteger.Pow(2, f - te);
            return CosineAtLeast(p, a, b, tn, te);
        }
        if (epsilon > Math.PI) return true;
        // cos θ ≥ cos ε, with cos ε bracketed by exact rationals.
        var (low, high, den) = Brackets.GetOrAdd(epsilon, CosineBracket);
        if (RationalAtLeast(p, a, b, high, den)) return true;
        if (!RationalAtLeast(p, a, b, low, den)) return false;
        throw new InvalidOperationException(
            $"Inconclusive: the cosine lies within the 31st Taylor term of cos({epsilon:R}).");
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<double, (
        BigInteger, BigInteger, BigInteger)> Brackets = new();

    /// <summary>
    /// cos ε ∈ [low, high]/den: the Taylor sum to k = 30 ± the next term (the series alternates with decreasing
    /// terms for ε &lt; π), all over the common denominator of the last term, squareDen^31·62!.
    /// </summary>
    private static (BigInteger Low, BigInteger High, BigInteger Den) CosineBracket(double epsilon)
    {
        var (em, ef) = Parts(epsilon);
        BigInteger squareNum = em * em, squareDen = BigInteger.One;
        if (ef >= 0) squareNum *= BigInteger.Pow(2, 2 * ef); else squareDen = BigInteger.Pow(2, -2 * ef);
        BigInteger sum = 1, den = 1, term = 1; // term and sum over den
        for (int k = 1; k <= 31; k++)
        {
            BigInteger factor = squareDen * (2 * k - 1) * (2 * k);
            sum *= factor;
            den *= factor;
            term *= squareNum; // over den_k the k-th term is squareNum^k
            if (k == 31) break;
            sum += k % 2 == 0 ? term : -term;
        }
        return (sum - term, sum + term, den);
    }

    /// <summary>P/√(AB) ≥ n/den (den &gt; 0), by the signs and the squares.</summary>
    private static bool RationalAtLeast(BigInteger p, BigInteger a, BigInteger b, BigInteger n, BigInteger den)
    {
        var left = p * p * den * den;
        var right = n * n * a * b;
        return n.Sign <= 0 ? p.Sign >= 0 || left <= right : p.Sign > 0 && left >= right;
    }

    /// <summary>P/√(AB) ≥ t = tn·2^te, by the signs and the squares.</summary>
    private static bool CosineAtLeast(BigInteger p, BigInteger a, BigInteger b, BigInteger tn, int te)
    {
        if (a.IsZero || b.IsZero) throw new InvalidOperationException("Zero vector.");
        bool squaredAtLeast = AtMost(tn * tn * a * b, 2 * te, p * p, 0);
        bool squaredAtMost = AtMost(p * p, 0, tn * tn * a * b, 2 * te);
        return tn.Sign <= 0 ? p.Sign >= 0 || squaredAtMost : p.Sign > 0 && squaredAtLeast;
    }

}
