using System.Globalization;
using FiberProduct.Algebra.Kernels;

namespace FiberProduct.Algebra;

/// <summary>
/// The ring Z_n = Z/nZ of integers modulo n, 2 ≤ n &lt; 2^32: the coefficient ring of the paper's
/// image polynomials (n = 256, pixel intensities) and text polynomials (n = |V|, token ids).
/// </summary>
/// <remarks>
/// Elements are represented by their canonical residues 0 … n − 1 as <see cref="uint"/>. Every method
/// rejects a value outside that range with an <see cref="ArgumentOutOfRangeException"/> instead of
/// reducing it silently; use <see cref="Reduce(long)"/> to reduce an arbitrary integer on purpose.
/// Two instances with the same modulus are the same ring (value equality). Every operation is O(1) but
/// <see cref="Power"/> (O(log e)) and <see cref="Gcd"/>, <see cref="Inverse"/> (O(log n)); none allocates.
/// </remarks>
/// <example>
/// <code>
/// var z = ResidueRing.Z256;
/// uint s = z.Add(200, 100);           // 44
/// uint p = z.Multiply(16, 16);        // 0: 16 is a zero divisor of Z_256
/// uint inv = z.Inverse(7);            // 183, since 7 · 183 = 1281 = 5 · 256 + 1
/// bool unit = z.IsUnit(6);            // false: gcd(6, 256) = 2
/// uint r = z.Reduce(-1);              // 255, the one explicit wrap-around
/// </code>
/// </example>
public sealed class ResidueRing : IEquatable<ResidueRing>
{
    internal readonly ModularReducer Reducer;

    /// <summary>Creates Z_n.</summary>
    /// <param name="modulus">The modulus n, at least 2.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modulus"/> is below 2.</exception>
    /// <example>
    /// <code>
    /// var z7 = new ResidueRing(7);        // a field: every non-zero residue is a unit
    /// uint third = z7.Inverse(3);         // 5
    /// </code>
    /// </example>
    public ResidueRing(uint modulus)
    {
        if (modulus < 2)
            throw new ArgumentOutOfRangeException(nameof(modulus), modulus, "The modulus of Z_n must be at least 2.");
        Reducer = new ModularReducer(modulus);
    }

    /// <summary>Z_256: pixel intensities, the coefficient ring of image polynomials.</summary>
    public static ResidueRing Z256 { get; } = new(256);

    /// <summary>Z_|V| for a tokenizer with the given vocabulary size: the coefficient ring of text
    /// polynomials.</summary>
    /// <param name="vocabularySize">|V|, the number of token ids 0 … |V| − 1; at least 2.</param>
    /// <returns>Z_|V|, equal to every other instance of that modulus.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> is below 2.</exception>
    /// <example>
    /// <code>
    /// var tokens = ResidueRing.ForVocabulary(100277);   // cl100k_base, special tokens included
    /// bool holds = tokens.Contains(100276);             // true: the largest id
    /// </code>
    /// </example>
    public static ResidueRing ForVocabulary(int vocabularySize)
    {
        if (vocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize,
                "A vocabulary must hold at least 2 tokens.");
        return new ResidueRing((uint)vocabularySize);
    }

    /// <summary>The modulus n.</summary>
    public uint Modulus => Reducer.Modulus;

    /// <summary>Whether <paramref name="value"/> is a canonical residue, 0 ≤ value &lt; n.</summary>
    /// <param name="value">Any unsigned integer.</param>
    /// <returns>True when value &lt; n, so that the other methods accept it.</returns>
    public bool Contains(uint value) => value < Modulus;

    /// <summary>The residue of an arbitrary integer (explicit reduction, the only place values are wrapped).</summary>
    /// <param name="value">Any integer, negative included.</param>
    /// <returns>value mod n in 0 … n − 1 (the mathematical residue: −1 gives n − 1, not −1 as C#'s %
    /// would).</returns>
    public uint Reduce(long value)
    {
        long r = value % Modulus;
        return (uint)(r < 0 ? r + Modulus : r);
    }

    /// <summary>a + b in Z_n.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <param name="b">A residue 0 … n − 1.</param>
    /// <returns>(a + b) mod n, computed without overflow.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An operand is ≥ n (never reduced silently).</exception>
    public uint Add(uint a, uint b) => Reducer.Add(Check(a, nameof(a)), Check(b, nameof(b)));

    /// <summary>a − b in Z_n.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <param name="b">A residue 0 … n − 1.</param>
    /// <returns>(a − b) mod n, in 0 … n − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An operand is ≥ n (never reduced silently).</exception>
    public uint Subtract(uint a, uint b) => Reducer.Subtract(Check(a, nameof(a)), Check(b, nameof(b)));

    /// <summary>−a in Z_n.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <returns>n − a, or 0 when a = 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="a"/> is ≥ n.</exception>
    public uint Negate(uint a) => Reducer.Negate(Check(a, nameof(a)));

