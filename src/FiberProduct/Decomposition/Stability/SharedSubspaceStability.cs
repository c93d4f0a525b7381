using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Decomposition;

/// <summary>
/// How stable the shared subspace Z_s of a decomposition is under subsampling of the pairs, and how uncertain its rank:
/// the decomposition is re-estimated on seeded subsamples (a fraction of the pairs, drawn without replacement) with the
/// same settings, and each full-data direction of Z_s is compared with the subsample's Z_s.
/// </summary>
/// <remarks>
/// <para>The angle of a full-data direction u to a subsample's Z_s (basis B) is arccos ‖Bᵀu‖: it does not depend
/// on how either basis is rotated within its span. A direction is stable in a subsample when this angle is at most
/// <see cref="StabilityOptions.AngleDegrees"/>; the subsample re-chooses every rank left open in the options, so a
/// direction is also unstable where the subsample keeps fewer shared directions.</para>
/// <para>What the intervals cover: the Wilson intervals of the per-direction fractions and the percentile interval of
/// the joint rank cover the randomness of the subsamples drawn (Monte Carlo error and the spread over subsamples),
/// given this data set. They do not cover the variation between data sets drawn from the same population; subsamples of
/// 80 % share most pairs, so they understate it.</para>
/// </remarks>
public sealed class SharedSubspaceStability
{
    private SharedSubspaceStability(SubspaceDecomposition full, DirectionStability[] directions, double[] stableShares,
        int[] ranks, StabilityOptions options)
    {
        Full = full;
        Directions = directions;
        this.stableShares = stableShares;
        this.ranks = ranks;
        Options = options;
        Cut = JointRankCut.Of(full);
        double alpha = 1 - options.Confidence;
        var shares = stableShares.Order().ToArray();
        StableShareInterval = (Quantiles.OfSorted(shares, alpha / 2), Quantiles.OfSorted(shares, 1 - alpha / 2));
        var sortedRanks = ranks.Select(r => (double)r).Order().ToArray();
        JointRankInterval = ((int)Math.Floor(Quantiles.OfSorted(sortedRanks, alpha / 2)),
            (int)Math.Ceiling(Quantiles.OfSorted(sortedRanks, 1 - alpha / 2)));
    }

    private readonly double[] stableShares;
    private readonly int[] ranks;

    /// <summary>The decomposition of all pairs whose Z_s is examined.</summary>
    public SubspaceDecomposition Full { get; }

    /// <summary>The settings the report was made with.</summary>
    public StabilityOptions Options { get; }

    /// <summary>One entry per full-data direction of Z_s, in the order of its basis.</summary>
    public IReadOnlyList<DirectionStability> Directions { get; }

    /// <summary>Per subsample, the share of the full-data directions within the angle of the subsample's Z_s (1 when
    /// Z_s is empty).</summary>
    public ReadOnlySpan<double> StableShares => stableShares;

    /// <summary>The mean of <see cref="StableShares"/>: the expected fraction of shared directions that survive a
    /// subsample.</summary>
    public double MeanStableShare => stableShares.Average();

    /// <summary>The central percentile interval of <see cref="StableShares"/> at
    /// <see cref="StabilityOptions.Confidence"/>.</summary>
    public (double Lower, double Upper) StableShareInterval { get; }

    /// <summary>The number of full-data directions stable in at least half of the subsamples.</summary>
    public int StableDirectionCount => Directions.Count(d => d.StableFraction >= 0.5);

    /// <summary>The joint rank each subsample chose (or was given).</summary>
    public ReadOnlySpan<int> JointRanks => ranks;

    /// <summary>The central percentile interval of <see cref="JointRanks"/> at
    /// <see cref="StabilityOptions.Confidence"/>: the rank's uncertainty under subsampling.</summary>
    public (int Lower, int Upper) JointRankInterval { get; }

    /// <summary>Where the full data's joint rank was cut (<see cref="JointRankCut"/>): a small relative gap means the
    /// rank sits on a continuum.</summary>
    public JointRankCut Cut { get; }

