using System.Diagnostics;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// Both sets in k-d tree order of their leading heads, so that a micro-panel and a panel hold nearby points, and the
/// join's operands in that order, packed by the first query that prunes (the tile sample needs the order only: a plan
/// declined after it packs nothing in this order). The join gathers rows through the order and packs the texts in it:
/// no reordered copies of the sets.
/// </summary>
internal sealed class OrderedSets
{
    private readonly EmbeddingSet rawImages, rawTexts;
    private readonly FiberMetric metric;
    private readonly Lock gate = new();
    private JoinOperands? operands;

    public OrderedSets(HeadProjector projector, EmbeddingSet images, EmbeddingSet texts, EmbeddingSet rawImages,
        EmbeddingSet rawTexts, FiberMetric metric, ExecutionScope scope)
    {
        (this.rawImages, this.rawTexts, this.metric) = (rawImages, rawTexts, metric);
        // The k-d order needs only the leading heads; the heads the join uses are taken later, at the chosen k and
        // already in this order. The heads on every worker, one side after the other; then the two trees (each a
        // serial loop) side by side, so that no more threads run than the scope has.
        long start = Stopwatch.GetTimestamp();
        int width = Math.Min(KdOrder.SplitCoordinates, projector.Axes);
        var headsX = projector.Heads(images, null, width, scope);
        var headsY = projector.Heads(texts, null, width, scope);
        int[] rowOrder = [], columnOrder = [];
        scope.Invoke(
            () => rowOrder = KdOrder.Of(headsX, images.Count, width, TileKernels.Height, scope),
            () => columnOrder = KdOrder.Of(headsY, texts.Count, width, JoinOperands.PanelWidth, scope));
        (RowOrder, ColumnOrder) = (rowOrder, columnOrder);
        OrderSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Seconds the k-d order took (its heads included).</summary>
    public double OrderSeconds { get; }

    /// <summary>Seconds packing the operands in this order took (0 until they are packed).</summary>
    public double PackSeconds { get; private set; }

    /// <summary>The image behind each join row.</summary>
    public int[] RowOrder { get; }

    /// <summary>The text behind each join column.</summary>
    public int[] ColumnOrder { get; }

    /// <summary>
    /// The join's operands in this order, packed by the first call (a cancelled packing keeps nothing).
    /// </summary>
    public JoinOperands Operands(ExecutionScope scope)
    {
        lock (gate)
        {
            if (operands is not null) return operands;
            long start = Stopwatch.GetTimestamp();
            operands = new JoinOperands(rawImages, rawTexts, metric, scope, RowOrder, ColumnOrder);
            PackSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            return operands;
        }
    }
}
