using System.Globalization;
using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber;

public sealed partial class ApproximateFiberProduct
{
    /// <summary>Precision, recall and F1 of F_ε against a known pairing.</summary>
    /// <remarks>Exact: |F_ε| as <see cref="Count"/> (no pairs allocated); each true pair decided exactly.</remarks>
    /// <param name="epsilon">The tolerance ε ≥ 0 (closed bound), in the units of <see cref="Metric"/>.</param>
    /// <param name="truth">The known pairing T, with indices inside the two sets.</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs; a cancelled call throws and returns nothing
    /// partial.</param>
    /// <returns>|F_ε|, |F_ε ∩ T| and |T| at ε, with precision, recall and F1.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="truth"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">ε is negative or NaN, or a true pair indexes outside the
    /// sets.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public AlignmentScore Score(double epsilon, Pairing truth, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        CheckPairs(truth);
        var exact = new ExactCheck(operands.Get(Scope(null, cancellationToken)));
        long truePositives = truth.Pairs.Count(pair => exact.Within(pair.Image, pair.Text, epsilon));
        return new AlignmentScore(epsilon, Count(epsilon, progress, cancellationToken), truePositives, truth.Count);
    }

    /// <summary>
    /// The alignment curve: the score at every distinct true-pair distance, ascending, from one pass over the data.
    /// These are the only tolerances worth considering: between two of them the true positives stay the same while
    /// |F_ε| can only grow, so precision, recall and F1 are all at their best at the lower one.
    /// </summary>
    /// <remarks>
    /// Exact: each threshold is a true pair's float64 distance, and each count and true-positive count is exact at that
    /// threshold. Cost: one <see cref="Profile"/> pass at the largest true-pair distance (no pairs allocated) plus an
    /// exact decision per true pair and threshold probed (O(|T|·log|T|)).
    /// </remarks>
    /// <param name="truth">The known pairing T, with indices inside the two sets.</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs; a cancelled call throws and returns nothing
    /// partial.</param>
    /// <returns>One score per distinct true-pair distance, by increasing ε; empty when the pairing is empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="truth"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A true pair indexes outside the sets.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IReadOnlyList<AlignmentScore> AlignmentCurve(Pairing truth, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckPairs(truth);
        return AlignmentCurves([truth], progress, cancellationToken)[0];
    }

    /// <summary>
    /// The alignment curves of several pairings from one <see cref="Profile"/> pass over the union of their thresholds
    /// (each curve as <see cref="AlignmentCurve"/> gives it), so that a null of many shuffled pairings costs one pass
    /// plus an exact tolerance per true pair, not a pass per pairing.
    /// </summary>
    internal IReadOnlyList<AlignmentScore>[] AlignmentCurves(IReadOnlyList<Pairing> pairings,
        IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var exact = new ExactCheck(operands.Get(Scope(null, cancellationToken)));
        // Each true pair's own tolerance (the smallest double that holds it exactly; its float64 distance may be
        // rounded below the exact one, and then would not hold the pair itself).
        var tolerances = pairings.Select(truth => truth.Pairs.Select(pair =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return exact.Tolerance(pair.Image, pair.Text);
        }).ToArray()).ToArray();
        var all = tolerances.SelectMany(t => t).Distinct().Order().ToArray();
        long[] counts = all.Length == 0 ? []
            : Profile(all, includeDistances: false, progress, cancellationToken).Counts.ToArray();
        var curves = new IReadOnlyList<AlignmentScore>[pairings.Count];
        for (int c = 0; c < curves.Length; c++)
        {
            var thresholds = tolerances[c].Distinct().Order().ToArray();
            // Each true pair counts from the first threshold that holds it exactly, as the profile counts every pair:
            // its own tolerance, since a pair lies in F_ε exactly when ε is at least its tolerance.
            var firstCovering = new long[thresholds.Length];
            foreach (double tolerance in tolerances[c]) firstCovering[Array.BinarySearch(thresholds, tolerance)]++;
            var scores = new AlignmentScore[thresholds.Length];
            long covered = 0;
            for (int t = 0; t < thresholds.Length; t++)
            {
                covered += firstCovering[t];
                long pairs = counts[Array.BinarySearch(all, thresholds[t])];
                scores[t] = new AlignmentScore(thresholds[t], pairs, covered, pairings[c].Count);
            }
            curves[c] = scores;
        }
        return curves;
    }

    /// <summary>The tolerance with the highest F1 against the pairing (the smallest such ε on ties) — one answer to
    /// "which ε?".</summary>
    /// <remarks>The best point of <see cref="AlignmentCurve"/>, at its cost; exact.</remarks>
    /// <param name="truth">The known pairing T, with indices inside the two sets.</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs; a cancelled call throws and returns nothing
    /// partial.</param>
    /// <returns>The score at the chosen ε (its <see cref="AlignmentScore.Epsilon"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="truth"/> is null.</exception>
    /// <exception cref="ArgumentException">The pairing is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A true pair indexes outside the sets.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// // Row i of the images was embedded from the same item as row i of the texts.
    /// AlignmentScore best = product.BestF1(Pairing.Diagonal(product.Images.Count));
    /// Console.WriteLine($"ε = {best.Epsilon:F4}: precision {best.Precision:P1}, recall {best.Recall:P1}, "
    ///     + $"F1 {best.F1:F3}");
    /// PairSet aligned = product.Pairs(best.Epsilon);
    /// </code>
    /// </example>
    public AlignmentScore BestF1(Pairing truth, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var curve = AlignmentCurve(truth, progress, cancellationToken);
        if (curve.Count == 0) throw new ArgumentException("The pairing is empty.", nameof(truth));
        return Best(curve);
    }

    /// <summary>The point of highest F1 on a curve, the first (smallest ε) on ties.</summary>
    internal static AlignmentScore Best(IReadOnlyList<AlignmentScore> curve)
    {
        var best = curve[0];
        foreach (var score in curve) if (score.F1 > best.F1) best = score;
        return best;
    }

    /// <summary>
    /// The largest tolerance whose precision is at least <paramref name="targetPrecision"/> (so the highest recall at
    /// that precision), or null when no tolerance reaches it.
    /// </summary>
    /// <remarks>Read off <see cref="AlignmentCurve"/>, at its cost; exact.</remarks>
    /// <param name="truth">The known pairing T, with indices inside the two sets.</param>
    /// <param name="targetPrecision">The least precision |F_ε ∩ T| / |F_ε| wanted, in (0, 1].</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs; a cancelled call throws and returns nothing
    /// partial.</param>
    /// <returns>The score at the largest such ε, or null when none reaches the target (or the pairing is
    /// empty).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="truth"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The target is outside (0, 1], or a true pair indexes outside the
    /// sets.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public AlignmentScore? EpsilonForPrecision(Pairing truth, double targetPrecision,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!(targetPrecision > 0 && targetPrecision <= 1))
            throw new ArgumentOutOfRangeException(nameof(targetPrecision), targetPrecision,
                "Expected a precision in (0, 1].");
        AlignmentScore? found = null;
        foreach (var score in AlignmentCurve(truth, progress, cancellationToken))
            if (score.Precision >= targetPrecision) found = score;
        return found;
    }

    /// <summary>Refuses true pairs outside the sets.</summary>
    private void CheckPairs(Pairing truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        foreach (var (i, j) in truth.Pairs)
            if (i >= Images.Count || j >= Texts.Count)
                throw new ArgumentOutOfRangeException(nameof(truth), string.Create(CultureInfo.InvariantCulture,
                    $"True pair ({i}, {j}) lies outside the {Images.Count} images and {Texts.Count} texts."));
    }
}
