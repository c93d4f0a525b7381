using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber;

public sealed partial class ApproximateFiberProduct
{
    /// <summary>
    /// New image vectors (queries) against the prepared texts: for each query, the texts within ε — the rows of F_ε
    /// had the queries been images. The texts are prepared once per instance (by the first query of any kind), so a few
    /// queries cost one pass over the packed texts and no preparation: about 0.09 ms for 500 texts and 3 ms for 20,000
    /// texts in R^512 on the reference machine, against 0.4 and 22–43 ms for a new instance (docs/performance.md).
    /// Exact like every query (docs/concepts.md, "Exactness of F_ε").
    /// </summary>
    /// <param name="queries">The query vectors, in the texts' space (float32 or float64).</param>
    /// <param name="epsilon">The tolerance ε ≥ 0.</param>
    /// <param name="cancellationToken">Cancels the join.</param>
    /// <returns>A pair set with one row per query and one column per text, with float64 distances.</returns>
    /// <exception cref="ArgumentException">The queries' dimension differs from the texts', or (cosine, angular) a query
    /// is the zero vector.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="ResultBudgetExceededException">More pairs than
    /// <see cref="FiberProductOptions.MaxPairs"/>.</exception>
    /// <example>
    /// <code>
    /// var fiber = new ApproximateFiberProduct(images, texts);
    /// PairSet hits = fiber.Query(EmbeddingSet.FromRows([queryVector]), 1.2);   // row 0: the texts within 1.2
    /// </code>
    /// </example>
    public PairSet Query(EmbeddingSet queries, double epsilon, CancellationToken cancellationToken = default) =>
        QueryPairs(queries, epsilon, keepPerRow: 0, cancellationToken);

    /// <summary>
    /// For each query vector, its <paramref name="k"/> nearest texts within ε (ties: the lower text index), against
    /// the prepared texts, as <see cref="Query"/> does.
    /// </summary>
    /// <param name="queries">The query vectors, in the texts' space.</param>
    /// <param name="epsilon">The tolerance ε ≥ 0.</param>
    /// <param name="k">How many texts to keep per query, at least 1.</param>
    /// <param name="cancellationToken">Cancels the join.</param>
    /// <returns>A pair set with one row per query, each row's texts in increasing index order.</returns>
    /// <exception cref="ArgumentException">The queries' dimension differs from the texts', or (cosine, angular) a query
    /// is the zero vector.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1, or ε is negative or
    /// NaN.</exception>
    public PairSet QueryNearest(EmbeddingSet queries, double epsilon, int k,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return QueryPairs(queries, epsilon, k, cancellationToken);
    }

    /// <summary>
    /// The number of (query, text) pairs within ε, against the prepared texts, as <see cref="Query"/> does: |F_ε| had
    /// the queries been the images, exact, with no pairs allocated.
    /// </summary>
    /// <param name="queries">The query vectors, in the texts' space.</param>
    /// <param name="epsilon">The tolerance ε ≥ 0 (closed; +∞ selects every pair).</param>
    /// <param name="cancellationToken">Cancels the join.</param>
    /// <returns>The number of pairs, between 0 and (queries)·M.</returns>
    /// <exception cref="ArgumentException">The queries' dimension differs from the texts', or (cosine, angular) a query
    /// is the zero vector.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    public long QueryCount(EmbeddingSet queries, double epsilon, CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var scope = Scope(null, cancellationToken);
        return CountOn(QueryOperands(queries, scope), null, epsilon, scope);
    }

    /// <summary>
    /// The profile |F_ε| over several tolerances for the query vectors against the prepared texts, as
    /// <see cref="Profile"/> gives it for images: the counts aligned with <paramref name="epsilons"/> as given, and
    /// when asked every distance within the largest tolerance.
    /// </summary>
    /// <param name="queries">The query vectors, in the texts' space.</param>
    /// <param name="epsilons">The tolerances, each ≥ 0, in any order, repeats allowed.</param>
    /// <param name="includeDistances">Whether to return the sorted float64 distances of the pairs within the largest
    /// tolerance.</param>
    /// <param name="cancellationToken">Cancels the join.</param>
    /// <returns>The counts aligned with <paramref name="epsilons"/>, and the distances if asked for.</returns>
    /// <exception cref="ArgumentException">No tolerance was given, the queries' dimension differs from the texts', or
    /// (cosine, angular) a query is the zero vector.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    public EpsilonProfile QueryProfile(EmbeddingSet queries, ReadOnlySpan<double> epsilons,
        bool includeDistances = false, CancellationToken cancellationToken = default)
    {
        var given = Tolerances(epsilons);
        var scope = Scope(null, cancellationToken);
        return ProfileOn(QueryOperands(queries, scope), null, given, includeDistances, scope);
    }

    private PairSet QueryPairs(EmbeddingSet queries, double epsilon, int keepPerRow,
        CancellationToken cancellationToken)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var scope = Scope(null, cancellationToken);
        return JoinPairs(QueryOperands(queries, scope), null, 0, queries.Count, _ => epsilon,
            new PairBudget(Options.MaxPairs), scope, keepPerRow, null, null);
    }

    /// <summary>The queries as join rows against the prepared texts (which the first query prepares).</summary>
    private JoinOperands QueryOperands(EmbeddingSet queries, ExecutionScope scope)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Dimension != Texts.Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The queries live in R^{queries.Dimension} but the texts in R^{Texts.Dimension}."), nameof(queries));
        return operands.Get(scope).WithRows(queries, scope);
    }
}
