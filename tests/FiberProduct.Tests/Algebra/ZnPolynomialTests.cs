using FiberProduct.Algebra;

namespace FiberProduct.Tests.Algebra;

public class ZnPolynomialTests
{
    private static readonly PolynomialRing Z256 = PolynomialRing.Z256;

    [Fact]
    public void Create_DropsTrailingZeros()
    {
        var p = Z256.Create(1, 2, 0, 0);
        Assert.Equal(1, p.Degree);
        Assert.Equal([1u, 2u], p.Coefficients.ToArray());
        Assert.Equal(p, Z256.Create(1, 2));
        Assert.Equal(p.GetHashCode(), Z256.Create(1, 2).GetHashCode());
    }

    [Fact]
    public void Zero_HasDegreeMinusOne_AndNoCoefficients()
    {
        Assert.Equal(-1, Z256.Zero.Degree);
        Assert.True(Z256.Create(0, 0, 0).IsZero);
        Assert.Equal(0, Z256.Zero.Length);
        Assert.Equal(0u, Z256.Zero.LeadingCoefficient);
        Assert.Equal(0u, Z256.Zero[5]);
        Assert.Equal("0", Z256.Zero.ToString());
    }

    [Fact]
    public void Create_RejectsCoefficientOutsideTheRing_NamingIndexAndValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Z256.Create(1, 256, 3));
        Assert.Equal("coefficients", e.ParamName);
        Assert.Contains("Coefficient 1 is 256", e.Message, StringComparison.Ordinal);
        var f = Assert.Throws<ArgumentOutOfRangeException>(() => Z256.Create([3, -1]));
        Assert.Contains("Coefficient 1 is -1", f.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Z256.Constant(1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Z256.Monomial(1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Z256.Create(1) * 256u);
    }

    [Theory]
    [InlineData(new uint[] { 1, 255, 3 }, "3x^2 + 255x + 1")]
    [InlineData(new uint[] { 0, 1 }, "x")]
    [InlineData(new uint[] { 7 }, "7")]
    [InlineData(new uint[] { 0, 0, 0, 1 }, "x^3")]
    [InlineData(new uint[] { 1, 0, 2 }, "2x^2 + 1")]
    public void ToString_WritesDescendingPowers(uint[] coefficients, string expected) =>
        Assert.Equal(expected, Z256.Create(coefficients).ToString());

    [Fact]
    public void MixingRings_Throws()
    {
        var image = Z256.Create(1, 2);
        var text = PolynomialRing.ForVocabulary(100277).Create(1, 2);
        Assert.Throws<ArgumentException>(() => image + text);
        Assert.Throws<ArgumentException>(() => image - text);
        Assert.Throws<ArgumentException>(() => image * text);
        Assert.Throws<ArgumentException>(() => image / text);
        Assert.Throws<ArgumentException>(() => image.Compose(text));
        Assert.Throws<ArgumentException>(() => image.MultiplyCyclic(text, 4));
        Assert.NotEqual<object>(image, text);
        var e = Assert.Throws<ArgumentException>(() => ZnPolynomial.Add(image, text));
        Assert.Contains("Z_256[x]", e.Message, StringComparison.Ordinal);
        Assert.Contains("Z_100277[x]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Product_OverCompositeModulus_IsNormalised()
    {
        // (128x + 1)(2x) = 256x^2 + 2x = 2x in Z_256: the leading coefficients multiply to zero.
        var p = Z256.Create(1, 128) * Z256.Create(0, 2);
        Assert.Equal(Z256.Create(0, 2), p);
        Assert.Equal(1, p.Degree);
        Assert.True(Z256.Create(0, 16).Pow(2).Degree == -1); // (16x)^2 = 256x^2 = 0
    }

    [Fact]
    public void Evaluate_UsesHorner()
    {
        var p = Z256.Create(1, 255, 3); // 3x^2 − x + 1
        Assert.Equal((uint)((3 * 100 - 10 + 1) % 256), p.Evaluate(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Evaluate(256));
    }

    [Fact]
    public void Derivative_IsFormal()
    {
        Assert.Equal(Z256.Create(255, 6), Z256.Create(1, 255, 3).Derivative());
        Assert.Equal(Z256.Zero, Z256.Constant(9).Derivative());
        Assert.Equal(Z256.Zero, Z256.Monomial(1, 256).Derivative()); // 256·x^255 = 0 in characteristic 256
    }

    [Fact]
    public void Truncate_KeepsTermsBelowK()
    {
        var p = Z256.Create(1, 2, 3, 4);
        Assert.Equal(Z256.Create(1, 2), p.Truncate(2));
        Assert.Equal(Z256.Zero, p.Truncate(0));
        Assert.Same(p, p.Truncate(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Truncate(-1));
    }

    [Fact]
    public void ReduceCyclic_FoldsPowersModN()
    {
        // x^5 + 2x^4 + 3x + 1 mod (x^3 − 1) = x^2 + 2x + 3x + 1 = x^2 + 5x + 1
        var p = Z256.Create(1, 3, 0, 0, 2, 1);
        Assert.Equal(Z256.Create(1, 5, 1), p.ReduceCyclic(3));
        Assert.Equal(Z256.Constant(7), Z256.Create(1, 2, 4).ReduceCyclic(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.ReduceCyclic(0));
        // x^N = 1 in the quotient ring
        Assert.Equal(Z256.One, Z256.X.Pow(4).ReduceCyclic(4));
        Assert.Equal(Z256.One, Z256.X.MultiplyCyclic(Z256.Monomial(1, 3), 4));
    }

    [Fact]
    public void DivRem_ByNonUnitLeadingCoefficient_NamesCoefficientAndModulus()
    {
        var e = Assert.Throws<ArgumentException>(() => ZnPolynomial.DivRem(Z256.Create(1, 2, 3), Z256.Create(1, 2)));
        Assert.Equal("divisor", e.ParamName);
        Assert.Contains("leading coefficient 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("Z_256", e.Message, StringComparison.Ordinal);
        Assert.Throws<DivideByZeroException>(() => Z256.X / Z256.Zero);
    }

    [Fact]
    public void DivRem_OverCompositeModulus_TerminatesWithUnitLead()
    {
        // Divisor 3x^2 + 2x + 4: lower coefficients are zero divisors, the lead 3 is a unit of Z_256.
        var a = Z256.Create(5, 0, 7, 9, 1, 200);
        var b = Z256.Create(4, 2, 3);
        var (q, r) = ZnPolynomial.DivRem(a, b);
        Assert.Equal(a, q * b + r);
        Assert.True(r.Degree < b.Degree);
        Assert.Equal((Z256.Zero, Z256.Zero), ZnPolynomial.DivRem(Z256.Zero, b));
        Assert.Equal((Z256.Zero, Z256.X), ZnPolynomial.DivRem(Z256.X, b));
        Assert.Equal(q, a / b);
        Assert.Equal(r, a % b);
    }

    [Fact]
    public void Power_OfLongResult_FailsBeforeAllocating()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Z256.X.Pow(1UL << 40));
        Assert.Contains("coefficients", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Z256.Monomial(1, int.MaxValue));
    }

    [Fact]
    public void Power_ZeroExponent_IsOne()
    {
        Assert.Equal(Z256.One, Z256.Zero.Pow(0));
        Assert.Equal(Z256.Zero, Z256.Zero.Pow(3));
        Assert.Equal(Z256.Create(1, 2, 1), Z256.Create(1, 1).Pow(2));
    }

    [Fact]
    public void Indexer_ReturnsZeroBeyondDegree_AndRejectsNegative()
    {
        var p = Z256.Create(4, 5);
        Assert.Equal(5u, p[1]);
        Assert.Equal(0u, p[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => p[-1]);
    }
}
