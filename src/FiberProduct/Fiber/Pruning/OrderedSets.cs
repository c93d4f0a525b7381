using System.Diagnostics;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// Both sets in k-d tree order of their leading heads, so that a micro-panel and a panel hold nearby points, with the
/// join's operands in that order. The join gathers rows through the order and packs the texts in it: no reordered
/// copies of the sets.
/// </summary>
internal sealed class OrderedSets
{
    public OrderedSets(HeadProjector projector, EmbeddingSet images, EmbeddingSet texts, EmbeddingSet rawImages,
        EmbeddingSet rawTexts, FiberMetric metric, ExecutionScope scope)
    {
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
        start = Stopwatch.GetTimestamp();
        Operands = new JoinOperands(rawImages, rawTexts, metric, scope, RowOrder, ColumnOrder);
        PackSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Seconds the k-d order took (its heads included), and packing the operands in it.</summary>
    public double OrderSeconds { get; }

    /// <inheritdoc cref="OrderSeconds"/>
    public double PackSeconds { get; }

    /// <summary>The image behind each join row.</summary>
    public int[] RowOrder { get; }

    /// <summary>The text behind each join column.</summary>
    public int[] ColumnOrder { get; }

    /// <summary>The join's operands in this order.</summary>
    public JoinOperands Operands { get; }
}
