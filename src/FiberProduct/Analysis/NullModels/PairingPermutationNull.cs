using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;

namespace FiberProduct.Analysis;

/// <summary>
/// The shuffled-pairing null: is the number better than what the same images and texts give when the pairing is
/// broken? Each draw relabels the texts by a uniformly random permutation π (seeded), so the pairing T becomes
/// {(i, π(j)) : (i, j) ∈ T}; everything else (the sets, their geometry, the modality gap) stays as it is.
/// </summary>
/// <remarks>
/// <para>Only statistics that depend on the pairing have a shuffled-pairing null: |F_ε| and the modality gap do not
/// (use <see cref="SphereNull"/> for |F_ε|, and <see cref="ModalityGap"/>, a swap test within pairs, for the gap), and
/// neither does the AJIVE shared rank of <see cref="SubspaceDecomposition.Estimate"/>, which reads each modality's
/// signal subspace without the pairing: its null collapses onto the observed rank (p = 1) — a finding, not a failure.
/// The CCA rank of <see cref="SubspaceDecomposition.EstimateByCca"/> does depend on the pairing.</para>
/// <para>Draws run one after another from one seeded generator, so a seed gives the same draws on any machine and
/// thread count; the work within a draw (the engine's queries, the per-pair distances) runs on the product's
/// threads.</para>
/// </remarks>
public static class PairingPermutationNull
{
    private const string Law =
        "shuffled pairings: the texts relabelled by uniformly random permutations, the sets unchanged";

    /// <summary>Any statistic of the pairing against shuffled pairings.</summary>
    /// <param name="product">The fiber product (its text count sets the permutations).</param>
    /// <param name="truth">The true pairing.</param>
    /// <param name="statistic">The statistic of a pairing (called with the true one first, then once per draw).</param>
    /// <param name="name">What the statistic is, for reports.</param>
    /// <param name="tail">Which values count as extreme.</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction of draws done.</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">B below 1, the coverage outside (0, 1), or the tail
    /// unknown.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// var product = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine);
    /// var truth = Pairing.Diagonal(images.Count);
    /// var test = PairingPermutationNull.Test(product, truth, pairing => product.BestF1(pairing).F1, "best F1",
    ///     NullTail.Upper, permutations: 99, seed: 1);
    /// Console.WriteLine($"{test.Statistic} = {test.Observed:F3}, p = {test.PValue:F3}, "
    ///     + $"null band [{test.BandLower:F3}, {test.BandUpper:F3}]");
    /// </code>
    /// </example>
    public static NullTest Test(ApproximateFiberProduct product, Pairing truth, Func<Pairing, double> statistic,
        string name, NullTail tail, int permutations = 999, int seed = 0, double bandCoverage =
        0.95, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(statistic);
        ArgumentNullException.ThrowIfNull(name);
        CheckDraws(tail, permutations, bandCoverage);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        return Draws(product, truth, (pairing, _) => statistic(pairing), name, tail, permutations, seed,
            bandCoverage, scope);
    }

    /// <summary>
    /// The statistic of the truth, then of each shuffled pairing in turn (the permutations drawn in order from one
    /// seeded generator, so the draws do not depend on the thread count); the statistic may use the draw's
    /// stage of the scope.
    /// </summary>
    private static NullTest Draws(ApproximateFiberProduct product, Pairing truth,
        Func<Pairing, ExecutionScope, double> statistic, string name, NullTail tail, int permutations, int seed,
        double bandCoverage, ExecutionScope scope) =>
        Draws(product, truth, (pairings, stage) => [statistic(pairings[0], stage)], 1, name, tail, permutations, seed,
            bandCoverage, scope);

    /// <summary>
    /// As above, with the statistic computed for a batch of up to <paramref name="batch"/> pairings at once (the truth
    /// first in the first batch): the same permutations in the same order, whatever the batch size.
    /// </summary>
    private static NullTest Draws(ApproximateFiberProduct product, Pairing truth,
        Func<IReadOnlyList<Pairing>, ExecutionScope, double[]> statistics, int batch, string name, NullTail tail,
        int permutations, int seed, double bandCoverage, ExecutionScope scope)
    {
        _ = Retrieval.Partners(product, truth, imageQueries: true); // checks the indices before any draw
        double share = 1.0 / (permutations + 1);
        var random = new Random(seed);
        var values = new double[permutations + 1]; // the truth's, then the draws'
        for (int start = 0; start <= permutations; start += batch)
        {
            scope.ThrowIfCancelled();
            int end = Math.Min(permutations + 1, start + batch);
            var pairings = new Pairing[end - start];
            for (int b = start; b < end; b++)
                pairings[b - start] = b == 0 ? truth
                    : Shuffle(truth, Resampling.Permutation(random, product.Texts.Count));
            statistics(pairings, scope.Part(start * share, end * share)).CopyTo(values, start);
            scope.Report(end * share);
        }
        return new NullTest(name, Law, values[0], values[1..], tail, bandCoverage, seed);
    }