    /// <summary>Subsample stability of the shared subspace chosen by <see cref="SubspaceDecomposition.Estimate"/>
    /// (AJIVE).</summary>
    /// <param name="images">The images, row i paired with text i.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="options">The decomposition's settings, used for the full data and every subsample.</param>
    /// <param name="stability">The subsampling settings.</param>
    /// <param name="progress">Receives the fraction of the decompositions done (the full data, then each
    /// subsample), 0 … 1.</param>
    /// <param name="cancellationToken">Stops between and within the decompositions.</param>
    /// <returns>
    /// The report: per full-data direction of Z_s its stable fraction in [0, 1] with a Wilson interval, the stable
    /// share per subsample and its percentile interval, the joint ranks chosen and their interval, and the full data's
    /// <see cref="Cut"/>. Cost: 1 + <see cref="StabilityOptions.Subsamples"/> decompositions.
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count or dimension, or a subsample would hold fewer than
    /// 2 pairs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stability setting is out of range (the message names it and its
    /// value), a given rank does not fit, or <see cref="DecompositionOptions.MaxDegreeOfParallelism"/> is 0 or below
    /// −1.</exception>
    /// <exception cref="DecompositionConvergenceException">A decomposition did not converge.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// var report = SharedSubspaceStability.Estimate(images, texts, new DecompositionOptions { Seed = 1 },
    ///     new StabilityOptions { Subsamples = 50, Fraction = 0.8, Seed = 1 });
    /// foreach (var direction in report.Directions)
    ///     Console.WriteLine(
    ///         $"u{direction.Index}: {direction.StableFraction:P0} [{direction.Lower:P0}, {direction.Upper:P0}]");
    /// var (low, high) = report.JointRankInterval;
    /// Console.WriteLine($"joint rank {report.Full.Shared.Rank}, 95 % of subsamples in [{low}, {high}]");
    /// </code>
    /// </example>
    public static SharedSubspaceStability Estimate(EmbeddingSet images, EmbeddingSet texts,
        DecompositionOptions? options = null, StabilityOptions? stability = null, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        options ??= new DecompositionOptions();
        var scope = new ExecutionScope(options.MaxDegreeOfParallelism, progress, cancellationToken);
        return Estimation.Converged(() => Run(images, texts,
            (i, t, part) => Ajive.Estimate(i, t, options, part), stability, scope),
            "SharedSubspaceStability.Estimate", images);
    }

    /// <summary>Subsample stability of the shared subspace chosen by any estimator (for instance
    /// <see cref="SubspaceDecomposition.EstimateByCca"/>).</summary>
    /// <param name="images">The images, row i paired with text i.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="estimator">Decomposes a pair of sets; called on the full data and on every subsample.</param>
    /// <param name="stability">The subsampling settings.</param>
    /// <param name="progress">Receives the fraction of the decompositions done (the full data, then each
    /// subsample), 0 … 1.</param>
    /// <param name="cancellationToken">Stops between decompositions, and is passed to the estimator.</param>
    /// <returns>The report, as <see cref="Estimate"/> gives it; cost 1 + <see cref="StabilityOptions.Subsamples"/>
    /// calls of <paramref name="estimator"/>.</returns>
    /// <exception cref="ArgumentException">The sets differ in count or dimension, or a subsample would hold fewer than
    /// 2 pairs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stability setting is out of range (the message names it and its
    /// value).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// var report = SharedSubspaceStability.EstimateWith(images, texts,
    ///     (i, t, token) => SubspaceDecomposition.EstimateByCca(i, t, 0.1, cancellationToken: token),
    ///     new StabilityOptions { Seed = 1 });
    /// </code>
    /// </example>
    public static SharedSubspaceStability EstimateWith(EmbeddingSet images, EmbeddingSet texts,
        Func<EmbeddingSet, EmbeddingSet, CancellationToken, SubspaceDecomposition> estimator,
        StabilityOptions? stability = null, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        var scope = new ExecutionScope(-1, progress, cancellationToken);
        return Run(images, texts, (i, t, part) => estimator(i, t, part.Token), stability, scope);
    }

    /// <summary>
    /// The report, the decompositions run one after another in the scope: the full data take the first share of the
    /// progress, each subsample an equal share after it.
    /// </summary>
    private static SharedSubspaceStability Run(EmbeddingSet images, EmbeddingSet texts,
        Func<EmbeddingSet, EmbeddingSet, ExecutionScope, SubspaceDecomposition> estimator, StabilityOptions? stability,
        ExecutionScope scope)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        stability ??= new StabilityOptions();
        Validate(stability);
        if (images.Count != texts.Count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Paired data need as many texts as images; got {images.Count} images and {texts.Count} texts."),
                nameof(texts));
        int n = images.Count;
        int m = (int)Math.Round(stability.Fraction * n);
        if (m < 2)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A subsample of {stability.Fraction} of {n} pairs holds {m}; at least 2 are needed."), nameof(images));

