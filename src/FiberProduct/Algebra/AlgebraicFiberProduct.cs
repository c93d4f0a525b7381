using System.Globalization;

namespace FiberProduct.Algebra;

/// <summary>
/// The classical fiber product A ×_C B = {(P, Q) ∈ A × B : φ(P) = ψ(Q)} of two ring homomorphisms φ: A → C and
/// ψ: B → C into a common ring (T9). It is a subring of A × B: it holds (0, 0) and (1, 1) and is closed under +,
/// − and ×, because φ and ψ are homomorphisms. Typical use: A = Z_256[x] (images), B = Z_|V|[x] (texts), C = Z_m
/// with m dividing gcd(256, |V|).
/// </summary>
/// <example>
/// <code>
/// var images = PolynomialRing.Z256;
/// var texts = PolynomialRing.ForVocabulary(32000);
/// var fiber = new AlgebraicFiberProduct(
///     RingHomomorphism.ReductionThenEvaluation(images, 4, 1),
///     RingHomomorphism.ReductionThenEvaluation(texts, 4, 1));
/// bool inside = fiber.Contains(images.Create(1, 2), texts.Create(17, 0, 2));   // 3 mod 4 == 19 mod 4: true
/// var count = fiber.Count(0);        // pairs of constants: Σ_c |φ⁻¹(c)|·|ψ⁻¹(c)| = 4 · 64 · 8000
/// foreach (var (p, q) in fiber.Enumerate(0, 1 &lt;&lt; 16)) { /* 2,048,000 pairs, produced lazily */ }
/// </code>
/// </example>
public sealed class AlgebraicFiberProduct
{
    /// <summary>
    /// The default of the most polynomials one side may have below the degree bound for <see cref="Count(int)"/> and
    /// <see cref="Enumerate(int)"/> (2^24); the overloads with <c>maxPolynomials</c> take another limit.
    /// </summary>
    public const long MaxEnumeratedPolynomials = 1 << 24;

    /// <summary>The fiber product of φ and ψ.</summary>
    /// <param name="phi">φ: A → C.</param>
    /// <param name="psi">ψ: B → C, into the same ring C as φ.</param>
    /// <exception cref="ArgumentException">φ and ψ map into different rings.</exception>
    public AlgebraicFiberProduct(RingHomomorphism phi, RingHomomorphism psi)
    {
        ArgumentNullException.ThrowIfNull(phi);
        ArgumentNullException.ThrowIfNull(psi);
        if (phi.Target != psi.Target)
            throw new ArgumentException(
                $"A fiber product needs homomorphisms into one ring; φ maps into {phi.Target} but "
                + $"ψ into {psi.Target}.", nameof(psi));
        Phi = phi;
        Psi = psi;
    }

    /// <summary>φ: A → C.</summary>
    public RingHomomorphism Phi { get; }

    /// <summary>ψ: B → C.</summary>
    public RingHomomorphism Psi { get; }

    /// <summary>Whether φ(P) = ψ(Q), by two Horner evaluations (O(deg P + deg Q)).</summary>
    /// <param name="p">P ∈ A.</param>
    /// <param name="q">Q ∈ B.</param>
    /// <returns>True when (P, Q) lies in A ×_C B.</returns>
    /// <exception cref="ArgumentException">P is not in A or Q not in B.</exception>
    public bool Contains(ZnPolynomial p, ZnPolynomial q) => Phi.Apply(p) == Psi.Apply(q);

    /// <summary>
    /// The number of pairs (P, Q) with deg P, deg Q ≤ <paramref name="maxDegree"/> in the fiber product, enumerating
    /// at most <see cref="MaxEnumeratedPolynomials"/> polynomials per side (see <see cref="Count(int, long)"/>).
    /// </summary>
    /// <param name="maxDegree">The degree bound, at least 0.</param>
    /// <returns>The exact number of pairs.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegree"/> is negative, or a side has more than
    /// <see cref="MaxEnumeratedPolynomials"/> polynomials of that degree bound.</exception>
    public System.Numerics.BigInteger Count(int maxDegree) => Count(maxDegree, MaxEnumeratedPolynomials);

    /// <summary>
    /// The number of pairs (P, Q) with deg P, deg Q ≤ <paramref name="maxDegree"/> in the fiber product:
    /// Σ_c |φ⁻¹(c)|·|ψ⁻¹(c)| over c ∈ C, counting each side's fibers by enumeration (time proportional to
    /// n^(maxDegree + 1) per side, memory to |C|).
    /// </summary>
    /// <param name="maxDegree">The degree bound, at least 0.</param>
    /// <param name="maxPolynomials">The most polynomials one side may have below the degree bound; at least 1.</param>
    /// <returns>The exact number of pairs (it can exceed 2^63: n^(k+1) per side).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegree"/> is negative,
    /// <paramref name="maxPolynomials"/> is below 1, or a side has more than <paramref name="maxPolynomials"/>
    /// polynomials of degree ≤ <paramref name="maxDegree"/> (checked before any work).</exception>
    public System.Numerics.BigInteger Count(int maxDegree, long maxPolynomials)
    {
        CheckSize(Phi.Source, maxDegree, maxPolynomials);
        CheckSize(Psi.Source, maxDegree, maxPolynomials);
        var left = FiberSizes(Phi, maxDegree);
        var right = FiberSizes(Psi, maxDegree);
        System.Numerics.BigInteger total = 0;
        for (int c = 0; c < left.Length; c++) total += (System.Numerics.BigInteger)left[c] * right[c];
        return total;
    }