    /// <summary>|F_ε ∩ T|, the true pairs within ε, against shuffled pairings (one exact distance per true pair and
    /// draw).</summary>
    /// <param name="product">The fiber product.</param>
    /// <param name="truth">The true pairing.</param>
    /// <param name="epsilon">The tolerance ε ≥ 0.</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction of draws done.</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">ε negative or NaN, a true pair outside the sets, B below 1, or
    /// the coverage outside (0, 1).</exception>
    public static NullTest TruePairsWithin(ApproximateFiberProduct product, Pairing truth, double epsilon,
        int permutations = 999, int seed = 0, double bandCoverage = 0.95, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(truth);
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be a non-negative number.");
        CheckDraws(NullTail.Upper, permutations, bandCoverage);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        double Within(Pairing pairing, ExecutionScope stage)
        {
            var within = PerPair(pairing, stage,
                (image, text) => Retrieval.Distance(product, product.Images, image, product.Texts, text) <= epsilon);
            return within.Count(w => w);
        }
        return Draws(product, truth, Within, Resampling.Invariant($"true pairs within ε = {epsilon}"), NullTail.Upper,
            permutations, seed, bandCoverage, scope);
    }

    /// <summary>A test of every pair of the pairing, in chunks on the stage's threads (each result in its own slot, so
    /// the outcome does not depend on the thread count).</summary>
    private static bool[] PerPair(Pairing pairing, ExecutionScope stage, Func<int, int, bool> test)
    {
        var pairs = pairing.Pairs;
        var result = new bool[pairs.Count];
        const int Chunk = 4096;
        stage.For(0, (pairs.Count + Chunk - 1) / Chunk, c =>
        {
            for (int p = c * Chunk, end = Math.Min(pairs.Count, p + Chunk); p < end; p++)
                result[p] = test(pairs[p].Image, pairs[p].Text);
        });
        return result;
    }

    /// <summary>The best F1 of F_ε against the pairing (<see cref="ApproximateFiberProduct.BestF1"/>), against
    /// shuffled pairings: an exact tolerance per true pair and draw, and one ε-profile pass for many draws at once
    /// (over the union of their tolerances, about 65,536 at a time).</summary>
    /// <param name="product">The fiber product.</param>
    /// <param name="truth">The true pairing, not empty.</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 99).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction of draws done.</param>
    /// <param name="cancellationToken">Cancels the passes.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">The pairing is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A true pair outside the sets, B below 1, or the coverage outside
    /// (0, 1).</exception>
    public static NullTest BestF1(ApproximateFiberProduct product, Pairing truth, int permutations = 99, int seed = 0,
        double bandCoverage = 0.95, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(truth);
        CheckDraws(NullTail.Upper, permutations, bandCoverage);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        return BestF1(product, truth, permutations, seed, bandCoverage, scope, thresholdsPerPass: 1 << 16);
    }

    /// <summary>The best-F1 null with one profile pass for as many draws as fit about
    /// <paramref name="thresholdsPerPass"/> tolerances (at least one draw a pass).</summary>
    internal static NullTest BestF1(ApproximateFiberProduct product, Pairing truth, int permutations, int seed,
        double bandCoverage, ExecutionScope scope, int thresholdsPerPass)
    {
        if (truth.Count == 0) throw new ArgumentException("The pairing is empty.", nameof(truth));
        int batch = Math.Max(1, thresholdsPerPass / truth.Count);
        return Draws(product, truth, (pairings, stage) => [.. product.AlignmentCurves(pairings,
                ScopeProgress.Of(stage), stage.Token).Select(curve => ApproximateFiberProduct.Best(curve).F1)],
            batch, "best F1", NullTail.Upper, permutations, seed, bandCoverage, scope);
    }

