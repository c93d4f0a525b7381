using FiberProduct.Algebra;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Algebra;

/// <summary>
/// The ring axioms of Z_n[x] and the homomorphisms out of it, as FsCheck properties, for every size of modulus: Z_2,
/// Z_256 (images), the composite vocabulary size 100277 = 197·509 (texts), the prime 2^31 − 1 and the largest prime
/// below 2^32. The generators (<see cref="RingArbitraries"/>) reach every multiplication path: factors of up to 700
/// terms, past the schoolbook/Karatsuba cutoff (32) and every transform threshold (64, 128, 224: one, two and three
/// primes), with coefficients over the whole range and maximal coefficients (n − 1) on purpose.
/// </summary>
public abstract class RingLaws
{
    protected abstract PolynomialRing Ring { get; }

    private ZnPolynomial P(uint[] raw) => Residues.Polynomial(Ring, raw);

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Addition_IsAssociative(uint[] a, uint[] b, uint[] c) => P(a) + P(b) + P(c) == P(a) + (P(b) + P(c));

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Addition_IsCommutative(uint[] a, uint[] b) => P(a) + P(b) == P(b) + P(a);

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Zero_IsAdditiveIdentity(uint[] a) => P(a) + Ring.Zero == P(a) && Ring.Zero + P(a) == P(a);

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Negation_IsAdditiveInverse(uint[] a) => (P(a) + -P(a)).IsZero && P(a) - P(a) == Ring.Zero;

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Subtraction_IsAdditionOfNegation(uint[] a, uint[] b) => P(a) - P(b) == P(a) + -P(b);

    [Property(MaxTest = 100, Arbitrary = [typeof(RingArbitraries)])]
    public bool Multiplication_IsAssociative(uint[] a, uint[] b, uint[] c) =>
        P(a) * P(b) * P(c) == P(a) * (P(b) * P(c));

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Multiplication_IsCommutative(uint[] a, uint[] b) => P(a) * P(b) == P(b) * P(a);

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool One_IsMultiplicativeIdentity(uint[] a) => P(a) * Ring.One == P(a) && Ring.One * P(a) == P(a);

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Multiplication_DistributesOverAddition(uint[] a, uint[] b, uint[] c) =>
        P(a) * (P(b) + P(c)) == P(a) * P(b) + P(a) * P(c) && (P(a) + P(b)) * P(c) == P(a) * P(c) + P(b) * P(c);

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool ScalarMultiplication_IsMultiplicationByConstant(uint[] a, uint s)
    {
        s = Residues.Of(s, Ring.Modulus);
        return P(a) * s == P(a) * Ring.Create(s) && s * P(a) == P(a) * s;
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Evaluation_IsRingHomomorphism(uint[] a, uint[] b, uint x)
    {
        x = Residues.Of(x, Ring.Modulus);
        var z = Ring.Coefficients;
        return (P(a) + P(b)).Evaluate(x) == z.Add(P(a).Evaluate(x), P(b).Evaluate(x))
            && (P(a) * P(b)).Evaluate(x) == z.Multiply(P(a).Evaluate(x), P(b).Evaluate(x))
            && Ring.One.Evaluate(x) == 1;
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool CyclicReduction_IsRingHomomorphism(uint[] a, uint[] b, byte n)
    {
        int size = 1 + n % 70;
        return (P(a) + P(b)).ReduceCyclic(size) == (P(a)
            .ReduceCyclic(size) + P(b).ReduceCyclic(size)).ReduceCyclic(size)
            && (P(a) * P(b)).ReduceCyclic(size) == P(a).MultiplyCyclic(P(b), size)
            && P(a).ReduceCyclic(size).Degree < size;
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Division_SatisfiesDivisionIdentity(uint[] a, uint[] b, uint lead)
    {
        // Make the divisor's leading coefficient a unit: the precondition of division over Z_n.
        var z = Ring.Coefficients;
        uint unit = Residues.Of(lead, Ring.Modulus);
        while (!z.IsUnit(unit)) unit = (unit + 1) % Ring.Modulus;
        var divisor = P(b) + Ring.Monomial(unit, P(b).Degree + 1);
        var (q, r) = ZnPolynomial.DivRem(P(a), divisor);
        return q * divisor + r == P(a) && r.Degree < divisor.Degree;
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(RingArbitraries)])]
    public bool Composition_IsAssociative(uint[] a, uint[] b, uint[] c)
    {
        // Composite degrees multiply, so keep the inner polynomials short.
        var (f, g, h) = (P(a).Truncate(6), P(b).Truncate(5), P(c).Truncate(4));
        return f.Compose(g).Compose(h) == f.Compose(g.Compose(h));
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Composition_EvaluatesAsComposedFunctions(uint[] a, uint[] b, uint x)
    {
        x = Residues.Of(x, Ring.Modulus);
        var (f, g) = (P(a).Truncate(12), P(b).Truncate(12));
        return f.Compose(g).Evaluate(x) == f.Evaluate(g.Evaluate(x));
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Derivative_SatisfiesLeibnizRule(uint[] a, uint[] b) =>
        (P(a) * P(b)).Derivative() == P(a).Derivative() * P(b) + P(a) * P(b).Derivative();

    [Property(MaxTest = 100, Arbitrary = [typeof(RingArbitraries)])]
    public bool Power_IsRepeatedMultiplication(uint[] a, byte e)
    {
        var p = P(a).Truncate(40);
        int k = e % 7;
        var expected = Ring.One;
        for (int i = 0; i < k; i++) expected *= p;
        return p.Pow((ulong)k) == expected;
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(RingArbitraries)])]
    public bool Truncation_IsRingHomomorphismModXk(uint[] a, uint[] b, byte k) =>
        (P(a) * P(b)).Truncate(k) == (P(a).Truncate(k) * P(b).Truncate(k)).Truncate(k);
}

public sealed class RingLawsZ256 : RingLaws
{
    protected override PolynomialRing Ring => PolynomialRing.Z256;
}

public sealed class RingLawsPrime : RingLaws
{
    protected override PolynomialRing Ring { get; } = new(2147483647);
}

public sealed class RingLawsTwo : RingLaws
{
    protected override PolynomialRing Ring { get; } = new(2);
}

public sealed class RingLawsNearTwoTo32 : RingLaws
{
    protected override PolynomialRing Ring { get; } = new(4294967291);
}

/// <summary>Coefficient lists and scalars that reach every algorithm and every overflow bound.</summary>
public static class RingArbitraries
{
    /// <summary>Any uint, small values, and the top of the range (mapped to n − 1, n − 2, … by
    /// <see cref="Residues.Of(uint, uint)"/>).</summary>
    private static readonly Gen<uint> Coefficient = Gen.Frequency(
        (2, Gen.Choose(int.MinValue, int.MaxValue).Select(v => unchecked((uint)v))),
        (1, Gen.Choose(0, 3).Select(v => (uint)v)),
        (1, Gen.Choose(0, 3).Select(v => uint.MaxValue - (uint)v)));