    /// <summary>
    /// Every pair (P, Q) with deg P, deg Q ≤ <paramref name="maxDegree"/> in the fiber product, enumerating at most
    /// <see cref="MaxEnumeratedPolynomials"/> polynomials per side (see <see cref="Enumerate(int, long)"/>).
    /// </summary>
    /// <param name="maxDegree">The degree bound, at least 0.</param>
    /// <returns>The pairs, lazily, in the order of <see cref="Enumerate(int, long)"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegree"/> is negative, or a side has more than
    /// <see cref="MaxEnumeratedPolynomials"/> polynomials of that degree bound.</exception>
    public IEnumerable<(ZnPolynomial P, ZnPolynomial Q)> Enumerate(int maxDegree) =>
        Enumerate(maxDegree, MaxEnumeratedPolynomials);

    /// <summary>
    /// Every pair (P, Q) with deg P, deg Q ≤ <paramref name="maxDegree"/> in the fiber product, P in increasing order
    /// of its coefficient vector (read as a base-n number), Q likewise within each P. Lazy: the pairs are produced as
    /// they are read, and the memory held is ψ's side (at most <paramref name="maxPolynomials"/> polynomials).
    /// </summary>
    /// <param name="maxDegree">The degree bound, at least 0.</param>
    /// <param name="maxPolynomials">The most polynomials one side may have below the degree bound; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegree"/> is negative,
    /// <paramref name="maxPolynomials"/> is below 1, or a side has more than <paramref name="maxPolynomials"/>
    /// polynomials of degree ≤ <paramref name="maxDegree"/> (checked when called, before any work).</exception>
    /// <returns>The pairs, lazily; each read of the sequence enumerates both sides again.</returns>
    public IEnumerable<(ZnPolynomial P, ZnPolynomial Q)> Enumerate(int maxDegree, long maxPolynomials)
    {
        CheckSize(Phi.Source, maxDegree, maxPolynomials);
        CheckSize(Psi.Source, maxDegree, maxPolynomials);
        return Pairs(maxDegree);
    }

    private IEnumerable<(ZnPolynomial P, ZnPolynomial Q)> Pairs(int maxDegree)
    {
        var byImage = new Dictionary<uint, List<ZnPolynomial>>();
        foreach (var q in Polynomials(Psi.Source, maxDegree))
        {
            uint c = Psi.Apply(q);
            if (!byImage.TryGetValue(c, out var list)) byImage[c] = list = [];
            list.Add(q);
        }
        foreach (var p in Polynomials(Phi.Source, maxDegree))
            if (byImage.TryGetValue(Phi.Apply(p), out var matches))
                foreach (var q in matches) yield return (p, q);
    }

    private static long[] FiberSizes(RingHomomorphism h, int maxDegree)
    {
        var sizes = new long[h.Target.Modulus];
        foreach (var p in Polynomials(h.Source, maxDegree)) sizes[h.Apply(p)]++;
        return sizes;
    }

    /// <summary>Refuses a degree bound under which the ring has more than the allowed polynomials, n^(k+1) computed
    /// exactly.</summary>
    private static void CheckSize(PolynomialRing ring, int maxDegree, long maxPolynomials)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegree);
        if (maxPolynomials < 1)
            throw new ArgumentOutOfRangeException(nameof(maxPolynomials), maxPolynomials,
                "The most polynomials to enumerate must be at least 1.");
        // n^(k+1) by repeated multiplication, stopping as soon as it passes the limit (no rounding, no overflow).
        long count = 1;
        for (int i = 0; i <= maxDegree; i++)
        {
            if (count > maxPolynomials / ring.Modulus)
                throw new ArgumentOutOfRangeException(nameof(maxDegree), maxDegree,
                    string.Create(CultureInfo.InvariantCulture,
                        $"{ring} has {ring.Modulus}^{maxDegree + 1} polynomials of degree ≤ {maxDegree}, more than "
                        + $"the limit of {maxPolynomials} (pass a larger maxPolynomials to allow it)."));
            count *= ring.Modulus;
        }
    }

    /// <summary>All polynomials of degree ≤ k, coefficient vectors counted up in base n (lowest coefficient
    /// fastest).</summary>
    private static IEnumerable<ZnPolynomial> Polynomials(PolynomialRing ring, int maxDegree)
    {
        var c = new uint[maxDegree + 1];
        while (true)
        {
            yield return ring.Create(c);
            int i = 0;
            while (i <= maxDegree && ++c[i] == ring.Modulus) c[i++] = 0;
            if (i > maxDegree) yield break;
        }
    }
}
