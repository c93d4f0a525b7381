using FiberProduct.Algebra;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Algebra;

/// <summary>
/// The size limits of products, powers, compositions, monomials and fiber-product enumeration (issue 14): each is
/// checked before any work against a length the operation provably does not exceed, also over moduli with zero
/// divisors, where the true degree of a power can lie far below e·deg p.
/// </summary>
public class PolynomialLimitsTests
{
    /// <summary>Primes, prime powers and composites from 2 to near 2^32 (4294967292 = 2²·3·357913941, 4294967295
    /// = 3·5·17·257·65537).</summary>
    private static readonly uint[] Moduli = [2, 4, 12, 36, 256, 100277, 1u << 20, 2147483647, 4294967291,
        4294967292, 4294967295];

    /// <summary>
    /// Coefficients of which about half are zero divisors (multiples of a prime of n), the leading one included, so
    /// that leading powers vanish and products shrink below their formal length.
    /// </summary>
    private static ZnPolynomial ZeroDivisorHeavy(Random random, PolynomialRing ring, int length)
    {
        var primes = ring.Coefficients.PrimePowers;
        var c = new uint[length];
        for (int i = 0; i < length; i++)
        {
            ulong value = (ulong)random.NextInt64(ring.Modulus);
            if (random.Next(2) == 0) value = value * primes[random.Next(primes.Length)].Prime % ring.Modulus;
            c[i] = (uint)value;
        }
        if (length > 0 && c[^1] == 0) c[^1] = primes[0].Prime % ring.Modulus == 0 ? 1 : primes[0].Prime;
        return ring.Create(c);
    }

    private static PolynomialRing RingOf(byte which) => new(Moduli[which % Moduli.Length]);

    [Property(MaxTest = 300)]
    public bool PowerDegreeBound_BoundsTheTrueDegree_AndPowUsesExactlyIt(byte which, int seed, byte e)
    {
        var ring = RingOf(which);
        var random = new Random(seed);
        var p = ZeroDivisorHeavy(random, ring, random.Next(0, 12));
        ulong exponent = (ulong)(e % 13);
        var expected = ring.One;
        for (ulong i = 0; i < exponent; i++) expected *= p;
        Int128 bound = PowerDegreeBound.Of(p, exponent);
        Int128 longest = PowerDegreeBound.LongestProduct(p, exponent);
        if (expected.Degree > bound || expected.Length > longest) return false;
        if (p.Ring.Coefficients.IsUnit(p.LeadingCoefficient) && exponent > 0 && bound != (Int128)exponent * p.Degree)
            return false;
        // The power succeeds at its own bound (no product inside can fail midway) and is refused just below it.
        if (p.Pow(exponent, (long)longest) != expected) return false;
        if (longest == 1) return true;
        var error = Record.Exception(() => p.Pow(exponent, (long)longest - 1));
        return error is ArgumentOutOfRangeException { ParamName: "exponent" } a && (ulong)a.ActualValue! == exponent;
    }

    [Property(MaxTest = 60)]
    public bool Multiply_IsRefusedExactlyAboveItsFormalLength(byte which, int seed)
    {
        // Lengths up to 700 cross the Karatsuba cut-off (32) and every transform threshold (64, 128, 224).
        var ring = RingOf(which);
        var random = new Random(seed);
        var a = ZeroDivisorHeavy(random, ring, random.Next(1, 701));
        var b = ZeroDivisorHeavy(random, ring, random.Next(1, 701));
        long formal = (long)a.Length + b.Length - 1;
        if (ZnPolynomial.Multiply(a, b, formal) != a * b) return false;
        var error = Record.Exception(() => ZnPolynomial.Multiply(a, b, formal - 1));
        return formal == 1 ? error is ArgumentOutOfRangeException { ParamName: "maxLength" }
            : error is ArgumentOutOfRangeException { ParamName: "right" } r && (int)r.ActualValue! == b.Degree;
    }

    [Property(MaxTest = 100)]
    public bool Compose_IsRefusedExactlyAboveItsFormalLength(byte which, int seed)
    {
        var ring = RingOf(which);
        var random = new Random(seed);
        var p = ZeroDivisorHeavy(random, ring, random.Next(2, 12));
        var q = ZeroDivisorHeavy(random, ring, random.Next(2, 12));
        long formal = (long)p.Degree * q.Degree + 1;
        if (p.Compose(q, formal) != p.Compose(q)) return false;
        return Record.Exception(() => p.Compose(q, formal - 1)) is ArgumentOutOfRangeException { ParamName: "inner" };
    }

