using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using FiberProduct.Algebra.Kernels;

namespace FiberProduct.Algebra;

/// <summary>
/// An immutable polynomial a_0 + a_1 x + … + a_d x^d over Z_n: an image patch (n = 256) or a tokenized
/// text (n = |V|) in the paper's model. Always normalised: the leading coefficient is non-zero, and the
/// zero polynomial has no coefficients and degree −1.
/// </summary>
/// <remarks>
/// Arithmetic between polynomials of different rings throws <see cref="ArgumentException"/>. Multiplication
/// chooses schoolbook, Karatsuba or a number-theoretic transform by length (see docs/performance.md); all
/// three are exact. Operations whose result can outgrow their inputs (multiplication, powers, composition) take a
/// limit on the coefficients they may compute (<see cref="PolynomialLimits"/>); a result that could exceed it, or
/// could not be stored at all, throws <see cref="ArgumentOutOfRangeException"/> before any work.
/// </remarks>
public sealed class ZnPolynomial : IEquatable<ZnPolynomial>
{
    private readonly uint[] coefficients;

    internal ZnPolynomial(PolynomialRing ring, uint[] normalisedCoefficients)
    {
        Ring = ring;
        coefficients = normalisedCoefficients;
    }

    /// <summary>The ring Z_n[x] this polynomial belongs to.</summary>
    public PolynomialRing Ring { get; }

    /// <summary>The degree d, or −1 for the zero polynomial.</summary>
    public int Degree => coefficients.Length - 1;

    /// <summary>The number of stored coefficients, Degree + 1 (0 for the zero polynomial).</summary>
    public int Length => coefficients.Length;

    /// <summary>Whether this is the zero polynomial.</summary>
    public bool IsZero => coefficients.Length == 0;

    /// <summary>The coefficients a_0 … a_d, lowest degree first (empty for zero).</summary>
    public ReadOnlySpan<uint> Coefficients => coefficients;

    /// <summary>The leading coefficient a_d (0 for the zero polynomial).</summary>
    public uint LeadingCoefficient => coefficients.Length == 0 ? 0 : coefficients[^1];

