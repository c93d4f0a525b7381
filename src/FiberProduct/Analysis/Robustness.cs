using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Analysis;

/// <summary>
/// Statement T4: if f is L_f-Lipschitz for the image metric and g is L_g-Lipschitz for the text metric, then
/// (P, Q) ∈ F_ε, d_I(P, P') ≤ δ_I and d_T(Q, Q') ≤ δ_T imply (P', Q') ∈ F_{ε + L_f δ_I + L_g δ_T}. A pair
/// at distance r ≤ ε stays in F_ε under every perturbation with L_f δ_I + L_g δ_T ≤ ε − r: its
/// certified radius.
/// </summary>
public static class Robustness
{
    /// <summary>
    /// ε + L_f δ_I + L_g δ_T, rounded upwards: the tolerance that still holds every perturbed pair when f and g are
    /// computed exactly. For maps whose returned values are rounded use the overload taking the maps.
    /// </summary>
    /// <param name="epsilon">ε ≥ 0, the tolerance of F_ε.</param>
    /// <param name="imageLipschitz">L_f ≥ 0, the Lipschitz constant of f for the image metric.</param>
    /// <param name="imagePerturbation">δ_I ≥ 0, a bound on d_I(P, P′).</param>
    /// <param name="textLipschitz">L_g ≥ 0, the Lipschitz constant of g for the text metric.</param>
    /// <param name="textPerturbation">δ_T ≥ 0, a bound on d_T(Q, Q′).</param>
    /// <returns>The perturbed tolerance ε′ ≥ ε, in the units of ‖·‖ on Z.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative or NaN.</exception>
    public static double PerturbedTolerance(double epsilon, double imageLipschitz, double imagePerturbation,
        double textLipschitz, double textPerturbation)
    {
        foreach (var (value, name) in new[] { (epsilon, nameof(epsilon)), (imageLipschitz, nameof(imageLipschitz)),
            (imagePerturbation, nameof(imagePerturbation)), (textLipschitz, nameof(textLipschitz)),
            (textPerturbation, nameof(textPerturbation)) })
            if (!(value >= 0)) throw new ArgumentOutOfRangeException(name, value, "Expected a non-negative number.");
        return Upward.Of(epsilon + imageLipschitz * imagePerturbation + textLipschitz * textPerturbation);
    }

    /// <summary>
    /// The tolerance that holds every perturbed pair of returned values: ε + f.MovementBound(δ_I)
    /// + g.MovementBound(δ_T) (each L·δ + 2ρ, ρ the map's rounding bound), rounded upwards. If ‖f(P) − g(Q)‖
    /// ≤ ε for the returned values, d_I(P, P′) ≤ δ_I and d_T(Q, Q′) ≤ δ_T, then ‖f(P′) − g(Q′)‖
    /// is at most this (the triangle inequality).
    /// </summary>
    /// <param name="epsilon">ε.</param>
    /// <param name="imageMap">f, with a certified Lipschitz constant.</param>
    /// <param name="imagePerturbation">δ_I, a bound on the image's ring distance.</param>
    /// <param name="textMap">g, with a certified Lipschitz constant.</param>
    /// <param name="textPerturbation">δ_T, a bound on the text's ring distance.</param>
    /// <returns>The perturbed tolerance ε′ ≥ ε, in the units of ‖·‖ on Z.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A number is negative or NaN.</exception>
    /// <exception cref="InvalidOperationException">A map has no certified Lipschitz constant.</exception>
    public static double PerturbedTolerance(double epsilon, EmbeddingMap imageMap, double imagePerturbation,
        EmbeddingMap textMap, double textPerturbation)
    {
        ArgumentNullException.ThrowIfNull(imageMap);
        ArgumentNullException.ThrowIfNull(textMap);
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Expected a non-negative number.");
        return Upward.Of(epsilon + imageMap.MovementBound(imagePerturbation) + textMap.MovementBound(textPerturbation));
    }