    /// <summary>a · b in Z_n.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <param name="b">A residue 0 … n − 1.</param>
    /// <returns>(a · b) mod n, exact (the product is formed in 64 bits).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An operand is ≥ n (never reduced silently).</exception>
    public uint Multiply(uint a, uint b) => Reducer.Multiply(Check(a, nameof(a)), Check(b, nameof(b)));

    /// <summary>a^e in Z_n by repeated squaring (a^0 = 1, including 0^0), O(log e) multiplications.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <param name="exponent">e, any non-negative integer.</param>
    /// <returns>a^e mod n.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="a"/> is ≥ n.</exception>
    public uint Power(uint a, ulong exponent)
    {
        uint b = Check(a, nameof(a));
        uint result = 1;
        while (exponent != 0)
        {
            if ((exponent & 1) != 0) result = Reducer.Multiply(result, b);
            b = Reducer.Multiply(b, b);
            exponent >>= 1;
        }
        return result;
    }

    /// <summary>gcd(a, n); a is a unit exactly when this is 1.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <returns>gcd(a, n), in 1 … n (n for a = 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="a"/> is ≥ n.</exception>
    public uint Gcd(uint a)
    {
        uint x = Check(a, nameof(a)), y = Modulus;
        while (x != 0) (x, y) = (y % x, x);
        return y;
    }

    /// <summary>Whether a has a multiplicative inverse in Z_n, that is gcd(a, n) = 1.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <returns>True for a unit; false for 0 and the zero divisors (over Z_256: the even residues).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="a"/> is ≥ n.</exception>
    public bool IsUnit(uint a) => Gcd(a) == 1;

    /// <summary>The inverse a⁻¹ with a · a⁻¹ = 1 in Z_n, by the extended Euclidean algorithm
    /// (O(log n)).</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <returns>a⁻¹, in 1 … n − 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="a"/> is ≥ n.</exception>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not a unit (gcd(a, n) ≠ 1).</exception>
    public uint Inverse(uint a)
    {
        if (!TryInverse(Check(a, nameof(a)), out uint inverse))
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"{a} is not a unit in Z_{Modulus}: gcd({a}, {Modulus}) = {Gcd(a)}."), nameof(a));
        return inverse;
    }

    /// <summary>Tries to invert a; false when a is not a unit.</summary>
    /// <param name="a">A residue 0 … n − 1.</param>
    /// <param name="inverse">a⁻¹ when a is a unit, otherwise 0.</param>
    /// <returns>True when gcd(a, n) = 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="a"/> is ≥ n.</exception>
    public bool TryInverse(uint a, out uint inverse)
    {
        // Extended Euclid on (n, a), tracking only the coefficient of a: r_i ≡ s_i · a (mod n).
        long r0 = Modulus, r1 = Check(a, nameof(a)), s0 = 0, s1 = 1;
        while (r1 != 0)
        {
            long q = r0 / r1;
            (r0, r1) = (r1, r0 - q * r1);
            (s0, s1) = (s1, s0 - q * s1);
        }
        inverse = r0 == 1 ? Reduce(s0) : 0;
        return r0 == 1;
    }

    /// <inheritdoc/>
    public bool Equals(ResidueRing? other) => other is not null && other.Modulus == Modulus;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ResidueRing);

    /// <inheritdoc/>
    public override int GetHashCode() => Modulus.GetHashCode();

    /// <summary>"Z_n".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Z_{Modulus}");

    /// <summary>Value equality of rings: same modulus.</summary>
    /// <param name="left">A ring, or null.</param>
    /// <param name="right">A ring, or null.</param>
    /// <returns>True when both are null or both have the same modulus.</returns>
    public static bool operator ==(ResidueRing? left, ResidueRing? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality of rings.</summary>
    /// <param name="left">A ring, or null.</param>
    /// <param name="right">A ring, or null.</param>
    /// <returns>The negation of <c>left == right</c>.</returns>
    public static bool operator !=(ResidueRing? left, ResidueRing? right) => !(left == right);

    private (uint Prime, int Exponent)[]? primePowers;

    /// <summary>
    /// The factorisation n = ∏ p_i^k_i, primes ascending, by trial division (at most 2^16 divisions for n &lt; 2^32),
    /// computed on first use. The degree bound of <see cref="ZnPolynomial.Pow(ulong)"/> needs it: over Z_{p^k} the
    /// coefficients divisible by p are exactly the nilpotent ones.
    /// </summary>
    internal (uint Prime, int Exponent)[] PrimePowers => primePowers ??= Factor(Modulus);

    private static (uint Prime, int Exponent)[] Factor(uint n)
    {
        var factors = new List<(uint, int)>();
        for (uint p = 2; (ulong)p * p <= n; p++)
        {
            if (n % p != 0) continue;
            int k = 0;
            while (n % p == 0) { n /= p; k++; }
            factors.Add((p, k));
        }
        if (n > 1) factors.Add((n, 1));
        return [.. factors];
    }

    internal uint Check(uint value, string paramName)
    {
        if (value >= Modulus)
            throw new ArgumentOutOfRangeException(paramName, value,
                string.Create(CultureInfo.InvariantCulture,
                    $"Not a residue of Z_{Modulus}: expected 0 ≤ value < {Modulus}."));
        return value;
    }
}
