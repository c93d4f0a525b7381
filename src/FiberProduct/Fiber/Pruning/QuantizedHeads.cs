namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// Quantised pruning heads of both sides in join order, at head dimension k (<see cref="Dimension"/>: a row holds k
/// coordinates and the tail norm): q = round(h / Quantum) for the float32 head h of each row,
/// rows row-major (<see cref="Stride"/> shorts each, zero-padded to an even count), columns packed in panels of 16 by
/// coordinate pairs (panel p, pair g, lane l, two shorts), with their exact squared norms (columns padded to whole
/// panels), and per row how far the quantised head may lie from the exact one (in the units of the vectors), the
/// columns' largest such distance in <see cref="ErrorY"/>.
/// </summary>
/// <remarks>
/// <see cref="Gaps"/>, when present, holds for micro-panel a (of <see cref="GapHeight"/> rows) and panel b a lower
/// bound of ‖c_a − c_b‖ − r_a − r_b, the distance between the balls around their heads (in quanta, float32
/// rounded down): every pair of the tile is at least that far apart (<see cref="ClusterBound"/>).
/// </remarks>
internal sealed record QuantizedHeads(int Dimension, short[] X, short[] PackedY, int Stride, double Quantum,
    int[] NormsX, int[] NormsY, double[] ErrorX, double ErrorY, float[]? Gaps = null, int GapHeight = 0)
{
    /// <summary>Where coordinate c of column j sits in packed heads: panel, coordinate pair, lane, half.</summary>
    public static int PackedIndex(int j, int c, int stride) =>
        (j / 16 * stride + (c & ~1)) * 16 + (j % 16) * 2 + (c & 1);
}
