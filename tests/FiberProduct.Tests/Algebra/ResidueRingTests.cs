using System.Numerics;
using FiberProduct.Algebra;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Algebra;

public class ResidueRingTests
{
    private static readonly uint[] Moduli = [2, 3, 256, 100277, 65537, 2147483647, 4294967295, 4294967291];

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    public void Constructor_RejectsModulusBelowTwo(uint modulus)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ResidueRing(modulus));
        Assert.Equal("modulus", e.ParamName);
    }

    [Fact]
    public void ReadyMadeRings_HaveTheirModuli()
    {
        Assert.Equal(256u, ResidueRing.Z256.Modulus);
        Assert.Equal(100277u, ResidueRing.ForVocabulary(100277).Modulus);
        Assert.Equal(new ResidueRing(7), new ResidueRing(7));
        Assert.Equal("Z_256", ResidueRing.Z256.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => ResidueRing.ForVocabulary(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResidueRing.ForVocabulary(-5));
    }

    [Fact]
    public void Operations_RejectNonResidues_NamingTheArgument()
    {
        var z = ResidueRing.Z256;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => z.Add(1, 256));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("256", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => z.Multiply(300, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => z.Inverse(256));
    }

    [Property(MaxTest = 500)]
    public bool Arithmetic_MatchesBigIntegerReference(uint a, uint b, ulong e, byte which)
    {
        uint n = Moduli[which % Moduli.Length];
        var z = new ResidueRing(n);
        a %= n; b %= n;
        BigInteger A = a, B = b, N = n;
        return z.Add(a, b) == (uint)((A + B) % N)
            && z.Subtract(a, b) == (uint)(((A - B) % N + N) % N)
            && z.Negate(a) == (uint)((N - A) % N)
            && z.Multiply(a, b) == (uint)(A * B % N)
            && z.Power(a, e) == (uint)BigInteger.ModPow(A, e, N)
            && z.Reduce(-(long)a) == (uint)((N - A) % N);
    }

    [Property(MaxTest = 500)]
    public bool Inverse_IsTwoSided_ExactlyForUnits(uint a, byte which)
    {
        uint n = Moduli[which % Moduli.Length];
        var z = new ResidueRing(n);
        a %= n;
        bool unit = BigInteger.GreatestCommonDivisor(a, n).IsOne;
        if (z.IsUnit(a) != unit) return false;
        if (!unit) return !z.TryInverse(a, out _);
        uint inverse = z.Inverse(a);
        return z.Multiply(a, inverse) == 1 && z.Multiply(inverse, a) == 1;
    }

    [Fact]
    public void Inverse_OfNonUnit_NamesValueAndModulus()
    {
        var e = Assert.Throws<ArgumentException>(() => ResidueRing.Z256.Inverse(6));
        Assert.Equal("a", e.ParamName);
        Assert.Contains("6 is not a unit in Z_256", e.Message, StringComparison.Ordinal);
        Assert.Contains("gcd(6, 256) = 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Power_ZeroToTheZero_IsOne()
    {
        Assert.Equal(1u, ResidueRing.Z256.Power(0, 0));
        Assert.Equal(0u, ResidueRing.Z256.Power(2, 8)); // 2^8 = 256 ≡ 0: Z_256 has nilpotents
    }
}