        double share = 1.0 / (stability.Subsamples + 1);
        var full = estimator(images, texts, scope.Part(0, share));
        var basis = full.Shared.Basis;
        int rs = basis.ColumnCount;
        double limit = Math.Cos(stability.AngleDegrees * Math.PI / 180);
        var angles = new double[rs][];
        var isStable = new bool[rs][];
        for (int j = 0; j < rs; j++)
        {
            angles[j] = new double[stability.Subsamples];
            isStable[j] = new bool[stability.Subsamples];
        }
        var shares = new double[stability.Subsamples];
        var ranks = new int[stability.Subsamples];
        // The subsamples run side by side on the scope's workers (each is seeded by its index, so the result does not
        // depend on how many run at once): much of a decomposition is factorizations on one thread each.
        int completed = 0;
        scope.For(0, stability.Subsamples, b =>
        {
            scope.ThrowIfCancelled();
            var rows = Subsample(n, m, stability.Seed, b);
            var sub = estimator(Rows(images, rows), Rows(texts, rows), scope.Silent());
            ranks[b] = sub.Shared.Rank;
            // cos of the angle between u_j and span(B): ‖Bᵀ u_j‖ (1 when u_j lies in it).
            var projections = sub.Shared.Rank == 0 ? Matrix<double>.Build.Dense(0, rs)
                : DenseProducts.Times(sub.Shared.Basis.Transpose(), basis);
            int stable = 0;
            for (int j = 0; j < rs; j++)
            {
                double cosine = Math.Min(1, projections.Column(j).L2Norm());
                angles[j][b] = Math.Acos(cosine) * 180 / Math.PI;
                isStable[j][b] = cosine >= limit;
                if (isStable[j][b]) stable++;
            }
            shares[b] = rs == 0 ? 1 : (double)stable / rs;
            scope.Report((Interlocked.Increment(ref completed) + 1) * share);
        });

        double z = NormalQuantile(1 - (1 - stability.Confidence) / 2);
        var directions = new DirectionStability[rs];
        for (int j = 0; j < rs; j++)
        {
            int stable = isStable[j].Count(x => x);
            var (lower, upper) = Wilson(stable, stability.Subsamples, z);
            var sorted = angles[j].Order().ToArray();
            directions[j] = new DirectionStability(j, (double)stable / stability.Subsamples, lower, upper,
                Quantiles.OfSorted(sorted, 0.5));
        }
        return new SharedSubspaceStability(full, directions, shares, ranks, stability);
    }

    private static void Validate(StabilityOptions stability)
    {
        if (stability.Subsamples < 1)
            throw new ArgumentOutOfRangeException(nameof(stability), stability.Subsamples,
                "StabilityOptions.Subsamples must be at least 1.");
        if (!(stability.Fraction > 0 && stability.Fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(stability), stability.Fraction,
                "StabilityOptions.Fraction must lie in (0, 1].");
        if (!(stability.AngleDegrees >= 0 && stability.AngleDegrees <= 90))
            throw new ArgumentOutOfRangeException(nameof(stability), stability.AngleDegrees,
                "StabilityOptions.AngleDegrees must lie in [0, 90].");
        if (!(stability.Confidence > 0 && stability.Confidence < 1))
            throw new ArgumentOutOfRangeException(nameof(stability), stability.Confidence,
                "StabilityOptions.Confidence must lie in (0, 1).");
    }

    /// <summary>m of the n row indices, without replacement, ascending; a generator of its own per subsample
    /// (seeded).</summary>
    internal static int[] Subsample(int n, int m, int seed, int index)
    {
        var random = new Random(unchecked(seed * 1_000_003 + 5 * 7_919 + index));
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        var rows = order[..m];
        Array.Sort(rows);
        return rows;
    }

    internal static EmbeddingSet Rows(EmbeddingSet set, int[] rows)
    {
        return set.SelectRows(rows); // in the set's own precision
    }

    /// <summary>The Wilson score interval of a binomial proportion k/n at the normal quantile z.</summary>
    internal static (double Lower, double Upper) Wilson(int k, int n, double z)
    {
        double p = (double)k / n, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        // inside [0, 1] exactly; the bounds only undo rounding
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    internal static double NormalQuantile(double p) => MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, p);
}
