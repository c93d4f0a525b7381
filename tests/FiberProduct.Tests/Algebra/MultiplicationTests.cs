using FiberProduct.Algebra;
using FiberProduct.Algebra.Kernels;

namespace FiberProduct.Tests.Algebra;

/// <summary>
/// Every multiplication algorithm agrees exactly with the plain schoolbook definition, at every length 0 … 257
/// (all SIMD remainders, every threshold) and on random long inputs, for moduli that need one, two and three
/// transform primes, with random and with maximal coefficients (the overflow worst case).
/// </summary>
public class MultiplicationTests
{
    private static uint[] Product(uint[] a, uint[] b, uint modulus, MultiplicationAlgorithm algorithm)
    {
        if (a.Length == 0 || b.Length == 0) return [];
        var result = new uint[a.Length + b.Length - 1];
        PolynomialMultiplication.Multiply(a, b, result, new ModularReducer(modulus), algorithm);
        return result;
    }

    private static uint[] Reference(uint[] a, uint[] b, uint modulus)
    {
        if (a.Length == 0 || b.Length == 0) return [];
        var result = new uint[a.Length + b.Length - 1];
        Schoolbook.Reference(a, b, result, new ModularReducer(modulus));
        return result;
    }

    // Algorithms travel by name: the enum is internal to the library.
    public static IEnumerable<TheoryDataRow<string, uint>> AlgorithmsAndModuli() =>
        from algorithm in Enum.GetNames<MultiplicationAlgorithm>()
        from modulus in new uint[] { 2, 256, 65537, 100277, 2147483647, 4294967295 }
        select new TheoryDataRow<string, uint>(algorithm, modulus);

    [Theory]
    [MemberData(nameof(AlgorithmsAndModuli))]
    public void Algorithm_MatchesSchoolbookReference_AtEveryLengthTo257(string name, uint modulus) =>
        MatchesReference(Enum.Parse<MultiplicationAlgorithm>(name), modulus, Enumerable.Range(0, 258));

    /// <summary>
    /// The same at the lengths where a choice changes: every vector remainder to 17, and both sides of the Karatsuba
    /// cutoff (32) and of the transform thresholds (64, 128, 224) of the dispatcher. A fraction of the time of the
    /// test above: the mutation runs use this one.
    /// </summary>
    [Theory]
    [MemberData(nameof(AlgorithmsAndModuli))]
    public void Algorithm_MatchesSchoolbookReference_AtEveryThreshold(string name, uint modulus) =>
        MatchesReference(Enum.Parse<MultiplicationAlgorithm>(name), modulus,
            Enumerable.Range(0, 18).Concat([31, 32, 33, 63, 64, 65, 127, 128, 129, 223, 224, 225]));

