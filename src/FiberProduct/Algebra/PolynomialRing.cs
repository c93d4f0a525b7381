using System.Globalization;

namespace FiberProduct.Algebra;

/// <summary>
/// The polynomial ring Z_n[x]. Images are polynomials over Z_256 (pixel intensities as coefficients),
/// texts polynomials over Z_|V| (token ids as coefficients), as in arXiv 2412.00373 §2.
/// </summary>
/// <remarks>Two rings with the same modulus are equal; polynomials of unequal rings never mix.</remarks>
/// <example>
/// <code>
/// var images = PolynomialRing.Z256;                   // Z_256[x]: pixel intensities as coefficients
/// var texts = PolynomialRing.ForVocabulary(100277);   // Z_|V|[x] for cl100k_base: token ids as coefficients
/// var patch = images.Create(12, 200, 255, 0, 37);     // 37x^4 + 255x^2 + 200x + 12
/// var caption = texts.Create([32, 8415, 11961]);      // token ids, the first the constant term
/// var square = patch * patch;                         // exact in Z_256[x]
/// // patch * caption throws ArgumentException: the rings differ
/// </code>
/// </example>
public sealed class PolynomialRing : IEquatable<PolynomialRing>
{
    /// <summary>Creates Z_n[x] over the given coefficient ring.</summary>
    /// <param name="coefficients">Z_n.</param>
    /// <exception cref="ArgumentNullException"><paramref name="coefficients"/> is null.</exception>
    public PolynomialRing(ResidueRing coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        Coefficients = coefficients;
        Zero = new ZnPolynomial(this, []);
        One = new ZnPolynomial(this, [1]);
        X = new ZnPolynomial(this, [0, 1]);
    }

    /// <summary>Creates Z_n[x] for a modulus 2 ≤ n &lt; 2^32.</summary>
    /// <param name="modulus">n, at least 2.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modulus"/> is below 2.</exception>
    public PolynomialRing(uint modulus) : this(new ResidueRing(modulus)) { }

    /// <summary>Z_256[x], the ring of image patches.</summary>
    public static PolynomialRing Z256 { get; } = new(ResidueRing.Z256);

    /// <summary>Z_|V|[x], the ring of texts tokenized with a vocabulary of the given size.</summary>
    /// <param name="vocabularySize">|V|, the number of token ids 0 … |V| − 1; at least 2.</param>
    /// <returns>Z_|V|[x], equal to every other ring of that modulus.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> is below 2.</exception>
    /// <example>
    /// <code>
    /// var ring = PolynomialRing.ForVocabulary(30522);    // BERT base uncased
    /// var text = ring.Create([101, 7592, 2088, 102]);     // [CLS] hello world [SEP]
    /// </code>
    /// </example>
    public static PolynomialRing ForVocabulary(int vocabularySize) => new(ResidueRing.ForVocabulary(vocabularySize));

    /// <summary>The coefficient ring Z_n.</summary>
    public ResidueRing Coefficients { get; }

    /// <summary>The modulus n of the coefficients.</summary>
    public uint Modulus => Coefficients.Modulus;

    /// <summary>The zero polynomial (degree −1).</summary>
    public ZnPolynomial Zero { get; }

    /// <summary>The constant 1.</summary>
    public ZnPolynomial One { get; }

    /// <summary>The indeterminate x.</summary>
    public ZnPolynomial X { get; }

    /// <summary>
    /// The polynomial c_0 + c_1 x + … with the given coefficients, lowest degree first. Trailing zeros are
    /// dropped (the result is normalised); a coefficient outside 0 … n − 1 is rejected, never reduced.
    /// </summary>
    /// <param name="coefficients">c_0, c_1, …, each in 0 … n − 1; copied.</param>
    /// <returns>The normalised polynomial (zero for no coefficients or all zeros).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A coefficient is ≥ n; the message names its index and
    /// value.</exception>
    /// <example>
    /// <code>
    /// var p = PolynomialRing.Z256.Create(12, 200, 255, 0, 37);   // 37x^4 + 255x^2 + 200x + 12, degree 4
    /// var same = PolynomialRing.Z256.Create(12, 200, 255, 0, 37, 0, 0);   // trailing zeros dropped: p == same
    /// // PolynomialRing.Z256.Create(256) throws ArgumentOutOfRangeException: 256 is not reduced silently
    /// </code>
    /// </example>
    public ZnPolynomial Create(params ReadOnlySpan<uint> coefficients)
    {
        for (int i = 0; i < coefficients.Length; i++)
            if (coefficients[i] >= Modulus)
                throw new ArgumentOutOfRangeException(nameof(coefficients), coefficients[i],
                    string.Create(CultureInfo.InvariantCulture,
                        $"Coefficient {i} is {coefficients[i]}, not a residue of Z_{Modulus} "
                        + $"(expected 0 ≤ c < {Modulus})."));
        return FromCanonical(coefficients.ToArray());
    }