    /// <summary>Lengths below the Karatsuba cutoff, across the transform thresholds, and well past them.</summary>
    private static readonly Gen<int> Length = Gen.Frequency(
        (4, Gen.Choose(0, 40)), (3, Gen.Choose(60, 300)), (1, Gen.Choose(300, 700)));

    public static Arbitrary<uint> Scalars() => Coefficient.ToArbitrary();

    public static Arbitrary<uint[]> CoefficientLists() =>
        (from length in Length
         from maximal in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
         from values in maximal ? Gen.Constant(Enumerable.Repeat(uint.MaxValue, length).ToArray())
             : Gen.ArrayOf(Coefficient, length)
         select values).ToArbitrary();
}

public sealed class RingLawsVocabulary : RingLaws
{
    protected override PolynomialRing Ring { get; } = PolynomialRing.ForVocabulary(100277);
}

/// <summary>The generators really reach every multiplication path for every modulus (else the laws prove
/// less).</summary>
public class RingArbitrariesTests
{
    [Theory]
    [InlineData(2u, "schoolbook ntt1")]
    [InlineData(256u, "schoolbook ntt1")]
    [InlineData(100277u, "schoolbook ntt2")]
    [InlineData(2147483647u, "schoolbook karatsuba ntt3")]
    [InlineData(4294967291u, "schoolbook karatsuba ntt3")]
    public void Products_ReachEveryAlgorithm(uint modulus, string expected)
    {
        var lists = RingArbitraries.CoefficientLists().Generator.Sample(1000, 1000);
        var reached = new Dictionary<string, int>();
        for (int i = 0; i + 1 < lists.Length; i += 2)
        {
            int shorter = Math.Min(lists[i].Length, lists[i + 1].Length);
            if (shorter == 0) continue;
            int primes = FiberProduct.Algebra.Kernels.NttMultiplication.PrimesNeeded(shorter, modulus);
            string path = shorter >= FiberProduct.Algebra.Kernels.PolynomialMultiplication.NttThreshold(primes)
                ? $"ntt{primes}"
                : primes == 3
                    && shorter >= FiberProduct.Algebra.Kernels.PolynomialMultiplication.KaratsubaCutoff ? "karatsuba"
                : "schoolbook";
            reached[path] = reached.GetValueOrDefault(path) + 1;
        }
        foreach (var path in expected.Split(' '))
            Assert.True(reached.GetValueOrDefault(path) >= 10,
                $"Z_{modulus}: {path} reached {reached.GetValueOrDefault(path)} times of 500.");
        var maximal = lists.Count(l => l.Length > 0 && l.All(v => Residues.Of(v, modulus) == modulus - 1));
        Assert.True(maximal >= 80, $"Only {maximal} all-maximal lists.");
    }
}
