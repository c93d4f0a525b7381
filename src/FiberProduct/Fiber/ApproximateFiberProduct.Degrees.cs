using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber;

public sealed partial class ApproximateFiberProduct
{
    /// <summary>
    /// The degrees of F_ε as a bipartite graph: for each image the number of texts within ε, and for each text the
    /// number of images within ε — |F_ε| split by row and by column, from one pass, without storing a pair (memory:
    /// the two count arrays, plus one text count array per worker). Exact like every query: the counts are those of the
    /// pairs of <see cref="Pairs"/>, and each array sums to <see cref="Count"/>.
    /// </summary>
    /// <param name="epsilon">The tolerance ε ≥ 0 (+∞ counts every pair).</param>
    /// <param name="progress">Receives the fraction of the join done, ending at 1.</param>
    /// <param name="cancellationToken">Cancels the join within one chunk of rows.</param>
    /// <returns>PerImage[i] = |{j : (i, j) ∈ F_ε}| and PerText[j] = |{i : (i, j) ∈ F_ε}|.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <example>
    /// <code>
    /// var (perImage, perText) = fiber.Degrees(1.2);
    /// int lonely = perImage.Count(d => d == 0);   // images with no text within ε
    /// </code>
    /// </example>
    public (int[] PerImage, int[] PerText) Degrees(double epsilon, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var scope = Scope(progress, cancellationToken);
        var (op, filter, rowOrder, columnOrder) = Plan(_ => epsilon, epsilon, scope);
        var exact = new ExactCheck(op);
        var (candidate, sure) = Thresholds(op, _ => epsilon, exact);
        var rows = new int[Images.Count];
        var sinks = new DegreeSink[Workers(Images.Count, scope)];
        Join(op, candidate, sure, 0, Images.Count, w => sinks[w] = new DegreeSink(exact,
            _ => epsilon, rows, Texts.Count), filter, scope);
        var columns = new int[Texts.Count];
        foreach (var sink in sinks.Where(s => s is not null))
            for (int j = 0; j < columns.Length; j++) columns[j] += sink.ColumnDegrees[j];
        scope.Report(1);
        // Pruning joins rows and columns in its own order: back to the sets' indices.
        return (InSetOrder(rows, rowOrder), InSetOrder(columns, columnOrder));
    }

    private static int[] InSetOrder(int[] joinOrder, int[]? order)
    {
        if (order is null) return joinOrder;
        var result = new int[joinOrder.Length];
        for (int k = 0; k < order.Length; k++) result[order[k]] = joinOrder[k];
        return result;
    }
}
