using System.Globalization;

namespace FiberProduct.Algebra;

/// <summary>
/// A ring homomorphism φ: Z_n[x] → Z_m, P ↦ P(a) mod m: reduce the coefficients modulo m (a ring homomorphism
/// exactly when m divides n), then evaluate at a point a ∈ Z_m. With m = n it is plain evaluation; composing with a
/// further reduction to Z_k (k dividing m) gives the homomorphism for k and a mod k. The maps of T9 (docs/theorems.md).
/// </summary>
public sealed class RingHomomorphism
{
    private RingHomomorphism(PolynomialRing source, ResidueRing target, uint point)
    {
        Source = source;
        Target = target;
        Point = point;
    }

    /// <summary>Evaluation at a point: Z_n[x] → Z_n, P ↦ P(a).</summary>
    /// <param name="source">Z_n[x].</param>
    /// <param name="point">a, a residue 0 … n − 1.</param>
    /// <returns>The homomorphism, with <see cref="Target"/> = Z_n.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="point"/> is not a residue of Z_n.</exception>
    public static RingHomomorphism Evaluation(PolynomialRing source, uint point)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new RingHomomorphism(source, source.Coefficients, source.Coefficients.Check(point, nameof(point)));
    }

    /// <summary>Reduction of the coefficients modulo m, then evaluation at a ∈ Z_m: Z_n[x] → Z_m.</summary>
    /// <param name="source">Z_n[x].</param>
    /// <param name="modulus">m, a divisor of n, at least 2.</param>
    /// <param name="point">a, a residue 0 … m − 1.</param>
    /// <returns>The homomorphism P ↦ P(a) mod m.</returns>
    /// <exception cref="ArgumentException"><paramref name="modulus"/> does not divide n (reduction would not be a ring
    /// homomorphism).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modulus"/> is below 2, or <paramref name="point"/>
    /// is not a residue of Z_m.</exception>
    /// <example>
    /// <code>
    /// // Z_256[x] → Z_4 and Z_32000[x] → Z_4 (4 divides gcd(256, 32000)), both evaluating at 1
    /// var phi = RingHomomorphism.ReductionThenEvaluation(PolynomialRing.Z256, 4, 1);
    /// var psi = RingHomomorphism.ReductionThenEvaluation(PolynomialRing.ForVocabulary(32000), 4, 1);
    /// uint c = phi.Apply(PolynomialRing.Z256.Create(3, 5, 7));   // (3 + 5 + 7) mod 4 = 3
    /// </code>
    /// </example>
    public static RingHomomorphism ReductionThenEvaluation(PolynomialRing source, uint modulus, uint point)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = new ResidueRing(modulus);
        if (source.Modulus % modulus != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Reduction from Z_{source.Modulus} to Z_{modulus} is a ring homomorphism only when {modulus} "
                + $"divides {source.Modulus}."), nameof(modulus));
        return new RingHomomorphism(source, target, target.Check(point, nameof(point)));
    }

    /// <summary>The composite with a further reduction Z_m → Z_k (k dividing m): P ↦ P(a mod k) mod k.</summary>
    /// <param name="modulus">k, a divisor of m = <see cref="Target"/>.Modulus, at least 2.</param>
    /// <returns>A new homomorphism Z_n[x] → Z_k at the point a mod k; this one is unchanged.</returns>
    /// <exception cref="ArgumentException"><paramref name="modulus"/> does not divide m.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modulus"/> is below 2.</exception>
    public RingHomomorphism ThenReduce(uint modulus)
    {
        var target = new ResidueRing(modulus);
        if (Target.Modulus % modulus != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Reduction from Z_{Target.Modulus} to Z_{modulus} is a ring homomorphism only when {modulus} "
                + $"divides {Target.Modulus}."), nameof(modulus));
        return new RingHomomorphism(Source, target, Point % modulus);
    }

    /// <summary>The domain Z_n[x].</summary>
    public PolynomialRing Source { get; }

    /// <summary>The codomain Z_m.</summary>
    public ResidueRing Target { get; }

    /// <summary>The evaluation point a ∈ Z_m.</summary>
    public uint Point { get; }

    /// <summary>φ(P) = P(a) mod m, by Horner's rule in Z_m on the reduced coefficients (O(deg P), no
    /// allocation).</summary>
    /// <param name="polynomial">P, a polynomial of <see cref="Source"/>.</param>
    /// <returns>φ(P), a residue 0 … m − 1.</returns>
    /// <exception cref="ArgumentException"><paramref name="polynomial"/> does not belong to
    /// <see cref="Source"/>.</exception>
    public uint Apply(ZnPolynomial polynomial)
    {
        ArgumentNullException.ThrowIfNull(polynomial);
        if (polynomial.Ring != Source)
            throw new ArgumentException($"The homomorphism is defined on {Source}, not on {polynomial.Ring}.",
                nameof(polynomial));
        var mod = Target.Reducer;
        uint value = 0;
        var c = polynomial.Coefficients;
        for (int i = c.Length - 1; i >= 0; i--) value = mod.Reduce((ulong)value * Point + c[i] % Target.Modulus);
        return value;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Source} → {Target}, P ↦ P({Point}) mod {Target.Modulus}");
}
