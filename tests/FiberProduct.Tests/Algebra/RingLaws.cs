using FiberProduct.Algebra;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Algebra;

/// <summary>
/// The ring axioms of Z_n[x] and the homomorphisms out of it, as FsCheck properties. Run for Z_256 (images),
/// a prime modulus, and the composite vocabulary size 100277 = 197·509 (texts). Generated coefficient lists run
/// to a few hundred terms, so products cross every multiplication algorithm's threshold.
/// </summary>
public abstract class RingLaws
{
    protected abstract PolynomialRing Ring { get; }

    private ZnPolynomial P(uint[] raw) => Residues.Polynomial(Ring, raw);

    [Property(MaxTest = 200)]
    public bool Addition_IsAssociative(uint[] a, uint[] b, uint[] c) => P(a) + P(b) + P(c) == P(a) + (P(b) + P(c));

    [Property(MaxTest = 200)]
    public bool Addition_IsCommutative(uint[] a, uint[] b) => P(a) + P(b) == P(b) + P(a);

    [Property(MaxTest = 200)]
    public bool Zero_IsAdditiveIdentity(uint[] a) => P(a) + Ring.Zero == P(a) && Ring.Zero + P(a) == P(a);

    [Property(MaxTest = 200)]
    public bool Negation_IsAdditiveInverse(uint[] a) => (P(a) + -P(a)).IsZero && P(a) - P(a) == Ring.Zero;

    [Property(MaxTest = 200)]
    public bool Subtraction_IsAdditionOfNegation(uint[] a, uint[] b) => P(a) - P(b) == P(a) + -P(b);

    [Property(MaxTest = 100, EndSize = 400)]
    public bool Multiplication_IsAssociative(uint[] a, uint[] b, uint[] c) => P(a) * P(b) * P(c) == P(a) * (P(b) * P(c));

    [Property(MaxTest = 200, EndSize = 400)]
    public bool Multiplication_IsCommutative(uint[] a, uint[] b) => P(a) * P(b) == P(b) * P(a);

    [Property(MaxTest = 200)]
    public bool One_IsMultiplicativeIdentity(uint[] a) => P(a) * Ring.One == P(a) && Ring.One * P(a) == P(a);

    [Property(MaxTest = 200, EndSize = 400)]
    public bool Multiplication_DistributesOverAddition(uint[] a, uint[] b, uint[] c) =>
        P(a) * (P(b) + P(c)) == P(a) * P(b) + P(a) * P(c) && (P(a) + P(b)) * P(c) == P(a) * P(c) + P(b) * P(c);

    [Property(MaxTest = 200)]
    public bool ScalarMultiplication_IsMultiplicationByConstant(uint[] a, uint s)
    {
        s %= Ring.Modulus;
        return P(a) * s == P(a) * Ring.Create(s) && s * P(a) == P(a) * s;
    }

    [Property(MaxTest = 200)]
    public bool Evaluation_IsRingHomomorphism(uint[] a, uint[] b, uint x)
    {
        x %= Ring.Modulus;
        var z = Ring.Coefficients;
        return (P(a) + P(b)).Evaluate(x) == z.Add(P(a).Evaluate(x), P(b).Evaluate(x))
            && (P(a) * P(b)).Evaluate(x) == z.Multiply(P(a).Evaluate(x), P(b).Evaluate(x))
            && Ring.One.Evaluate(x) == 1;
    }

    [Property(MaxTest = 200)]
    public bool CyclicReduction_IsRingHomomorphism(uint[] a, uint[] b, byte n)
    {
        int size = 1 + n % 70;
        return (P(a) + P(b)).ReduceCyclic(size) == (P(a).ReduceCyclic(size) + P(b).ReduceCyclic(size)).ReduceCyclic(size)
            && (P(a) * P(b)).ReduceCyclic(size) == P(a).MultiplyCyclic(P(b), size)
            && P(a).ReduceCyclic(size).Degree < size;
    }

    [Property(MaxTest = 200)]
    public bool Division_SatisfiesDivisionIdentity(uint[] a, uint[] b, uint lead)
    {
        // Make the divisor's leading coefficient a unit: the precondition of division over Z_n.
        var z = Ring.Coefficients;
        uint unit = lead % Ring.Modulus;
        while (!z.IsUnit(unit)) unit = (unit + 1) % Ring.Modulus;
        var divisor = P(b) + Ring.Monomial(unit, P(b).Degree + 1);
        var (q, r) = ZnPolynomial.DivRem(P(a), divisor);
        return q * divisor + r == P(a) && r.Degree < divisor.Degree;
    }

    [Property(MaxTest = 60)]
    public bool Composition_IsAssociative(uint[] a, uint[] b, uint[] c)
    {
        // Composite degrees multiply, so keep the inner polynomials short.
        var (f, g, h) = (P(a).Truncate(6), P(b).Truncate(5), P(c).Truncate(4));
        return f.Compose(g).Compose(h) == f.Compose(g.Compose(h));
    }

    [Property(MaxTest = 200)]
    public bool Composition_EvaluatesAsComposedFunctions(uint[] a, uint[] b, uint x)
    {
        x %= Ring.Modulus;
        var (f, g) = (P(a).Truncate(12), P(b).Truncate(12));
        return f.Compose(g).Evaluate(x) == f.Evaluate(g.Evaluate(x));
    }

    [Property(MaxTest = 200)]
    public bool Derivative_SatisfiesLeibnizRule(uint[] a, uint[] b) =>
        (P(a) * P(b)).Derivative() == P(a).Derivative() * P(b) + P(a) * P(b).Derivative();

    [Property(MaxTest = 100)]
    public bool Power_IsRepeatedMultiplication(uint[] a, byte e)
    {
        var p = P(a).Truncate(40);
        int k = e % 7;
        var expected = Ring.One;
        for (int i = 0; i < k; i++) expected *= p;
        return p.Pow((ulong)k) == expected;
    }

    [Property(MaxTest = 200)]
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

public sealed class RingLawsVocabulary : RingLaws
{
    protected override PolynomialRing Ring { get; } = PolynomialRing.ForVocabulary(100277);
}