    private static void MatchesReference(MultiplicationAlgorithm algorithm, uint modulus, IEnumerable<int> lengths)
    {
        var random = new Random(unchecked((int)(modulus * 31 + (uint)algorithm)));
        foreach (int length in lengths)
        {
            var a = Residues.Random(random, length, modulus);
            var b = Residues.Random(random, length, modulus);
            Assert.Equal(Reference(a, b, modulus), Product(a, b, modulus, algorithm));
            // unbalanced: a random partner of up to 257 terms, and a one-term partner
            var c = Residues.Random(random, random.Next(1, 258), modulus);
            Assert.Equal(Reference(a, c, modulus), Product(a, c, modulus, algorithm));
            var d = Residues.Random(random, 1, modulus);
            Assert.Equal(Reference(d, a, modulus), Product(d, a, modulus, algorithm));
        }
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndModuli))]
    public void Algorithm_IsExactForMaximalCoefficients(string name, uint modulus)
    {
        var algorithm = Enum.Parse<MultiplicationAlgorithm>(name);
        foreach (int length in new[] { 1, 7, 8, 9, 63, 64, 65, 96, 200, 257 })
        {
            var a = Residues.Maximal(length, modulus);
            Assert.Equal(Reference(a, a, modulus), Product(a, a, modulus, algorithm));
        }
    }

    [Theory]
    [InlineData(256u)]
    [InlineData(100277u)]
    [InlineData(4294967291u)]
    public void LongProducts_AgreeAcrossAlgorithms_UpTo2To16(uint modulus)
    {
        var random = new Random(unchecked((int)modulus));
        foreach (int length in new[] { 1000, 4099, 1 << 14, 40_000, 1 << 16 })
        {
            var a = Residues.Random(random, length, modulus);
            var b = Residues.Random(random, random.Next(1, length + 1), modulus);
            var ntt = Product(a, b, modulus, MultiplicationAlgorithm.Ntt);
            Assert.Equal(Product(a, b, modulus, MultiplicationAlgorithm.Karatsuba), ntt);
            Assert.Equal(Product(a, b, modulus, MultiplicationAlgorithm.Automatic), ntt);
        }
        // One long schoolbook product as an independent check of the transform at 2^14.
        var x = Residues.Maximal(1 << 14, modulus);
        var y = Residues.Random(random, 1 << 14, modulus);
        Assert.Equal(Product(x, y, modulus, MultiplicationAlgorithm.Schoolbook),
            Product(x, y, modulus, MultiplicationAlgorithm.Ntt));
    }

    [Fact]
    public void Ntt_MatchesSchoolbook_At2To16()
    {
        // The full-length check against the classical algorithm (its 32-bit vector path makes 2^32 terms affordable).
        var random = new Random(16);
        var a = Residues.Random(random, 1 << 16, 256);
        var b = Residues.Random(random, 1 << 16, 256);
        Assert.Equal(Product(a, b, 256, MultiplicationAlgorithm.Schoolbook),
            Product(a, b, 256, MultiplicationAlgorithm.Ntt));
    }

    [Fact]
    public void Squaring_SharesOneTransform_AndAgrees()
    {
        var random = new Random(5);
        var a = Residues.Random(random, 3000, 100277);
        var result = new uint[2 * a.Length - 1];
        NttMultiplication.Multiply(a, a, result, new ModularReducer(100277));
        Assert.Equal(Product(a, a.ToArray(), 100277, MultiplicationAlgorithm.Karatsuba), result);
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(10, 1000)]
    [InlineData(40, 200)]
    [InlineData(150, 150)]
    [InlineData(333, 777)]
    public void Split_ProductsLongerThanOneTransform_MatchReference(int la, int lb)
    {
        // The split used beyond 2^25 terms, exercised with a 64-term transform limit.
        var random = new Random(la * 1000 + lb);
        var mod = new ModularReducer(100277);
        var a = Residues.Random(random, la, 100277);
        var b = Residues.Random(random, lb, 100277);
        var result = new uint[la + lb - 1];
        PolynomialMultiplication.Split(a, b, result, mod, 64, (x, y, r, in m) =>
        {
            Assert.True(x.Length + y.Length - 1 <= 64);
            NttMultiplication.Multiply(x, y, r, m);
        });
        Assert.Equal(Reference(a, b, 100277), result);
    }

    [Theory]
    [InlineData(256u, 1 << 14, 1)]
    [InlineData(256u, 1 << 17, 2)]
    [InlineData(100277u, 1000, 2)]
    [InlineData(4294967295u, 1 << 20, 3)]
    public void PrimesNeeded_CoversTheCoefficientBound(uint modulus, int length, int expected) =>
        Assert.Equal(expected, NttMultiplication.PrimesNeeded(length, modulus));

    [Fact]
    public void TransformPrimes_HaveTheClaimedRootsOfUnity()
    {
        foreach (var prime in NttPrime.All)
        {
            Assert.True(IsPrime(prime.P));
            Assert.Equal(0u, (prime.P - 1) % (1u << prime.TwoAdicity));
            Assert.True(prime.TwoAdicity >= 25);
            // ω = g^((p−1)/2^k) has order exactly 2^k: ω^(2^(k−1)) = −1.
            uint omega = NttPrime.Pow(prime.Reducer, prime.Generator, (prime.P - 1) >> prime.TwoAdicity);
            Assert.Equal(prime.P - 1, NttPrime.Pow(prime.Reducer, omega, 1u << (prime.TwoAdicity - 1)));
            Assert.Equal(1u, prime.P * unchecked(0u - prime.MontgomeryFactor)); // f = −p⁻¹ mod 2^32
        }
    }

    [Fact]
    public void ModularReducer_MatchesRemainder()
    {
        var random = new Random(11);
        foreach (uint n in new uint[] { 2, 3, 255, 256, 65536, 100277, 2147483648, 4294967295 })
        {
            var mod = new ModularReducer(n);
            foreach (ulong x in new ulong[] { 0, 1, n - 1UL, n, ulong.MaxValue, ulong.MaxValue - 1, (ulong)n * n })
                Assert.Equal((uint)(x % n), mod.Reduce(x));
            for (int i = 0; i < 10_000; i++)
            {
                ulong x = (ulong)random.NextInt64() * 2 + (ulong)random.Next(2);
                Assert.Equal((uint)(x % n), mod.Reduce(x));
            }
        }
    }

    [Fact]
    public void CoefficientArray_RejectsImpossibleLengths()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CoefficientArray.EnsureFits(Array.MaxLength + 1L, "length", 7, "The result"));
        Assert.Equal("length", e.ParamName);
        Assert.Equal(7, e.ActualValue);
    }

    private static bool IsPrime(uint p)
    {
        for (uint d = 2; (ulong)d * d <= p; d++) if (p % d == 0) return false;
        return true;
    }
}