    [Fact]
    public void Pow_OverZ4_WithVanishingLeadingPower_IsRefusedAtOnce()
    {
        // The case: lead 2 over Z_4 squares to 0, so e·deg p overstates the degree, but x^e survives: (2x²
        // + x)^e has degree e + 1 for odd e. The old check skipped; this bound refuses before any product.
        var z4 = new PolynomialRing(4);
        var p = z4.Create(0, 1, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => p.Pow(1UL << 40));
        Assert.Equal("exponent", e.ParamName);
        Assert.Equal(1UL << 40, e.ActualValue);
        Assert.Contains("1099511627777", e.Message, StringComparison.Ordinal); // the bound on the degree, 2^40 + 1
        Assert.Equal(6, p.Pow(5).Degree); // the bound e + 1 is attained
        Assert.Throws<ArgumentOutOfRangeException>(() => z4.X.Pow(ulong.MaxValue));
    }

    [Theory]
    [InlineData(4u, 2u)]
    [InlineData(256u, 16u)]
    [InlineData(1u << 20, 1u << 10)]
    [InlineData(4294967292u, 2147483646u)] // 2·1073741823: nilpotent modulo 4 and 0 modulo 1073741823
    public void Pow_OfOnePlusNilpotent_IsComputedWhereTheFormalDegreeWouldRefuse(uint modulus, uint nilpotent)
    {
        // (1 + c·x)^(2^40) = 1 + 2^40·c·x + C(2^40, 2)·c²·x² + … = 1 when c is nilpotent of a low order: the
        // bound is small, so the power runs (a formal bound of 2^40 + 1 would refuse it).
        var ring = new PolynomialRing(modulus);
        var p = ring.Create(1, nilpotent);
        Assert.Equal(ring.One, p.Pow(1UL << 40));
        Assert.Equal(ring.Zero, ring.Create(0, nilpotent).Pow(1UL << 40));
    }

    [Fact]
    public void Limits_AreCheckedBeforeWork_WithTheDocumentedDefault()
    {
        var z256 = PolynomialRing.Z256;
        Assert.Equal(1L << 26, PolynomialLimits.DefaultMaxLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => z256.X.Pow(1UL << 26)); // 2^26 + 1 coefficients
        Assert.Equal(1L << 26, z256.Monomial(1, (1 << 26) - 1, 1L << 26).Length);
        var m = Assert.Throws<ArgumentOutOfRangeException>(() => z256.Monomial(1, 1 << 26));
        Assert.Equal("degree", m.ParamName);
        var big = z256.Monomial(1, 1 << 22);
        var product = Assert.Throws<ArgumentOutOfRangeException>(() => ZnPolynomial.Multiply(big, big, 1L << 23));
        Assert.Equal("right", product.ParamName);
        Assert.Contains("8388609", product.Message, StringComparison.Ordinal);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => z256.X.Pow(2, 0)).ParamName);
        Assert.Equal("maxLength",
            Assert.Throws<ArgumentOutOfRangeException>(() => z256.X.Compose(z256.X, -1)).ParamName);
    }

    [Fact]
    public void FiberProductEnumeration_IsRefusedExactlyAboveItsLimit()
    {
        var z4 = new PolynomialRing(4);
        var h = RingHomomorphism.Evaluation(z4, 1);
        var product = new AlgebraicFiberProduct(h, h);
        // 4^3 = 64 polynomials of degree ≤ 2 per side.
        Assert.Equal(product.Count(2), product.Count(2, 64));
        Assert.Equal(product.Enumerate(2).Count(), product.Enumerate(2, 64).Count());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => product.Count(2, 63));
        Assert.Equal("maxDegree", e.ParamName);
        Assert.Equal(2, e.ActualValue);
        Assert.Contains("63", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => product.Enumerate(2, 63));
        Assert.Equal("maxPolynomials", Assert.Throws<ArgumentOutOfRangeException>(() => product.Count(0, 0)).ParamName);
        // n^(k+1) far beyond a long is refused without overflow.
        Assert.Throws<ArgumentOutOfRangeException>(() => product.Count(1000, long.MaxValue));
    }
}
