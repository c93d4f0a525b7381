using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// The pruning filter of one query: quantised heads whose pairwise distances, widened by their errors, are lower
/// bounds of the full ones (rows and columns in the join's order), as integer thresholds per row. With a checkpoint c,
/// a tile is first computed over the leading c head coordinates alone (the distance over them is a lower bound too,
/// with its own thresholds) and continued over the rest only if some pair passes. Counts what its workers skipped.
/// </summary>
internal sealed class HeadFilter(QuantizedHeads heads, int[] threshold, float[] reach, LeadingHeads? leading = null,
    int[]? leadingThreshold = null)
{
    private long skipped, computed, passedCheckpoint, skippedByBalls;

    public QuantizedHeads Heads { get; } = heads;

    /// <summary>
    /// Per join row: ‖q_x‖² − R, R the largest squared integer head distance that may still be within ε.
    /// </summary>
    public int[] Threshold { get; } = threshold;

    /// <summary>
    /// Per micro-panel of rows: the largest head bound of its rows (in quanta, rounded up). A tile whose balls lie
    /// farther apart than this (<see cref="QuantizedHeads.Gaps"/>) has no pair that could pass the head test (the
    /// triangle inequality), so it is skipped before any head is multiplied.
    /// </summary>
    public float[] Reach { get; } = reach;

    /// <summary>The leading head coordinates tested first (0: none; even).</summary>
    public int Checkpoint => Leading?.Checkpoint ?? 0;

    /// <summary>The heads over the checkpoint's coordinates, if there is one.</summary>
    public LeadingHeads? Leading { get; } = leading;

    /// <summary>Per join row, the threshold over the checkpoint's coordinates.</summary>
    public int[] LeadingThreshold { get; } = leadingThreshold ?? [];

    /// <summary>The operator the sweep runs.</summary>
    public HeadTileFilter Operator => new(this);

    public long Skipped => Interlocked.Read(ref skipped);
    public long Computed => Interlocked.Read(ref computed);

    /// <summary>Tiles that passed the checkpoint and were continued over the rest of the head.</summary>
    public long PassedCheckpoint => Interlocked.Read(ref passedCheckpoint);

    /// <summary>Tiles skipped by the cluster bound alone (they are among <see cref="Skipped"/>).</summary>
    public long SkippedByBalls => Interlocked.Read(ref skippedByBalls);

    public void Record(long skippedTiles, long computedTiles, long passedCheckpointTiles, long skippedByBallsTiles)
    {
        Interlocked.Add(ref skippedByBalls, skippedByBallsTiles);
        Interlocked.Add(ref skipped, skippedTiles);
        Interlocked.Add(ref computed, computedTiles);
        Interlocked.Add(ref passedCheckpoint, passedCheckpointTiles);
    }

    /// <summary>
    /// Whether some pair of a head tile may lie within its row's tolerance: ‖q_x − q_y‖² = ‖q_x‖²
    /// + ‖q_y‖² − 2 q_x·q_y is at most the row's bound R exactly when 2 q_x·q_y − ‖q_y‖²
    /// ≥ threshold[row] = ‖q_x‖² − R (all exact in int32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe bool AnyCandidate(int* tile, int rows, int[] threshold, int i0, int* normsY, uint valid)
    {
        var n0 = Vector256.Load(normsY);
        var n1 = Vector256.Load(normsY + 8);
        for (int r = 0; r < rows; r++)
        {
            var t = Vector256.Create(threshold[i0 + r]);
            var low = Vector256.GreaterThanOrEqual(Vector256.Load(tile + r * 16) * 2 - n0, t);
            var high = Vector256.GreaterThanOrEqual(Vector256.Load(tile + r * 16 + 8) * 2 - n1, t);
            uint mask = low.ExtractMostSignificantBits() | high.ExtractMostSignificantBits() << 8;
            if ((mask & valid) != 0) return true;
        }
        return false;
    }
}

/// <summary>
/// The head filter as the sweep's operator: the cluster bound first (one lookup, no head multiplied), then the head
/// tile — over the leading coordinates first when there is a checkpoint — on the same kernel as the join.
/// </summary>
internal unsafe struct HeadTileFilter(HeadFilter filter) : ITileFilter<HeadTileFilter>
{
    private const int Lanes = JoinOperands.PanelWidth;
    private readonly QuantizedHeads heads = filter.Heads;
    // Scratch of a worker's copy (the prototype has none).
    private short[] padded = [];
    private int[] tile = [], rest = [];
    private int i0, validRows;
    private long skipped, computed, passed, byBalls;

    public readonly HeadTileFilter ForWorker() => new(filter)
    {
        padded = new short[12 * filter.Heads.Stride], // the tallest micro-panel
        tile = new int[12 * Lanes],
        rest = new int[12 * Lanes],
    };

    public void Rows<TKernel>(int first, int valid) where TKernel : IDotTileKernel
    {
        (i0, validRows) = (first, valid);
        if (valid == TKernel.Height) return;
        // The last micro-panel of a range: zero-padded to full height.
        padded.AsSpan().Clear();
        heads.X.AsSpan(first * heads.Stride, valid * heads.Stride).CopyTo(padded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayHoldPair<TKernel>(int panel, uint validLanes) where TKernel : IDotTileKernel
    {
        int height = TKernel.Height, hs = heads.Stride, column0 = panel * Lanes;
        if (heads.Gaps is { } gaps && heads.GapHeight == height
            && gaps[(long)(i0 / height) * (heads.NormsY.Length / Lanes) + panel] > filter.Reach[i0 / height])
        {
            skipped++;
            byBalls++;
            return false;
        }
        fixed (short* x = validRows == height ? heads.X.AsSpan(i0 * hs) : padded)
        fixed (short* y = heads.PackedY)
        fixed (int* t = tile)
        fixed (int* normsY = heads.NormsY)
        {
            short* headPanel = y + (long)panel * hs * Lanes;
            int checkpoint = filter.Checkpoint;
            if (checkpoint == 0) TKernel.Compute(x, hs, hs, headPanel, t);
            else
            {
                // The leading coordinates first; the rest only if some pair is still possible (integer sums: the two
                // parts add up exactly).
                TKernel.Compute(x, hs, checkpoint, headPanel, t);
                fixed (int* leadingNormsY = filter.Leading!.NormsY)
                    if (!HeadFilter.AnyCandidate(t, validRows, filter.LeadingThreshold, i0, leadingNormsY + column0,
                            validLanes))
                    {
                        skipped++;
                        return false;
                    }
                passed++;
                fixed (int* r = rest)
                {
                    TKernel.Compute(x + checkpoint, hs, hs - checkpoint, headPanel + checkpoint * Lanes, r);
                    for (int v = 0; v < height * Lanes; v += 8)
                        (Vector256.Load(t + v) + Vector256.Load(r + v)).Store(t + v);
                }
            }
            if (!HeadFilter.AnyCandidate(t, validRows, filter.Threshold, i0, normsY + column0, validLanes))
            {
                skipped++;
                return false;
            }
        }
        computed++;
        return true;
    }

    public readonly void Completed() => filter.Record(skipped, computed, passed, byBalls);
}