    /// <summary>
    /// A certified radius of every pair of F_ε (Euclidean), aligned with <see cref="PairSet.Distances"/>: a lower
    /// bound of ε − ‖f(P) − g(Q)‖ for the exact distance, i.e. ε − r minus the reported distance r's error
    /// bound, rounded downwards, and never below 0 (every pair of F_ε is within ε exactly, so 0 is always a
    /// valid lower bound).
    /// </summary>
    /// <param name="pairs">F_ε, found under the Euclidean metric.</param>
    /// <param name="epsilon">ε ≥ 0, the tolerance the pairs were found with.</param>
    /// <returns>One radius per pair, in [0, ε], in the units of ‖·‖ on Z.</returns>
    /// <exception cref="ArgumentException">The pairs were found under the cosine or angular metric (T4 is a statement
    /// about the Euclidean distance in Z).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <example>
    /// <code>
    /// var product = new ApproximateFiberProduct(images, texts);
    /// var pairs = product.Pairs(epsilon: 0.9);
    /// double[] radii = Robustness.CertifiedRadii(pairs, 0.9);
    /// long robust = Robustness.SurvivingPairs(pairs, 0.9, budget: 0.05); // stay if L_f δ_I + L_g δ_T ≤ 0.05
    /// double widened = Robustness.PerturbedTolerance(0.9, imageLipschitz: 1, imagePerturbation: 0.01,
    ///     textLipschitz: 1, textPerturbation: 0.02);
    /// </code>
    /// </example>
    public static double[] CertifiedRadii(PairSet pairs, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Expected a non-negative number.");
        var (metric, relative, absolute) = pairs.DistanceError;
        if (metric != FiberMetric.Euclidean)
            throw new ArgumentException(
                $"The pairs are in the {metric} metric; certified radii (T4) need Euclidean distances.", nameof(pairs));
        var radii = new double[pairs.PairCount];
        var distances = pairs.Distances;
        for (int p = 0; p < radii.Length; p++)
        {
            double r = distances[p], upper = r + relative * r + absolute; // ≥ the exact distance
            radii[p] = Math.Max(0, (epsilon - upper) * (1 - Math.ScaleB(1, -52)) - double.Epsilon);
        }
        return radii;
    }

    /// <summary>The pairs of F_ε with their certified radii, ready to export
    /// (<see cref="Export.ResultExport"/>).</summary>
    /// <param name="pairs">F_ε, found under the Euclidean metric.</param>
    /// <param name="epsilon">ε ≥ 0, the tolerance the pairs were found with.</param>
    /// <returns>The pairs, ε and their radii (see <see cref="CertifiedRadii"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="ArgumentException">The pairs were not found under the Euclidean metric.</exception>
    public static CertifiedPairs Certify(PairSet pairs, double epsilon) =>
        new(pairs, epsilon, CertifiedRadii(pairs, epsilon));

    /// <summary>
    /// How many pairs of F_ε are certified to stay in F_ε under every perturbation whose combined effect
    /// L_f δ_I + L_g δ_T is at most <paramref name="budget"/>.
    /// </summary>
    /// <param name="pairs">F_ε, found under the Euclidean metric.</param>
    /// <param name="epsilon">ε ≥ 0, the tolerance the pairs were found with.</param>
    /// <param name="budget">The bound on L_f δ_I + L_g δ_T, ≥ 0, in the units of ‖·‖ on Z.</param>
    /// <returns>The number of pairs whose certified radius is at least <paramref name="budget"/>, 0
    /// … |F_ε|.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="budget"/> or <paramref name="epsilon"/> is
    /// negative or NaN.</exception>
    /// <exception cref="ArgumentException">The pairs were not found under the Euclidean metric.</exception>
    public static long SurvivingPairs(PairSet pairs, double epsilon, double budget)
    {
        if (!(budget >= 0))
            throw new ArgumentOutOfRangeException(nameof(budget), budget, "Expected a non-negative number.");
        return CertifiedRadii(pairs, epsilon).LongCount(r => r >= budget);
    }
}

/// <summary>The pairs of F_ε and, aligned with them, the certified radius ε − r of each (statement T4).</summary>
/// <param name="Pairs">F_ε.</param>
/// <param name="Epsilon">ε.</param>
/// <param name="Radii">ε − ‖f(P) − g(Q)‖ per pair, in the order of <see cref="PairSet.Distances"/>.</param>
public sealed record CertifiedPairs(PairSet Pairs, double Epsilon, double[] Radii)
{
    /// <summary>A one-line summary: how many pairs, ε and the largest certified radius, not the radii.</summary>
    /// <returns>For instance "388 pairs within ε = 1.1615, certified radii up to 0.0321".</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Pairs.PairCount} pairs within ε = {Epsilon:G6}, certified radii up to "
        + $"{(Radii.Length == 0 ? 0 : Radii.Max()):G4}");
}
