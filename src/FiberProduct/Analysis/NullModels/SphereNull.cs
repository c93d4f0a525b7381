using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;

namespace FiberProduct.Analysis;

/// <summary>
/// The uniform-sphere null of T5: the same numbers of images and texts drawn independently and uniformly on the unit
/// sphere S^{d−1} of the same space (seeded), the statistic recomputed on each draw.
/// </summary>
/// <remarks>
/// <para>Caveat: real embeddings are not uniform on the sphere. CLIP's lie in a narrow cone (all pairwise cosines
/// positive, a modality gap between the two cones), so almost any statistic of real data beats this null. Rejecting it
/// says only "not uniform on the sphere"; whether the pairing carries alignment is the question of
/// <see cref="PairingPermutationNull"/>.</para>
/// <para>It applies where the law is one of unit vectors: the cosine and angular metrics (which normalise), or the
/// Euclidean metric on rows of unit length (|‖x‖² − 1| ≤ 10⁻³, float32 normalisation is far
/// within this).</para>
/// </remarks>
public static class SphereNull
{
    private const string Law = "uniform sphere (T5): images and texts independent and uniform on S^{d−1}; " +
        "caveat: real embeddings lie in a cone, so this null is weak";

    /// <summary>The largest |‖x‖² − 1| accepted as a unit vector under the Euclidean metric.</summary>
    private const double NormTolerance = 1e-3;

    /// <summary>Any statistic of a fiber product against products of uniform points with the same sizes, metric and
    /// options.</summary>
    /// <param name="product">The fiber product (unit rows under the Euclidean metric).</param>
    /// <param name="statistic">The statistic (called on the product first, then once per draw).</param>
    /// <param name="name">What the statistic is, for reports.</param>
    /// <param name="tail">Which values count as extreme.</param>
    /// <param name="draws">The number B of draws, at least 1 (default 99).</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction of draws done.</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">Under the Euclidean metric, a row is not of unit length (the law does not
    /// apply).</exception>
    /// <exception cref="ArgumentOutOfRangeException">B below 1, the coverage outside (0, 1), or the tail
    /// unknown.</exception>
    /// <example>
    /// <code>
    /// var product = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine);
    /// var count = SphereNull.PairCount(product, epsilon: 0.5, draws: 99, seed: 1);  // |F_ε| against uniform points
    /// var (mean, sd) = SphereNull.PairCountMoments(product, 0.5);                  // its exact null mean and spread
    /// var gap = SphereNull.TestSets(images, texts,
    ///     (x, y) => SubspaceDecomposition.Estimate(x, y).ModalityGapLength, "modality gap", NullTail.Upper,
    ///     draws: 19);
    /// </code>
    /// </example>
    public static NullTest Test(ApproximateFiberProduct product, Func<ApproximateFiberProduct, double> statistic,
        string name, NullTail tail, int draws = 99, int seed = 0, double bandCoverage =
        0.95, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(statistic);
        ArgumentNullException.ThrowIfNull(name);
        PairingPermutationNull.CheckDraws(tail, draws, bandCoverage, nameof(draws));
        if (product.Metric == FiberMetric.Euclidean) RequireUnitRows(product.Images, product.Texts);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        return Draw(product.Images, product.Texts,
            (x, y, _) => statistic(new ApproximateFiberProduct(x, y, product.Metric, product.Options)),
            statistic(product), name, tail, draws, seed, bandCoverage, scope);
    }

    /// <summary>Any statistic of two embedding sets (a gap, a shared rank) against uniform sets of the same
    /// sizes.</summary>
    /// <param name="images">The images (unit rows).</param>
    /// <param name="texts">The texts (unit rows), in the same space.</param>
    /// <param name="statistic">The statistic (called on the data first, then once per draw).</param>
    /// <param name="name">What the statistic is, for reports.</param>
    /// <param name="tail">Which values count as extreme.</param>
    /// <param name="draws">The number B of draws, at least 1 (default 99).</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction of draws done.</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">A row is not of unit length, or the dimensions differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">B below 1, the coverage outside (0, 1), or the tail
    /// unknown.</exception>
    public static NullTest TestSets(EmbeddingSet images, EmbeddingSet texts,
        Func<EmbeddingSet, EmbeddingSet, double> statistic, string name, NullTail tail, int draws = 99, int seed =
        0, double bandCoverage = 0.95, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(statistic);
        if (images.Dimension != texts.Dimension)
            throw new ArgumentException(
                Resampling.Invariant($"The images live in R^{images.Dimension} but the texts in R^{texts.Dimension}."),
                nameof(texts));
        ArgumentNullException.ThrowIfNull(name);
        PairingPermutationNull.CheckDraws(tail, draws, bandCoverage, nameof(draws));
        RequireUnitRows(images, texts);
        // The statistic runs on its own threads; the draws run in order from one seeded generator.
        var scope = new ExecutionScope(1, progress, cancellationToken);
        return Draw(images, texts, (x, y, _) => statistic(x, y), statistic(images, texts), name, tail, draws, seed,
            bandCoverage, scope);
    }

