namespace FiberProduct.Algebra;

/// <summary>
/// An upper bound on deg(P^e) over Z_n that stays correct when the leading coefficient is a zero divisor, so that
/// <see cref="ZnPolynomial.Pow(ulong, long)"/> can check its size before any work instead of skipping the check.
/// </summary>
/// <remarks>
/// <para>By the Chinese remainder theorem a coefficient of P^e is 0 in Z_n exactly when it is 0 modulo every prime
/// power p^k of n, so deg(P^e) is the largest of the degrees modulo each p^k. Modulo p^k, let D = deg P and d the
/// largest index whose coefficient is not divisible by p (d = −1 when all are). Split P = A + pB with A the terms of
/// degree ≤ d; then P^e = Σ_j C(e, j) A^(e−j) p^j B^j, the terms with j ≥ k vanish (p^k = 0), and the j-th has
/// degree at most (e − j)d + jD. Hence deg(P^e mod p^k) ≤ e·d + min(e, k − 1)·(D − d). When d = −1, P = pB
/// and P^e = 0 for e ≥ k, else deg ≤ e·D.</para>
/// <para>The bound is exact when the leading coefficient is a unit (d = D for every p: e·D), and it is subadditive in
/// e, so it also bounds every factor repeated squaring multiplies on the way to P^e.</para>
/// </remarks>
internal static class PowerDegreeBound
{
    /// <summary>An upper bound on deg(P^e); −1 means P^e = 0 for certain. P^0 = 1 has degree 0.</summary>
    public static Int128 Of(ZnPolynomial p, ulong exponent)
    {
        if (exponent == 0) return 0;
        if (p.IsZero) return -1;
        var c = p.Coefficients;
        Int128 degree = p.Degree, bound = -1;
        foreach (var (prime, k) in p.Ring.Coefficients.PrimePowers)
        {
            int d = c.Length - 1;
            while (d >= 0 && c[d] % prime == 0) d--;
            Int128 b;
            if (d < 0) b = exponent < (ulong)k ? exponent * degree : -1;
            else b = exponent * (Int128)d + Math.Min(exponent, (ulong)(k - 1)) * (degree - d);
            if (b > bound) bound = b;
        }
        return bound;
    }

    /// <summary>
    /// The most coefficients any product of the repeated squaring in <see cref="ZnPolynomial.Pow(ulong, long)"/>
    /// computes (formal length deg a + deg b + 1 of each product of two non-zero factors), following the exponent's
    /// bits as the loop does; 1 when no product is needed.
    /// </summary>
    public static Int128 LongestProduct(ZnPolynomial p, ulong exponent)
    {
        Int128 longest = 1;
        ulong resultExponent = 0, squareExponent = 1; // result = P^resultExponent, b = P^squareExponent
        while (exponent != 0)
        {
            if ((exponent & 1) != 0)
            {
                longest = Max(longest, ProductLength(Of(p, resultExponent), Of(p, squareExponent)));
                resultExponent += squareExponent;
            }
            exponent >>= 1;
            if (exponent != 0)
            {
                Int128 b = Of(p, squareExponent);
                longest = Max(longest, ProductLength(b, b));
                squareExponent <<= 1;
            }
        }
        return longest;
    }

    private static Int128 ProductLength(Int128 degreeA, Int128 degreeB) =>
        degreeA < 0 || degreeB < 0 ? 0 : degreeA + degreeB + 1;

    private static Int128 Max(Int128 a, Int128 b) => a > b ? a : b;
}
