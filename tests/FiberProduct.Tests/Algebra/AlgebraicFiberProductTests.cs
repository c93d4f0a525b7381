using FiberProduct.Algebra;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Algebra;

/// <summary>T9: the classical fiber product of two ring homomorphisms into a common Z_m is a subring of
/// A × B.</summary>
public class AlgebraicFiberProductTests
{
    // Images Z_256[x] and texts over a 32,000-token vocabulary (gcd(256, 32000) = 256), into C = Z_m, m | 256.
    private static readonly PolynomialRing Images = PolynomialRing.Z256;
    private static readonly PolynomialRing Texts = PolynomialRing.ForVocabulary(32000);
    private static readonly uint[] Moduli = [2, 4, 8, 16, 128, 256];

    private static AlgebraicFiberProduct Product(byte which, uint a, uint b)
    {
        uint m = Moduli[which % Moduli.Length];
        return new AlgebraicFiberProduct(
            RingHomomorphism.ReductionThenEvaluation(Images, m, a % m),
            RingHomomorphism.ReductionThenEvaluation(Texts, m, b % m));
    }

    /// <summary>A member (P, Q): Q is adjusted by a constant so that ψ(Q) = φ(P).</summary>
    private static (ZnPolynomial P, ZnPolynomial Q) Member(AlgebraicFiberProduct product, uint[] rawP, uint[] rawQ)
    {
        var p = Residues.Polynomial(Images, rawP);
        var q = Residues.Polynomial(Texts, rawQ);
        uint m = product.Phi.Target.Modulus;
        uint shift = (product.Phi.Apply(p) + m - product.Psi.Apply(q)) % m;
        return (p, q + Texts.Constant(shift));
    }

    [Property(MaxTest = 300)]
    public bool FiberProduct_IsASubring(byte which, uint a, uint b, uint[] p1, uint[] q1, uint[] p2, uint[] q2)
    {
        var product = Product(which, a, b);
        var (x1, y1) = Member(product, p1, q1);
        var (x2, y2) = Member(product, p2, q2);
        return product.Contains(x1, y1) && product.Contains(x2, y2)
            && product.Contains(Images.Zero, Texts.Zero) && product.Contains(Images.One, Texts.One)
            && product.Contains(x1 + x2, y1 + y2)
            && product.Contains(x1 - x2, y1 - y2)
            && product.Contains(x1 * x2, y1 * y2);
    }

    [Property(MaxTest = 300)]
    public bool ReductionThenEvaluation_IsARingHomomorphism(byte which, uint a, uint[] p, uint[] q)
    {
        uint m = Moduli[which % Moduli.Length];
        var phi = RingHomomorphism.ReductionThenEvaluation(Texts, m, a % m);
        var (x, y) = (Residues.Polynomial(Texts, p), Residues.Polynomial(Texts, q));
        var z = phi.Target;
        return phi.Apply(x + y) == z.Add(phi.Apply(x), phi.Apply(y))
            && phi.Apply(x * y) == z.Multiply(phi.Apply(x), phi.Apply(y))
            && phi.Apply(Texts.One) == 1
            && phi.ThenReduce(2).Apply(x) == phi.Apply(x) % 2
            && RingHomomorphism.Evaluation(Texts, a % 32000).Apply(x) == x.Evaluate(a % 32000);
    }

    [Fact]
    public void Enumeration_AndCount_AgreeWithBruteForce()
    {
        var a = new PolynomialRing(4);
        var b = new PolynomialRing(6);
        var product = new AlgebraicFiberProduct(RingHomomorphism.ReductionThenEvaluation(a, 2, 1),
            RingHomomorphism.ReductionThenEvaluation(b, 2, 1));
        var all = AllPolynomials(a, 2).ToList();
        var allB = AllPolynomials(b, 2).ToList();
        var brute =
            (from p in all from q in allB where product.Phi.Apply(p) == product.Psi.Apply(q) select (p, q)).ToList();
        var enumerated = product.Enumerate(2).ToList();
        Assert.Equal(brute.Count, enumerated.Count);
        Assert.Equal(brute.ToHashSet(), enumerated.ToHashSet());
        Assert.Equal(brute.Count, (int)product.Count(2));
        Assert.Equal(64 * 216 / 2, brute.Count); // each side splits evenly over Z_2
        Assert.Contains((a.Zero, b.Zero), enumerated);
        Assert.Contains((a.One, b.One), enumerated);
    }

    [Fact]
    public void Mismatches_AreRejected()
    {
        var phi = RingHomomorphism.ReductionThenEvaluation(Images, 4, 1);
        var psi = RingHomomorphism.ReductionThenEvaluation(Texts, 8, 1);
        var e = Assert.Throws<ArgumentException>(() => new AlgebraicFiberProduct(phi, psi));
        Assert.Contains("Z_4", e.Message, StringComparison.Ordinal);
        Assert.Contains("Z_8", e.Message, StringComparison.Ordinal);
        // 2 ∤ 100277
        Assert.Throws<ArgumentException>(
            () => RingHomomorphism.ReductionThenEvaluation(PolynomialRing.ForVocabulary(100277), 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingHomomorphism.ReductionThenEvaluation(Images, 4, 4));
        Assert.Throws<ArgumentException>(() => phi.Apply(Texts.One));
        Assert.Throws<ArgumentException>(() => phi.ThenReduce(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlgebraicFiberProduct(phi,
            RingHomomorphism.ReductionThenEvaluation(Texts, 4, 0)).Count(5));
    }

    private static IEnumerable<ZnPolynomial> AllPolynomials(PolynomialRing ring, int maxDegree)
    {
        int n = (int)ring.Modulus, total = (int)Math.Pow(n, maxDegree + 1);
        for (int code = 0; code < total; code++)
        {
            var c = new uint[maxDegree + 1];
            for (int i = 0, v = code; i <= maxDegree; i++, v /= n) c[i] = (uint)(v % n);
            yield return ring.Create(c);
        }
    }
}