    /// <summary>
    /// Recall@K against shuffled pairings. One join finds each query's K-th smallest distance s_K; a partner t has rank
    /// ≤ K (rank = 1 + the items strictly closer, as <see cref="Retrieval"/> defines it) exactly when d(q, t)
    /// ≤ s_K, so every draw costs one exact distance per true pair. The observed value equals
    /// <see cref="RetrievalScores.RecallAt"/> of <see cref="Retrieval.Evaluate"/>.
    /// </summary>
    /// <param name="product">The fiber product.</param>
    /// <param name="truth">The true pairing.</param>
    /// <param name="k">K ≥ 1.</param>
    /// <param name="direction">Image→text or text→image.</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction done: the join, then the draws.</param>
    /// <param name="cancellationToken">Cancels the join and the draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">K below 1, the direction unknown, a true pair outside the sets, B
    /// below 1, or the coverage outside (0, 1).</exception>
    /// <exception cref="InvalidOperationException">The pairing has no pair, so recall is undefined.</exception>
    public static NullTest RecallAt(ApproximateFiberProduct product, Pairing truth, int k, RetrievalDirection direction,
        int permutations = 999, int seed = 0, double bandCoverage = 0.95, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!Enum.IsDefined(direction))
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "Unknown direction.");
        CheckDraws(NullTail.Upper, permutations, bandCoverage);
        _ = Retrieval.Partners(product, truth, imageQueries: true); // checks the indices before the join
        if (truth.Count == 0) throw new InvalidOperationException("The pairing is empty; recall is undefined.");
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        bool imageQueries = direction == RetrievalDirection.ImageToText;
        var (queries, items) = imageQueries ? (product.Images, product.Texts) : (product.Texts, product.Images);
        var kth = new double[queries.Count];
        if (k >= items.Count) Array.Fill(kth, double.PositiveInfinity); // every item has rank ≤ K
        else
        {
            var nearest = new ApproximateFiberProduct(queries, items, product.Metric,
                product.Options with { TruncateAtBudget = false })
                .NearestWithin(double.PositiveInfinity, k, ScopeProgress.Of(scope.Part(0, 0.5)), scope.Token);
            scope.For(0, kth.Length, q => kth[q] = nearest.DistancesOfRow(q).ToArray().Max());
        }
        double Recall(Pairing pairing, ExecutionScope stage)
        {
            var within = PerPair(pairing, stage, (image, text) =>
            {
                var (q, t) = imageQueries ? (image, text) : (text, image);
                return Retrieval.Distance(product, queries, q, items, t) <= kth[q];
            });
            var found = new Dictionary<int, bool>();
            int p = 0;
            foreach (var (image, text) in pairing.Pairs)
            {
                int q = imageQueries ? image : text;
                found[q] = found.TryGetValue(q, out bool before) ? before || within[p] : within[p];
                p++;
            }
            return (double)found.Values.Count(f => f) / found.Count;
        }
        return Draws(product, truth, Recall, Resampling.Invariant($"recall@{k} ({direction})"), NullTail.Upper,
            permutations, seed, bandCoverage, scope.Part(0.5, 1));
    }

    /// <summary>
    /// The shared rank dim Z_s of a decomposition against shuffled pairings: row i of the images paired with row π(i)
    /// of the texts. Pass the estimator to test (for instance <c>(x, y) =&gt;
    /// SubspaceDecomposition.EstimateByCca(x, y, 0.1)</c>).
    /// </summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="estimate">The decomposition estimator (called on the data first, then once per draw).</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 99: each draw is a decomposition).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="progress">The fraction of draws done.</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">B below 1 or the coverage outside (0, 1).</exception>
    public static NullTest SharedRank(EmbeddingSet images, EmbeddingSet texts,
        Func<EmbeddingSet, EmbeddingSet, SubspaceDecomposition> estimate, int permutations = 99, int seed =
        0, double bandCoverage = 0.95, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(estimate);
        RequirePaired(images, texts);
        CheckDraws(NullTail.Upper, permutations, bandCoverage);
        // The estimator runs on its own threads (its options); the draws run in order from one seeded generator.
        var scope = new ExecutionScope(1, progress, cancellationToken);
        double observed = estimate(images, texts).Shared.Rank;
        var random = new Random(seed);
        var samples = new double[permutations];
        for (int b = 0; b < permutations; b++)
        {
            scope.ThrowIfCancelled();
            samples[b] = estimate(images,
                Resampling.SelectRows(texts, Resampling.Permutation(random, texts.Count))).Shared.Rank;
            scope.Report((b + 1.0) / permutations);
        }
        return new NullTest("dim Z_s", "shuffled pairings: text rows permuted, the sets unchanged", observed, samples,
            NullTail.Upper, bandCoverage, seed);
    }

    /// <summary>
    /// The modality gap ‖mean(images) − mean(texts)‖ against swaps within pairs: each draw exchanges the image
    /// and the text of every pair with probability ½ (seeded). Shuffling the pairing leaves the gap unchanged, so this
    /// is its null: under "the two modalities of a pair are exchangeable" every swap pattern is as likely as the data.
    /// </summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the swaps.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="maxDegreeOfParallelism">The most threads used (−1: one per processor); the swaps are drawn in
    /// order from one seeded generator, so the draws do not depend on it.</param>
    /// <param name="progress">The fraction of draws done.</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count or dimension, or are empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">B below 1, the coverage outside (0, 1), or the thread count 0 or
    /// below −1.</exception>
    public static NullTest ModalityGap(EmbeddingSet images, EmbeddingSet texts, int permutations = 999, int seed = 0,
        double bandCoverage = 0.95, int maxDegreeOfParallelism = -1, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        RequirePaired(images, texts);
        if (images.Dimension != texts.Dimension)
            throw new ArgumentException(
                Resampling.Invariant($"The images live in R^{images.Dimension} but the texts in R^{texts.Dimension}."),
                nameof(texts));
        if (images.Count == 0) throw new ArgumentException("There are no pairs.", nameof(images));
        CheckDraws(NullTail.Upper, permutations, bandCoverage);
        var scope = new ExecutionScope(maxDegreeOfParallelism, progress, cancellationToken);
        int n = images.Count, d = images.Dimension;
        // Column-major: the differences of coordinate c over the pairs are contiguous, one column a task.
        var differences = new double[d][];
        for (int c = 0; c < d; c++) differences[c] = new double[n];
        for (int i = 0; i < n; i++)
        {
            var (x, y) = (images.RowAsDouble(i), texts.RowAsDouble(i));
            for (int c = 0; c < d; c++) differences[c][i] = x[c] - y[c];
        }
        var signs = new int[n];
        Array.Fill(signs, 1);
        double observed = GapLength(differences, signs, scope);
        var random = new Random(seed);
        var samples = new double[permutations];
        for (int b = 0; b < permutations; b++)
        {
            scope.ThrowIfCancelled();
            for (int i = 0; i < n; i++) signs[i] = random.Next(2) == 0 ? 1 : -1;
            samples[b] = GapLength(differences, signs, scope);
            scope.Report((b + 1.0) / permutations);
        }
        return new NullTest("modality gap ‖μ_I − μ_T‖",
            "swaps within pairs: image and text of each pair exchanged with probability ½", observed, samples,
            NullTail.Upper, bandCoverage, seed);
    }

    /// <summary>‖(1/N) Σ_i s_i (x_i − y_i)‖: each coordinate's sum on its own thread, the squares added in
    /// coordinate order.</summary>
    private static double GapLength(double[][] differences, int[] signs, ExecutionScope scope)
    {
        int n = signs.Length, d = differences.Length;
        var means = new double[d];
        scope.For(0, d, c =>
        {
            var column = differences[c];
            double sum = 0;
            for (int i = 0; i < n; i++) sum += signs[i] * column[i];
            means[c] = sum / n;
        });
        double total = 0;
        for (int c = 0; c < d; c++) total += means[c] * means[c];
        return Math.Sqrt(total);
    }

    private static Pairing Shuffle(Pairing truth, int[] permutation) =>
        Pairing.FromPairs(truth.Pairs.Select(p => (p.Image, permutation[p.Text])));

    private static void RequirePaired(EmbeddingSet images, EmbeddingSet texts)
    {
        if (images.Count != texts.Count)
            throw new ArgumentException(
                Resampling.Invariant($"Expected paired rows: {images.Count} images but {texts.Count} texts."),
                nameof(texts));
    }

    internal static void CheckDraws(NullTail tail, int draws, double bandCoverage, string drawsName = "permutations")
    {
        if (!Enum.IsDefined(tail)) throw new ArgumentOutOfRangeException(nameof(tail), tail, "Unknown tail.");
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1, drawsName);
        Resampling.CheckCoverage(bandCoverage, nameof(bandCoverage));
    }
}