    /// <summary>
    /// The polynomial with the given coefficients (token ids, intensities), lowest degree first; each must
    /// lie in 0 … n − 1.
    /// </summary>
    /// <param name="coefficients">c_0, c_1, …, each in 0 … n − 1; copied.</param>
    /// <returns>The normalised polynomial (zero for no coefficients or all zeros).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A coefficient is negative or ≥ n; the message names its index
    /// and value.</exception>
    /// <example>
    /// <code>
    /// int[] ids = [32, 8415, 11961, 389];
    /// var text = PolynomialRing.ForVocabulary(100277).Create(ids);   // 389x^3 + 11961x^2 + 8415x + 32
    /// </code>
    /// </example>
    public ZnPolynomial Create(ReadOnlySpan<int> coefficients)
    {
        var c = new uint[coefficients.Length];
        for (int i = 0; i < c.Length; i++)
        {
            if (coefficients[i] < 0 || (uint)coefficients[i] >= Modulus)
                throw new ArgumentOutOfRangeException(nameof(coefficients), coefficients[i],
                    string.Create(CultureInfo.InvariantCulture,
                        $"Coefficient {i} is {coefficients[i]}, not a residue of Z_{Modulus} "
                        + $"(expected 0 ≤ c < {Modulus})."));
            c[i] = (uint)coefficients[i];
        }
        return FromCanonical(c);
    }

    /// <summary>The constant polynomial c.</summary>
    /// <param name="constant">c, in 0 … n − 1.</param>
    /// <returns>c as a polynomial of degree 0 (the zero polynomial, degree −1, when c = 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="constant"/> is ≥ n.</exception>
    public ZnPolynomial Constant(uint constant) => Create([Coefficients.Check(constant, nameof(constant))]);

    /// <summary>The monomial c·x^degree, of at most <see cref="PolynomialLimits.DefaultMaxLength"/>
    /// coefficients.</summary>
    /// <param name="coefficient">c, a residue of Z_n.</param>
    /// <param name="degree">The exponent, at least 0.</param>
    /// <returns>c·x^degree (zero when c = 0); allocates degree + 1 coefficients.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="coefficient"/> is ≥ n, or
    /// <paramref name="degree"/> is negative or the monomial longer than the default limit.</exception>
    public ZnPolynomial Monomial(uint coefficient, int degree) =>
        Monomial(coefficient, degree, PolynomialLimits.DefaultMaxLength);

    /// <summary>The monomial c·x^degree, refused when its degree + 1 coefficients exceed
    /// <paramref name="maxLength"/>.</summary>
    /// <param name="coefficient">c, a residue of Z_n.</param>
    /// <param name="degree">The exponent, at least 0.</param>
    /// <param name="maxLength">The most coefficients the monomial may have; at least 1.</param>
    /// <returns>c·x^degree (zero when c = 0); allocates degree + 1 coefficients.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="coefficient"/> is ≥ n, <paramref name="degree"/>
    /// is negative, <paramref name="maxLength"/>
    /// is below 1, or degree + 1 exceeds <paramref name="maxLength"/>, an array's capacity or the process's
    /// memory.</exception>
    public ZnPolynomial Monomial(uint coefficient, int degree, long maxLength)
    {
        Coefficients.Check(coefficient, nameof(coefficient));
        ArgumentOutOfRangeException.ThrowIfNegative(degree);
        PolynomialLimits.CheckLimit(maxLength, nameof(maxLength));
        if (coefficient == 0) return Zero;
        PolynomialLimits.Ensure((long)degree + 1, maxLength, nameof(degree), degree,
            string.Create(CultureInfo.InvariantCulture, $"The monomial x^{degree}"));
        var c = CoefficientArray.Allocate((long)degree + 1, nameof(degree));
        c[degree] = coefficient;
        return new ZnPolynomial(this, c);
    }

    /// <inheritdoc/>
    public bool Equals(PolynomialRing? other) => other is not null && other.Modulus == Modulus;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PolynomialRing);

    /// <inheritdoc/>
    public override int GetHashCode() => Modulus.GetHashCode();

    /// <summary>"Z_n[x]".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Z_{Modulus}[x]");

    /// <summary>Value equality of rings: same modulus.</summary>
    /// <param name="left">A ring, or null.</param>
    /// <param name="right">A ring, or null.</param>
    /// <returns>True when both are null or both have the same modulus.</returns>
    public static bool operator ==(PolynomialRing? left, PolynomialRing? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality of rings.</summary>
    /// <param name="left">A ring, or null.</param>
    /// <param name="right">A ring, or null.</param>
    /// <returns>The negation of <c>left == right</c>.</returns>
    public static bool operator !=(PolynomialRing? left, PolynomialRing? right) => !(left == right);

    /// <summary>Wraps canonical coefficients (ownership passes to the polynomial), trimming trailing zeros.</summary>
    internal ZnPolynomial FromCanonical(uint[] coefficients)
    {
        int length = coefficients.AsSpan().LastIndexOfAnyExcept(0u) + 1;
        if (length == 0) return Zero;
        return new ZnPolynomial(this, length == coefficients.Length ? coefficients : coefficients[..length]);
    }
}
