using FiberProduct.Fiber;

namespace FiberProduct.Analysis;

/// <summary>
/// Statement T4: if f is L_f-Lipschitz for the image metric and g is L_g-Lipschitz for the text metric, then
/// (P, Q) ∈ F_ε, d_I(P, P') ≤ δ_I and d_T(Q, Q') ≤ δ_T imply (P', Q') ∈ F_{ε + L_f δ_I + L_g δ_T}. A pair at distance
/// r ≤ ε stays in F_ε under every perturbation with L_f δ_I + L_g δ_T ≤ ε − r: its certified radius.
/// </summary>
public static class Robustness
{
    /// <summary>ε + L_f δ_I + L_g δ_T: the tolerance that still holds every perturbed pair.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative or NaN.</exception>
    public static double PerturbedTolerance(double epsilon, double imageLipschitz, double imagePerturbation, double textLipschitz, double textPerturbation)
    {
        foreach (var (value, name) in new[] { (epsilon, nameof(epsilon)), (imageLipschitz, nameof(imageLipschitz)), (imagePerturbation, nameof(imagePerturbation)), (textLipschitz, nameof(textLipschitz)), (textPerturbation, nameof(textPerturbation)) })
            if (!(value >= 0)) throw new ArgumentOutOfRangeException(name, value, "Expected a non-negative number.");
        return epsilon + imageLipschitz * imagePerturbation + textLipschitz * textPerturbation;
    }

    /// <summary>The certified radius ε − r of every pair of F_ε, aligned with <see cref="PairSet.Distances"/>.</summary>
    public static double[] CertifiedRadii(PairSet pairs, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Expected a non-negative number.");
        var radii = new double[pairs.PairCount];
        var distances = pairs.Distances;
        for (int p = 0; p < radii.Length; p++) radii[p] = epsilon - distances[p];
        return radii;
    }

    /// <summary>The pairs of F_ε with their certified radii, ready to export (<see cref="IO.ResultExport"/>).</summary>
    public static CertifiedPairs Certify(PairSet pairs, double epsilon) => new(pairs, epsilon, CertifiedRadii(pairs, epsilon));

    /// <summary>
    /// How many pairs of F_ε are certified to stay in F_ε under every perturbation whose combined effect
    /// L_f δ_I + L_g δ_T is at most <paramref name="budget"/>.
    /// </summary>
    public static long SurvivingPairs(PairSet pairs, double epsilon, double budget)
    {
        if (!(budget >= 0)) throw new ArgumentOutOfRangeException(nameof(budget), budget, "Expected a non-negative number.");
        return CertifiedRadii(pairs, epsilon).LongCount(r => r >= budget);
    }
}

/// <summary>The pairs of F_ε and, aligned with them, the certified radius ε − r of each (statement T4).</summary>
/// <param name="Pairs">F_ε.</param>
/// <param name="Epsilon">ε.</param>
/// <param name="Radii">ε − ‖f(P) − g(Q)‖ per pair, in the order of <see cref="PairSet.Distances"/>.</param>
public sealed record CertifiedPairs(PairSet Pairs, double Epsilon, double[] Radii);
