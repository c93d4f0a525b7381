using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Analysis;

/// <summary>
/// Retrieval baselines beside F_ε's precision and recall (what CLIP papers report): recall@K both ways, mean
/// reciprocal rank, median rank and mean average precision, from exact ranks computed by the ε-join engine.
/// </summary>
/// <remarks>
/// <para>Ranks with ties, defined explicitly: the rank of item t for query q is 1 + the number of items strictly closer
/// to q than t ("competition" ranking: items at equal distance share the best rank). So a true partner tied with other
/// items at the K-th place counts as retrieved at K. Distances are the engine's float64 reference distances of the
/// product's metric, so ties are exact, never a rounding artefact of a fast path.</para>
/// <para>Average precision of a query with true partners R: the mean over t ∈ R of the precision of the closed ball
/// through t, |{t' ∈ R : d(q, t') ≤ d(q, t)}| / |{t' : d(q, t') ≤ d(q, t)}| — the precision of F_ε for that
/// one query at ε = d(q, t). Items tied with t enter the ball together, so the precision never exceeds 1; without ties
/// it is the usual average precision.</para>
/// <para>Each query's rank is read from one per-query-tolerance join (its ε the distance of its farthest true
/// partner), run a band of queries at a time so that a band holds at most about 4 million pairs whatever the
/// alignment.</para>
/// </remarks>
public static class Retrieval
{
    /// <summary>Scores retrieval in one direction against a known pairing.</summary>
    /// <param name="product">The fiber product: its sets, metric and options (threads; its result budget applies per
    /// band and truncation is never used, since a rank needs every closer item).</param>
    /// <param name="truth">The true pairs; a query may have several true partners (as COCO's five captions per
    /// image).</param>
    /// <param name="direction">Image→text or text→image.</param>
    /// <param name="progress">The fraction of queries done (each band of queries: its join, then its ranks).</param>
    /// <param name="cancellationToken">Cancels the joins.</param>
    /// <returns>The ranks and average precisions of the scored queries (those with a true partner), and from them
    /// recall@K, mean reciprocal rank, median rank and mean average precision.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A true pair indexes outside the sets, or the direction is
    /// unknown.</exception>
    /// <exception cref="ResultBudgetExceededException">A band holds more pairs than the product's result
    /// budget.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// var product = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine);
    /// var scores = Retrieval.Evaluate(product, Pairing.Diagonal(images.Count), RetrievalDirection.ImageToText);
    /// Console.WriteLine($"R@1 {scores.RecallAt(1):P1}, R@5 {scores.RecallAt(5):P1}, "
    ///     + $"MRR {scores.MeanReciprocalRank:F3}");
    /// </code>
    /// </example>
    public static RetrievalScores Evaluate(ApproximateFiberProduct product, Pairing truth, RetrievalDirection direction,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(truth);
        if (!Enum.IsDefined(direction))
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "Unknown direction.");
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        bool imageQueries = direction == RetrievalDirection.ImageToText;
        var (queries, items) = imageQueries ? (product.Images, product.Texts) : (product.Texts, product.Images);
        var partners = Partners(product, truth, imageQueries);
        var scored = Enumerable.Range(0, queries.Count).Where(q => partners[q] is not null).ToArray();
        var firstRanks = new int[scored.Length];
        var averagePrecisions = new double[scored.Length];
        var options = product.Options with { TruncateAtBudget = false };
        int band = Math.Max(1, (1 << 22) / Math.Max(1, items.Count));
        int bands = (scored.Length + band - 1) / band;
        // A band's join parallelises over its rows, and a band is a few hundred queries on large sets: then the bands
        // run side by side, each on one thread; with fewer bands than workers they run in turn, each on all of them.
        // Either way every query's scores land in its own slots, so the result does not depend on the thread count.
        bool sideBySide = bands >= scope.Workers;
        void Band(int index, ExecutionScope stage)
        {
            int start = index * band, end = Math.Min(scored.Length, start + band);
            var rows = scored.AsSpan(start, end - start).ToArray();
            var bandQueries = Resampling.SelectRows(queries, rows);
            var relevant = new double[rows.Length][];
            var tolerances = new double[rows.Length];
            stage.For(0, rows.Length, r =>
            {
                var own = partners[rows[r]]!;
                relevant[r] = new double[own.Count];
                for (int p = 0; p < own.Count; p++)
                    relevant[r][p] = ReferenceDistance.Distance(product.Metric, bandQueries, r, items, own[p]);
                // Widened past the float64 distances' error, so every item whose float64 distance ties or beats the
                // partner's is returned; ranks are then counted on the float64 distances themselves.
                tolerances[r] = relevant[r].Max() * (1 + 1e-9) + 1e-9;
            });
            var pairs = new ApproximateFiberProduct(bandQueries, items, product.Metric,
                options with { MaxDegreeOfParallelism = stage.Workers })
                .PairsPerImageTolerance(tolerances, ScopeProgress.Of(stage.Part(0, 0.5)), stage.Token);
            stage.Part(0.5, 1).For(0, rows.Length, r =>
            {
                var within = pairs.ColumnsOfRow(r).ToArray()
                    .Select(j => ReferenceDistance.Distance(product.Metric, bandQueries, r, items, j)).ToArray();
                Array.Sort(within);
                var own = relevant[r];
                Array.Sort(own);
                int best = int.MaxValue;
                double precisionSum = 0;
                for (int p = 0; p < own.Length; p++)
                {
                    int strictlyCloser = LowerBound(within, own[p]);
                    int atOrCloser = UpperBound(within, own[p]);
                    int relevantAtOrCloser = UpperBound(own, own[p]);
                    best = Math.Min(best, strictlyCloser + 1);
                    precisionSum += (double)relevantAtOrCloser / atOrCloser;
                }
                firstRanks[start + r] = best;
                averagePrecisions[start + r] = precisionSum / own.Length;
            });
        }
        if (sideBySide)
            scope.For(0, bands, index => Band(index, new ExecutionScope(1, null, scope.Token)), reportEvery: 1);
        else
            for (int index = 0; index < bands; index++)
            {
                scope.ThrowIfCancelled();
                var stage = scope.Part((double)index / bands, (index + 1.0) / bands);
                Band(index, stage);
                stage.Report(1);
            }
        return new RetrievalScores(direction, items.Count, scored, firstRanks, averagePrecisions);
    }

    /// <summary>Scores retrieval both ways (image→text, then text→image).</summary>
    /// <param name="product">The fiber product (see <see cref="Evaluate"/>).</param>
    /// <param name="truth">The true pairs.</param>
    /// <param name="progress">The fraction done: image→text is the first half, text→image the second.</param>
    /// <param name="cancellationToken">Cancels the joins.</param>
    /// <returns>The scores of each direction, as <see cref="Evaluate"/> gives them.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A true pair indexes outside the sets.</exception>
    /// <exception cref="ResultBudgetExceededException">A band holds more pairs than the product's result
    /// budget.</exception>
    public static (RetrievalScores ImageToText, RetrievalScores TextToImage) EvaluateBothWays(
        ApproximateFiberProduct product, Pairing truth, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        return (Evaluate(product, truth, RetrievalDirection.ImageToText,
            ScopeProgress.Of(scope.Part(0, 0.5)), cancellationToken),
                Evaluate(product, truth, RetrievalDirection.TextToImage, ScopeProgress.Of(scope.Part(0.5, 1)),
                    cancellationToken));
    }

    /// <summary>The true partners of each query (null where it has none), checked against the sets.</summary>
    internal static List<int>?[] Partners(ApproximateFiberProduct product, Pairing truth, bool imageQueries)
    {
        var partners = new List<int>?[imageQueries ? product.Images.Count : product.Texts.Count];
        foreach (var (image, text) in truth.Pairs)
        {
            if (image >= product.Images.Count || text >= product.Texts.Count)
                throw new ArgumentOutOfRangeException(nameof(truth), Resampling.Invariant(
                    $"True pair ({image}, {text}) lies outside the {product.Images.Count} images and ")
                    + Resampling.Invariant($"{product.Texts.Count} texts."));
            var (query, item) = imageQueries ? (image, text) : (text, image);
            (partners[query] ??= []).Add(item);
        }
        return partners;
    }

    /// <summary>The number of sorted values strictly below x.</summary>
    private static int LowerBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] < x) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>The number of sorted values at most x.</summary>
    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] <= x) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>The engine's reference distance between image i and text j (row first, as every join
    /// computes it).</summary>
    internal static double Distance(ApproximateFiberProduct product, EmbeddingSet rows, int i,
        EmbeddingSet columns, int j) =>
        ReferenceDistance.Distance(product.Metric, rows, i, columns, j);
}
