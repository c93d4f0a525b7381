using System.Globalization;

namespace FiberProduct.Algebra;

/// <summary>
/// A ring homomorphism φ: Z_n[x] → Z_m, P ↦ P(a) mod m: reduce the coefficients modulo m (a ring homomorphism exactly
/// when m divides n), then evaluate at a point a ∈ Z_m. With m = n it is plain evaluation; composing with a further
/// reduction to Z_k (k dividing m) gives the homomorphism for k and a mod k. The maps of T9 (docs/theorems.md).
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="point"/> is not a residue of Z_n.</exception>
    public static RingHomomorphism Evaluation(PolynomialRing source, uint point)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new RingHomomorphism(source, source.Coefficients, source.Coefficients.Check(point, nameof(point)));
    }

    /// <summary>Reduction of the coefficients modulo m, then evaluation at a ∈ Z_m: Z_n[x] → Z_m.</summary>
    /// <exception cref="ArgumentException"><paramref name="modulus"/> does not divide n (reduction would not be a ring homomorphism).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modulus"/> is below 2, or <paramref name="point"/> is not a residue of Z_m.</exception>
    public static RingHomomorphism ReductionThenEvaluation(PolynomialRing source, uint modulus, uint point)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = new ResidueRing(modulus);
        if (source.Modulus % modulus != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Reduction from Z_{source.Modulus} to Z_{modulus} is a ring homomorphism only when {modulus} divides {source.Modulus}."), nameof(modulus));
        return new RingHomomorphism(source, target, target.Check(point, nameof(point)));
    }

    /// <summary>The composite with a further reduction Z_m → Z_k (k dividing m): P ↦ P(a mod k) mod k.</summary>
    /// <exception cref="ArgumentException"><paramref name="modulus"/> does not divide m.</exception>
    public RingHomomorphism ThenReduce(uint modulus)
    {
        var target = new ResidueRing(modulus);
        if (Target.Modulus % modulus != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Reduction from Z_{Target.Modulus} to Z_{modulus} is a ring homomorphism only when {modulus} divides {Target.Modulus}."), nameof(modulus));
        return new RingHomomorphism(Source, target, Point % modulus);
    }

    /// <summary>The domain Z_n[x].</summary>
    public PolynomialRing Source { get; }

    /// <summary>The codomain Z_m.</summary>
    public ResidueRing Target { get; }

    /// <summary>The evaluation point a ∈ Z_m.</summary>
    public uint Point { get; }

    /// <summary>φ(P) = P(a) mod m, by Horner's rule in Z_m on the reduced coefficients.</summary>
    /// <exception cref="ArgumentException"><paramref name="polynomial"/> does not belong to <see cref="Source"/>.</exception>
    public uint Apply(ZnPolynomial polynomial)
    {
        ArgumentNullException.ThrowIfNull(polynomial);
        if (polynomial.Ring != Source)
            throw new ArgumentException($"The homomorphism is defined on {Source}, not on {polynomial.Ring}.", nameof(polynomial));
        var mod = Target.Reducer;
        uint value = 0;
        var c = polynomial.Coefficients;
        for (int i = c.Length - 1; i >= 0; i--) value = mod.Reduce((ulong)value * Point + c[i] % Target.Modulus);
        return value;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Source} → {Target}, P ↦ P({Point}) mod {Target.Modulus}");
}