    /// <summary>The coefficient of x^i; 0 beyond the degree.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is negative.</exception>
    public uint this[int i]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(i);
            return i < coefficients.Length ? coefficients[i] : 0;
        }
    }

    private ModularReducer Mod => Ring.Coefficients.Reducer;

    /// <summary>The sum of two polynomials of the same ring, coefficient-wise mod n (O(max length)).</summary>
    /// <param name="left">The first summand.</param>
    /// <param name="right">The second summand, of the same ring.</param>
    /// <returns>left + right, a new normalised polynomial: its degree drops when the leading terms cancel.</returns>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    public static ZnPolynomial operator +(ZnPolynomial left, ZnPolynomial right) => Add(left, right);

    /// <summary>The difference of two polynomials of the same ring, coefficient-wise mod n (O(max length)).</summary>
    /// <param name="left">The minuend.</param>
    /// <param name="right">The subtrahend, of the same ring.</param>
    /// <returns>left − right, a new normalised polynomial (zero when they are equal).</returns>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    public static ZnPolynomial operator -(ZnPolynomial left, ZnPolynomial right) => Subtract(left, right);

    /// <summary>The additive inverse.</summary>
    /// <param name="value">The polynomial p.</param>
    /// <returns>−p: each coefficient a_i replaced by n − a_i (0 stays 0); same degree.</returns>
    public static ZnPolynomial operator -(ZnPolynomial value) => Negate(value);

    /// <summary>The product of two polynomials of the same ring, within <see cref="PolynomialLimits.DefaultMaxLength"/>
    /// (see <see cref="Multiply(ZnPolynomial, ZnPolynomial, long)"/>).</summary>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    /// <param name="left">The first factor.</param>
    /// <param name="right">The second factor, of the same ring.</param>
    /// <returns>The exact product in Z_n[x]. Over a composite n its degree can be below deg left + deg right (zero
    /// divisors); over a prime n, for non-zero factors, it is exactly the sum of the degrees.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The product's formal length exceeds the default limit.</exception>
    /// <example>
    /// <code>
    /// var ring = PolynomialRing.Z256;
    /// var p = ring.Create(1, 128);   // 128x + 1
    /// var q = ring.Create(0, 2);     // 2x
    /// var pq = p * q;                // 2x: the term 256x^2 vanishes in Z_256
    /// </code>
    /// </example>
    public static ZnPolynomial operator *(ZnPolynomial left, ZnPolynomial right) => Multiply(left, right);

    /// <summary>The scalar multiple c·p, c a residue of the coefficient ring.</summary>
    /// <param name="scalar">c, in 0 … n − 1.</param>
    /// <param name="polynomial">p.</param>
    /// <returns>c·p, each coefficient multiplied by c mod n; zero when c = 0, shorter when c·a_d ≡ 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scalar"/> is ≥ n.</exception>
    public static ZnPolynomial operator *(uint scalar, ZnPolynomial polynomial) => Multiply(polynomial, scalar);

    /// <summary>The scalar multiple p·c, c a residue of the coefficient ring.</summary>
    /// <param name="polynomial">p.</param>
    /// <param name="scalar">c, in 0 … n − 1.</param>
    /// <returns>p·c, each coefficient multiplied by c mod n; zero when c = 0, shorter when a_d·c ≡ 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scalar"/> is ≥ n.</exception>
    public static ZnPolynomial operator *(ZnPolynomial polynomial, uint scalar) => Multiply(polynomial, scalar);

    /// <summary>The quotient of <see cref="DivRem"/>.</summary>
    /// <param name="dividend">a.</param>
    /// <param name="divisor">b, of the same ring, with a unit leading coefficient.</param>
    /// <returns>The quotient q of a = q·b + r, deg r &lt; deg b.</returns>
    /// <exception cref="ArgumentException">The rings differ, or the divisor's leading coefficient is not a
    /// unit.</exception>
    /// <exception cref="DivideByZeroException">The divisor is zero.</exception>
    public static ZnPolynomial operator /(ZnPolynomial dividend, ZnPolynomial divisor) => Divide(dividend, divisor);

    /// <summary>The remainder of <see cref="DivRem"/>.</summary>
    /// <param name="dividend">a.</param>
    /// <param name="divisor">b, of the same ring, with a unit leading coefficient.</param>
    /// <returns>The remainder r of a = q·b + r, deg r &lt; deg b: a mod b.</returns>
    /// <exception cref="ArgumentException">The rings differ, or the divisor's leading coefficient is not a
    /// unit.</exception>
    /// <exception cref="DivideByZeroException">The divisor is zero.</exception>
    public static ZnPolynomial operator %(ZnPolynomial dividend, ZnPolynomial divisor) => Remainder(dividend, divisor);

    /// <summary>Equality of value: same ring, same coefficients.</summary>
    /// <param name="left">A polynomial, or null.</param>
    /// <param name="right">A polynomial, or null.</param>
    /// <returns>True when both are null, or both have the same modulus and coefficients.</returns>
    public static bool operator ==(ZnPolynomial? left, ZnPolynomial? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Inequality of value.</summary>
    /// <param name="left">A polynomial, or null.</param>
    /// <param name="right">A polynomial, or null.</param>
    /// <returns>The negation of <c>left == right</c>.</returns>
    public static bool operator !=(ZnPolynomial? left, ZnPolynomial? right) => !(left == right);

    /// <summary>left + right, coefficient by coefficient mod n (O(max length)).</summary>
    /// <param name="left">The first summand.</param>
    /// <param name="right">The second summand, of the same ring.</param>
    /// <returns>A new normalised polynomial.</returns>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    public static ZnPolynomial Add(ZnPolynomial left, ZnPolynomial right)
    {
        var ring = CommonRing(left, right);
        if (left.Length < right.Length) (left, right) = (right, left);
        var sum = (uint[])left.coefficients.Clone();
        ModularVectors.Add(sum.AsSpan(0, right.Length), right.coefficients, sum, ring.Coefficients.Reducer);
        return ring.FromCanonical(sum);
    }

    /// <summary>left − right, coefficient by coefficient mod n (O(max length)).</summary>
    /// <param name="left">The minuend.</param>
    /// <param name="right">The subtrahend, of the same ring.</param>
    /// <returns>A new normalised polynomial.</returns>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    public static ZnPolynomial Subtract(ZnPolynomial left, ZnPolynomial right)
    {
        var ring = CommonRing(left, right);
        var difference = new uint[Math.Max(left.Length, right.Length)];
        left.coefficients.CopyTo(difference, 0);
        ModularVectors.Subtract(difference.AsSpan(0, right.Length), right.coefficients, difference,
            ring.Coefficients.Reducer);
        return ring.FromCanonical(difference);
    }

    /// <summary>−value.</summary>
    /// <param name="value">The polynomial p.</param>
    /// <returns>−p, of the same degree.</returns>
    public static ZnPolynomial Negate(ZnPolynomial value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mod = value.Mod;
        var result = new uint[value.Length];
        for (int i = 0; i < result.Length; i++) result[i] = mod.Negate(value.coefficients[i]);
        return new ZnPolynomial(value.Ring, result);
    }

    /// <summary>left · right, with at most <see cref="PolynomialLimits.DefaultMaxLength"/> coefficients
    /// computed.</summary>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    /// <param name="left">The first factor.</param>
    /// <param name="right">The second factor, of the same ring.</param>
    /// <returns>The exact product in Z_n[x] (see <see cref="Multiply(ZnPolynomial, ZnPolynomial, long)"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The product's formal length exceeds the default limit, or could
    /// not be stored.</exception>
    /// <example>
    /// <code>
    /// var ring = PolynomialRing.ForVocabulary(100277);
    /// var p = ring.Create(3, 0, 1);                     // x^2 + 3
    /// var q = ring.Create(5, 1);                        // x + 5
    /// var pq = ZnPolynomial.Multiply(p, q);             // x^3 + 5x^2 + 3x + 15
    /// var capped = ZnPolynomial.Multiply(p, q, 1 &lt;&lt; 20);  // the same, refused beyond 2^20 coefficients
    /// </code>
    /// </example>
    public static ZnPolynomial Multiply(ZnPolynomial left, ZnPolynomial right) =>
        Multiply(left, right, PolynomialLimits.DefaultMaxLength);

    /// <summary>
    /// left · right, refused before any work when its formal length deg left + deg right + 1 exceeds
    /// <paramref name="maxLength"/>. The formal length is what the kernels compute and allocate; over a composite n the
    /// stored product can be shorter (leading coefficients that multiply to zero), and it is still the formal length
    /// that is checked.
    /// <para>
    /// The algorithm is chosen by the length of the shorter factor and the size of n: schoolbook O(l_a·l_b) for short
    /// factors, Karatsuba O(l^1.585) for mid lengths when n is near 2^32, and a number-theoretic transform over one to
    /// three word-sized primes, O(l log l), recombined exactly, for long ones (docs/performance.md). Every path gives
    /// the same coefficients; one array of the formal length is allocated for the result (plus transform buffers).
    /// </para>
    /// </summary>
    /// <param name="left">The first factor.</param>
    /// <param name="right">The second factor, of the same ring.</param>
    /// <param name="maxLength">The most coefficients the product may have; at least 1.</param>
    /// <returns>The exact product in Z_n[x], normalised.</returns>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1, or the product would have
    /// more coefficients than it allows, than an array can hold or than the process's memory holds (ParamName "right",
    /// the value its degree).</exception>
    public static ZnPolynomial Multiply(ZnPolynomial left, ZnPolynomial right, long maxLength)
    {
        PolynomialLimits.CheckLimit(maxLength, nameof(maxLength));
        return Multiply(left, right, MultiplicationAlgorithm.Automatic, maxLength);
    }

    internal static ZnPolynomial Multiply(ZnPolynomial left, ZnPolynomial right, MultiplicationAlgorithm algorithm,
        long maxLength = PolynomialLimits.DefaultMaxLength)
    {
        var ring = CommonRing(left, right);
        if (left.IsZero || right.IsZero) return ring.Zero;
        long length = (long)left.Length + right.Length - 1;
        PolynomialLimits.Ensure(length, maxLength, nameof(right), right.Degree,
            string.Create(CultureInfo.InvariantCulture,
                $"The product of polynomials of degrees {left.Degree} and {right.Degree}"));
        var product = CoefficientArray.AllocateUninitialized(length, nameof(right)); // every kernel writes all of it
        PolynomialMultiplication.Multiply(left.coefficients, right.coefficients, product,
            ring.Coefficients.Reducer, algorithm);
        return ring.FromCanonical(product); // over a composite n the leading coefficients can multiply to zero
    }

    /// <summary>The scalar multiple c·p.</summary>
    /// <param name="polynomial">p.</param>
    /// <param name="scalar">c, in 0 … n − 1.</param>
    /// <returns>c·p, each coefficient multiplied by c mod n; zero when c = 0, shorter when c·a_d ≡ 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scalar"/> is not a residue of the coefficient
    /// ring.</exception>
    public static ZnPolynomial Multiply(ZnPolynomial polynomial, uint scalar)
    {
        ArgumentNullException.ThrowIfNull(polynomial);
        polynomial.Ring.Coefficients.Check(scalar, nameof(scalar));
        var mod = polynomial.Mod;
        var result = new uint[polynomial.Length];
        for (int i = 0; i < result.Length; i++) result[i] = mod.Multiply(polynomial.coefficients[i], scalar);
        return polynomial.Ring.FromCanonical(result);
    }

    /// <summary>The quotient q of dividend = q·divisor + r (see <see cref="DivRem"/>).</summary>
    /// <param name="dividend">a.</param>
    /// <param name="divisor">b, of the same ring, with a unit leading coefficient.</param>
    /// <returns>The quotient q, of degree deg a − deg b (zero when deg a &lt; deg b).</returns>
    /// <exception cref="ArgumentException">The rings differ, or the divisor's leading coefficient is not a
    /// unit.</exception>
    /// <exception cref="DivideByZeroException">The divisor is zero.</exception>
    public static ZnPolynomial Divide(ZnPolynomial dividend, ZnPolynomial divisor) =>
        DivRem(dividend, divisor).Quotient;

    /// <summary>The remainder r of dividend = q·divisor + r (see <see cref="DivRem"/>).</summary>
    /// <param name="dividend">a.</param>
    /// <param name="divisor">b, of the same ring, with a unit leading coefficient.</param>
    /// <returns>The remainder r, deg r &lt; deg b.</returns>
    /// <exception cref="ArgumentException">The rings differ, or the divisor's leading coefficient is not a
    /// unit.</exception>
    /// <exception cref="DivideByZeroException">The divisor is zero.</exception>
    public static ZnPolynomial Remainder(ZnPolynomial dividend, ZnPolynomial divisor) =>
        DivRem(dividend, divisor).Remainder;

    /// <summary>
    /// Division with remainder: the unique q, r with dividend = q·divisor + r and deg r &lt; deg divisor. It exists
    /// over any Z_n when the leading coefficient of the divisor is a unit; classical long division, O(deg q
    /// · deg divisor).
    /// </summary>
    /// <param name="dividend">a.</param>
    /// <param name="divisor">b ≠ 0, of the same ring, its leading coefficient a unit of Z_n (gcd(lead,
    /// n) = 1).</param>
    /// <returns>The pair (q, r) with a = q·b + r and deg r &lt; deg b; (0, a) when deg a &lt; deg b.</returns>
    /// <exception cref="ArgumentException">The rings differ, or the divisor's leading coefficient is not a unit of Z_n
    /// (the message names both).</exception>
    /// <exception cref="DivideByZeroException">The divisor is zero.</exception>
    /// <example>
    /// <code>
    /// var ring = PolynomialRing.Z256;
    /// var p = ring.Create(12, 200, 255, 0, 37);          // 37x^4 + 255x^2 + 200x + 12
    /// var d = ring.Create(4, 2, 3);                      // 3x^2 + 2x + 4: 3 is a unit of Z_256
    /// var (q, r) = ZnPolynomial.DivRem(p, d);            // q·d + r == p, deg r &lt; 2
    /// // ZnPolynomial.DivRem(p, ring.Create(1, 2)) throws ArgumentException: 2 is not a unit mod 256
    /// </code>
    /// </example>
    public static (ZnPolynomial Quotient, ZnPolynomial Remainder) DivRem(ZnPolynomial dividend, ZnPolynomial divisor)
    {
        var ring = CommonRing(dividend, divisor);
        if (divisor.IsZero) throw new DivideByZeroException("Division by the zero polynomial.");
        uint lead = divisor.LeadingCoefficient;
        if (!ring.Coefficients.TryInverse(lead, out uint leadInverse))
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The leading coefficient {lead} of the divisor (degree {divisor.Degree}) is not a unit in "
                    + $"Z_{ring.Modulus} (gcd({lead}, {ring.Modulus}) = {ring.Coefficients.Gcd(lead)}); division with "
                    + $"remainder needs a unit leading coefficient."),
                nameof(divisor));
        if (dividend.Degree < divisor.Degree) return (ring.Zero, dividend);

        var mod = ring.Coefficients.Reducer;
        var r = (uint[])dividend.coefficients.Clone();
        var q = new uint[dividend.Degree - divisor.Degree + 1];
        ReadOnlySpan<uint> b = divisor.coefficients;
        int db = divisor.Degree;
        for (int i = q.Length - 1; i >= 0; i--)
        {
            uint c = mod.Multiply(r[i + db], leadInverse);
            q[i] = c;
            if (c == 0) continue;
            var row = r.AsSpan(i, db + 1);
            for (int j = 0; j <= db; j++) row[j] = mod.Subtract(row[j], mod.Multiply(c, b[j]));
        }
        return (ring.FromCanonical(q), ring.FromCanonical(r.AsSpan(0, db).ToArray()));
    }

    /// <summary>p^e by repeated squaring, p^0 = 1 (also for p = 0), with the default limit
    /// <see cref="PolynomialLimits.DefaultMaxLength"/>.</summary>
    /// <param name="exponent">The exponent e.</param>
    /// <returns>p^e in Z_n[x].</returns>
    /// <exception cref="ArgumentOutOfRangeException">The power could be longer than the default limit allows (see
    /// <see cref="Pow(ulong, long)"/>).</exception>
    public ZnPolynomial Pow(ulong exponent) => Pow(exponent, PolynomialLimits.DefaultMaxLength);

    /// <summary>
    /// p^e by repeated squaring; p^0 = 1 (also for p = 0). Before any product is computed, the longest product the
    /// squaring would compute is bounded from the exponent's bits and a bound on deg(p^j) that is correct over every
    /// Z_n: e·deg p when the leading coefficient is a unit, and otherwise the bound of the nilpotent coefficients
    /// modulo each prime power of n (docs/theorems.md, "Size limits"). So (2x + 1)^(2^40) over Z_4, which is 1, is
    /// computed, while (2x² + x)^(2^40) over Z_4, of degree 2^40 + 1, is refused at once.
    /// </summary>
    /// <param name="exponent">The exponent e.</param>
    /// <param name="maxLength">The most coefficients the result and every intermediate product may have; at
    /// least 1.</param>
    /// <returns>p^e in Z_n[x], computed with O(log e) exact multiplications.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1, or the bound exceeds it,
    /// an array's capacity or the process's memory (ParamName "exponent", the value e); nothing has been
    /// computed.</exception>
    public ZnPolynomial Pow(ulong exponent, long maxLength)
    {
        PolynomialLimits.CheckLimit(maxLength, nameof(maxLength));
        Int128 longest = PowerDegreeBound.LongestProduct(this, exponent);
        PolynomialLimits.Ensure(longest, maxLength, nameof(exponent), exponent,
            string.Create(CultureInfo.InvariantCulture,
                $"({Ring} polynomial of degree {Degree})^{exponent}, by repeated squaring (result of degree at most "
                + $"{PowerDegreeBound.Of(this, exponent)}),"));
        // Every factor below has degree within the bound, so each product passes the same limit: no check
        // can fail midway.
        var result = Ring.One;
        var b = this;
        while (exponent != 0)
        {
            if ((exponent & 1) != 0) result = Multiply(result, b, MultiplicationAlgorithm.Automatic, maxLength);
            exponent >>= 1;
            if (exponent != 0) b = Multiply(b, b, MultiplicationAlgorithm.Automatic, maxLength);
        }
        return result;
    }

    /// <summary>The value p(x) in Z_n, by Horner's rule: d multiplications and additions mod n, no
    /// allocation.</summary>
    /// <param name="x">The point, a residue 0 … n − 1.</param>
    /// <returns>p(x) mod n, in 0 … n − 1 (0 for the zero polynomial). Evaluation at x is a ring homomorphism
    /// Z_n[x] → Z_n: (p·q)(x) = p(x)·q(x) mod n (see <see cref="RingHomomorphism.Evaluation"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is not a residue of Z_n.</exception>
    /// <example>
    /// <code>
    /// var ring = PolynomialRing.Z256;
    /// var p = ring.Create(12, 200, 255, 0, 37);
    /// uint value = p.Evaluate(3);                        // 12 + 200·3 + 255·9 + 37·81 mod 256
    /// var q = ring.Create(4, 2, 3);
    /// bool homomorphism = (p * q).Evaluate(3) == ring.Coefficients.Multiply(value, q.Evaluate(3));   // true
    /// </code>
    /// </example>
    public uint Evaluate(uint x)
    {
        Ring.Coefficients.Check(x, nameof(x));
        var mod = Mod;
        uint value = 0;
        for (int i = coefficients.Length - 1; i >= 0; i--) value = mod.Reduce((ulong)value * x + coefficients[i]);
        return value;
    }

    /// <summary>The composition p(q(x)), with the default limit
    /// <see cref="PolynomialLimits.DefaultMaxLength"/>.</summary>
    /// <param name="inner">q, of the same ring.</param>
    /// <returns>p ∘ q, of degree at most deg p · deg q.</returns>
    /// <exception cref="ArgumentException"><paramref name="inner"/> belongs to a different ring.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The composition could be longer than the default limit allows (see
    /// <see cref="Compose(ZnPolynomial, long)"/>).</exception>
    public ZnPolynomial Compose(ZnPolynomial inner) => Compose(inner, PolynomialLimits.DefaultMaxLength);

    /// <summary>
    /// The composition p(q(x)), by Horner's rule over polynomials, refused before any work when deg p · deg q + 1 (the
    /// formal length of the result and the longest product Horner's rule computes) exceeds
    /// <paramref name="maxLength"/>. Over a composite n the result can be shorter; the formal length is checked all the
    /// same, because Horner's intermediate products reach it whenever q's leading coefficient is a unit.
    /// </summary>
    /// <param name="inner">q, of the same ring.</param>
    /// <param name="maxLength">The most coefficients the result and every intermediate product may have; at
    /// least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="inner"/> belongs to a different ring.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1, or the formal length
    /// exceeds it, an array's capacity or the process's memory (ParamName "inner", the value its degree).</exception>
    /// <returns>p ∘ q, of degree at most deg p · deg q.</returns>
    public ZnPolynomial Compose(ZnPolynomial inner, long maxLength)
    {
        var ring = CommonRing(this, inner);
        PolynomialLimits.CheckLimit(maxLength, nameof(maxLength));
        if (Degree >= 1 && inner.Degree >= 1)
            PolynomialLimits.Ensure((Int128)Degree * inner.Degree + 1, maxLength, nameof(inner), inner.Degree,
                string.Create(CultureInfo.InvariantCulture,
                    $"The composition of degree-{Degree} and degree-{inner.Degree} polynomials"));
        var result = ring.Zero;
        for (int i = coefficients.Length - 1; i >= 0; i--)
            result = Multiply(result, inner, MultiplicationAlgorithm.Automatic, maxLength)
                + ring.Constant(coefficients[i]);
        return result;
    }

    /// <summary>The formal derivative Σ i·a_i x^(i−1).</summary>
    /// <returns>p′, with i·a_i reduced mod n (the degree can drop: 2x^2 over Z_4 has p′ = 0).</returns>
    public ZnPolynomial Derivative()
    {
        if (coefficients.Length <= 1) return Ring.Zero;
        var mod = Mod;
        var result = new uint[coefficients.Length - 1];
        for (int i = 1; i < coefficients.Length; i++)
            result[i - 1] = mod.Multiply(mod.Reduce((ulong)i), coefficients[i]);
        return Ring.FromCanonical(result);
    }

    /// <summary>p mod x^k: the terms of degree below k.</summary>
    /// <param name="k">The number of low-order terms kept, at least 0.</param>
    /// <returns>The truncation (this instance when k exceeds the degree; zero when k = 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is negative.</exception>
    public ZnPolynomial Truncate(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        return k >= coefficients.Length ? this : Ring.FromCanonical(coefficients[..k]);
    }

    /// <summary>
    /// The image of p in the quotient ring Z_n[x]/(x^N − 1): x^i ↦ x^(i mod N), the ring of cyclic convolution
    /// in which fixed-size patches of N pixels multiply. The result has degree below N.
    /// </summary>
    /// <param name="n">N, the period, at least 1.</param>
    /// <returns>The reduced polynomial (this instance when deg p &lt; N).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1.</exception>
    public ZnPolynomial ReduceCyclic(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (coefficients.Length <= n) return this;
        var mod = Mod;
        var result = coefficients[..n];
        for (int start = n; start < coefficients.Length; start += n)
        {
            var block = coefficients.AsSpan(start, Math.Min(n, coefficients.Length - start));
            ModularVectors.Add(result.AsSpan(0, block.Length), block, result, mod);
        }
        return Ring.FromCanonical(result);
    }

    /// <summary>The product in Z_n[x]/(x^N − 1): the cyclic convolution of the two reduced coefficient
    /// vectors.</summary>
    /// <param name="other">The second factor, of the same ring.</param>
    /// <param name="n">N, the period, at least 1.</param>
    /// <returns>The product reduced mod x^N − 1, degree below N.</returns>
    /// <exception cref="ArgumentException">The polynomials belong to different rings.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1, or the product of the reduced
    /// factors (up to 2N − 1 coefficients) exceeds <see cref="PolynomialLimits.DefaultMaxLength"/>.</exception>
    public ZnPolynomial MultiplyCyclic(ZnPolynomial other, int n)
    {
        CommonRing(this, other);
        return (ReduceCyclic(n) * other.ReduceCyclic(n)).ReduceCyclic(n);
    }

    /// <inheritdoc/>
    public bool Equals(ZnPolynomial? other) =>
        other is not null && other.Ring == Ring && other.coefficients.AsSpan().SequenceEqual(coefficients);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ZnPolynomial);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Ring.Modulus);
        hash.AddBytes(MemoryMarshal.AsBytes(coefficients.AsSpan()));
        return hash.ToHashCode();
    }

    /// <summary>The polynomial in descending powers, e.g. <c>3x^2 + 255x + 1</c>; coefficients are residues 0 … n
    /// − 1, a coefficient 1 is omitted before x, and zero is <c>0</c>.</summary>
    public override string ToString()
    {
        if (IsZero) return "0";
        var text = new StringBuilder();
        for (int i = coefficients.Length - 1; i >= 0; i--)
        {
            uint c = coefficients[i];
            if (c == 0) continue;
            if (text.Length > 0) text.Append(" + ");
            if (c != 1 || i == 0) text.Append(c.ToString(CultureInfo.InvariantCulture));
            if (i >= 1) text.Append('x');
            if (i >= 2) text.Append('^').Append(i.ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static PolynomialRing CommonRing(ZnPolynomial left, ZnPolynomial right,
        [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(right))] string? rightName = null)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right, rightName);
        if (left.Ring != right.Ring)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"Cannot combine a polynomial over {left.Ring} with one over {right.Ring}: they "
                    + $"belong to different rings."),
                rightName);
        return left.Ring;
    }
}