    /// <summary>|F_ε| against the uniform sphere (Monte Carlo); the closed form of its law is
    /// <see cref="PairCountMoments"/>.</summary>
    /// <param name="product">The fiber product (unit rows under the Euclidean metric).</param>
    /// <param name="epsilon">The tolerance ε ≥ 0, in the product's metric.</param>
    /// <param name="draws">The number B of draws, at least 1 (default 99).</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction of draws done (each draw: its sampling, then its join).</param>
    /// <param name="cancellationToken">Cancels the sampling and the joins.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">Under the Euclidean metric, a row is not of unit length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">ε negative or NaN, B below 1, or the coverage outside (0,
    /// 1).</exception>
    public static NullTest PairCount(ApproximateFiberProduct product, double epsilon, int draws = 99, int seed = 0,
        double bandCoverage = 0.95, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be a non-negative number.");
        PairingPermutationNull.CheckDraws(NullTail.Upper, draws, bandCoverage, nameof(draws));
        if (product.Metric == FiberMetric.Euclidean) RequireUnitRows(product.Images, product.Texts);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        double share = 1.0 / (draws + 1);
        double observed = product.Count(epsilon, ScopeProgress.Of(scope.Part(0, share)), scope.Token);
        return Draw(product.Images, product.Texts, (x, y, stage) => new ApproximateFiberProduct(x, y,
            product.Metric, product.Options).Count(epsilon, ScopeProgress.Of(stage), stage.Token), observed,
            Resampling.Invariant($"|F_ε| at ε = {epsilon}"), NullTail.Upper, draws, seed, bandCoverage,
            scope.Part(share, 1));
    }

    /// <summary>
    /// The exact mean and standard deviation of |F_ε| under the uniform-sphere law: N·M·p and √(N·M·p(1 − p)),
    /// p from T5 (<see cref="SphereDistances.ProbabilityWithin"/>) at the chord length that ε is in the product's
    /// metric. The N·M indicators are pairwise uncorrelated: given one point, the chance that another falls within ε
    /// is p whatever the first point, so two pairs sharing a point are uncorrelated too.
    /// </summary>
    /// <param name="product">The fiber product (sizes, dimension, metric).</param>
    /// <param name="epsilon">The tolerance ε ≥ 0, in the product's metric.</param>
    /// <returns>The mean N·M·p and standard deviation √(N·M·p(1 − p)) of |F_ε| under the null, in
    /// pairs.</returns>
    /// <exception cref="ArgumentOutOfRangeException">ε is negative or NaN.</exception>
    public static (double Mean, double StandardDeviation) PairCountMoments(
        ApproximateFiberProduct product, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(product);
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be a non-negative number.");
        // The chord ‖x − y‖ of unit vectors: 2(1 − cos) = chord², angle θ = 2 arcsin(chord/2).
        double chord = product.Metric switch
        {
            FiberMetric.Cosine => Math.Sqrt(2 * Math.Min(epsilon, 2)),
            FiberMetric.Angular => epsilon >= Math.PI ? 2 : 2 * Math.Sin(epsilon / 2),
            _ => epsilon,
        };
        double p = SphereDistances.ProbabilityWithin(product.Images.Dimension, chord);
        double pairs = (double)product.Images.Count * product.Texts.Count;
        return (pairs * p, Math.Sqrt(pairs * p * (1 - p)));
    }

    /// <summary>
    /// The draws, in order from one seeded generator (so they do not depend on the thread count): each samples both
    /// sets (a fifth of its share of the progress, checking the token every 1,024 rows) and evaluates the
    /// statistic in the rest.
    /// </summary>
    private static NullTest Draw(EmbeddingSet images, EmbeddingSet texts,
        Func<EmbeddingSet, EmbeddingSet, ExecutionScope, double> statistic, double observed, string name, NullTail tail,
        int draws, int seed, double bandCoverage, ExecutionScope scope)
    {
        var random = new Random(seed);
        var samples = new double[draws];
        for (int b = 0; b < draws; b++)
        {
            var stage = scope.Part((double)b / draws, (b + 1.0) / draws);
            var x = Resampling.UniformSphere(random, images.Count, images.Dimension, stage.Token);
            var y = Resampling.UniformSphere(random, texts.Count, texts.Dimension, stage.Token);
            stage.Report(0.2);
            samples[b] = statistic(x, y, stage.Part(0.2, 1));
            stage.Report(1);
        }
        return new NullTest(name, Law, observed, samples, tail, bandCoverage, seed);
    }

    private static void RequireUnitRows(EmbeddingSet images, EmbeddingSet texts)
    {
        foreach (var (set, label) in new[] { (images, "images"), (texts, "texts") })
            for (int i = 0; i < set.Count; i++)
                if (!(Math.Abs(set.SquaredNorm(i) - 1) <= NormTolerance))
                    throw new ArgumentException(Resampling.Invariant(
                        $"Row {i} of the {label} has norm {Math.Sqrt(set.SquaredNorm(i))}; the uniform-sphere ")
                        + "law (T5) is a law of unit vectors: normalise the embeddings or use the cosine or "
                        + "angular metric.", label);
    }
}
