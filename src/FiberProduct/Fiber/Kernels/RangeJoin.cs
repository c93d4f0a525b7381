using System.Numerics;
using System.Runtime.Intrinsics;

namespace FiberProduct.Fiber.Kernels;

/// <summary>Receives the pairs of one image row and one text panel that the fast path could not rule out.</summary>
internal interface ITileSink
{
    /// <summary>
    /// Lanes set in <paramref name="candidates"/> may lie within ε of row <paramref name="row"/>; those also set in
    /// <paramref name="sure"/> certainly do. Lane l is text <paramref name="column0"/> + l, with float32 dot product
    /// <paramref name="dots"/>[l] in the working domain. Lanes past the last text are never set.
    /// </summary>
    void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots);

    /// <summary>Every pair of the rows before <paramref name="rowEnd"/> in this worker's range has been offered; false stops the worker.</summary>
    bool RowsCompleted(int rowEnd);
}

/// <summary>
/// The blocked ε-range join driver: every image row against every text panel through a register-tiled
/// micro-kernel, with the threshold test fused behind it so no N × M matrix is ever stored. Rows are split into
/// one contiguous range per worker; each worker takes its rows a chunk at a time and sweeps the texts in blocks
/// that stay in its L2 cache while the chunk runs against them. A chunk's pairs are complete when it ends, so a
/// sink sees its rows' results in row order chunk by chunk and may stop early. Results are independent of the
/// number of workers.
/// </summary>
internal static unsafe class RangeJoin
{
    /// <summary>Text panels per cache block: 16 × 16 texts × d floats (512 KiB at d = 512).</summary>
    private const int BlockPanels = 16;

    /// <summary>Image rows per chunk: the texts are re-read from memory once per chunk.</summary>
    private const int ChunkRows = 384;

    public static void Run<TSink>(JoinOperands op, float[] candidate, float[] sure, int rowStart, int rowEnd,
        Func<int, TSink> sinkForWorker, int workers, Action<double>? progress, CancellationToken cancellationToken, HeadFilter? head = null)
        where TSink : ITileSink
    {
        if (DotTile512.IsSupported) Run<TSink, DotTile512>(op, candidate, sure, rowStart, rowEnd, sinkForWorker, workers, progress, cancellationToken, head);
        else if (DotTile256.IsSupported) Run<TSink, DotTile256>(op, candidate, sure, rowStart, rowEnd, sinkForWorker, workers, progress, cancellationToken, head);
        else Run<TSink, DotTileScalar>(op, candidate, sure, rowStart, rowEnd, sinkForWorker, workers, progress, cancellationToken, head);
    }

    /// <summary>Rows per micro-panel of the kernel this machine runs (12 with AVX-512, 6 with AVX2, else 4).</summary>
    public static int TileHeight => DotTile512.IsSupported ? DotTile512.Height : DotTile256.IsSupported ? DotTile256.Height : DotTileScalar.Height;

    /// <summary>
    /// The dot products of the rows of <paramref name="x"/> (n × d, row-major; row i is row <paramref name="order"/>[i]
    /// when an order is given) with the first <paramref name="width"/> columns of a packed panel set, as n rows of width
    /// floats (in parallel over rows).
    /// </summary>
    public static float[] Products(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int[]? order = null)
    {
        var result = LargeArrays.AllocateUninitialized<float>((long)n * width); // every row is written
        Products(x, n, d, packed, width, order, (i0, count, products) => products.CopyTo(result.AsSpan(i0 * width, count * width)));
        return result;
    }

    /// <summary>Receives rows [i0, i0 + count) of a product, row-major, <c>width</c> floats a row (valid only during the call).</summary>
    public delegate void RowBlock(int i0, int count, ReadOnlySpan<float> products);

    /// <summary>
    /// The same products handed to <paramref name="consume"/> a micro-panel of rows at a time, from several workers at
    /// once (disjoint rows), so that a caller can transform them without an n × width array.
    /// </summary>
    public static void Products(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int[]? order, RowBlock consume)
    {
        if (DotTile512.IsSupported) Products<DotTile512>(x, n, d, packed, width, order, consume);
        else if (DotTile256.IsSupported) Products<DotTile256>(x, n, d, packed, width, order, consume);
        else Products<DotTileScalar>(x, n, d, packed, width, order, consume);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Products<TKernel>(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int[]? order, RowBlock consume) where TKernel : IDotTileKernel
    {
        int height = TKernel.Height, panels = (width + JoinOperands.PanelWidth - 1) / JoinOperands.PanelWidth, microPanels = (n + height - 1) / height;
        const int Lanes = JoinOperands.PanelWidth;
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, microPanels / 4));
        // The attribute on the worker too: a lambda does not inherit it, and a single cold call would run in tier 0.
        Parallel.For(0, workers, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (w) =>
        {
            var rows = new float[height * d];
            var tile = new float[height * Lanes];
            var block = new float[height * width];
            var source = x.Span;
            fixed (float* r = rows) fixed (float* y = packed) fixed (float* t = tile) fixed (float* all = source)
                for (int m = (int)((long)microPanels * w / workers); m < (int)((long)microPanels * (w + 1) / workers); m++)
                {
                    int i0 = m * height, valid = Math.Min(height, n - i0);
                    float* input = all + (long)i0 * d;
                    if (order is not null || valid < height)
                    {
                        if (valid < height) rows.AsSpan().Clear();
                        for (int row = 0; row < valid; row++)
                            source.Slice((order is null ? i0 + row : order[i0 + row]) * d, d).CopyTo(rows.AsSpan(row * d, d));
                        input = r;
                    }
                    for (int p = 0; p < panels; p++)
                    {
                        TKernel.Compute(input, d, d, y + (long)p * d * Lanes, t);
                        int lanes = Math.Min(Lanes, width - p * Lanes);
                        for (int row = 0; row < valid; row++)
                            tile.AsSpan(row * Lanes, lanes).CopyTo(block.AsSpan(row * width + p * Lanes, lanes));
                    }
                    consume(i0, valid, block.AsSpan(0, valid * width));
                }
        });
    }

    /// <summary>How many workers a row range can use: at least one micro-panel of rows each.</summary>
    public static int Workers(int rows, int maxDegree) => Math.Max(1, Math.Min(maxDegree, (rows + 11) / 12));

    internal static void Run<TSink, TKernel>(JoinOperands op, float[] candidate, float[] sure, int rowStart, int rowEnd,
        Func<int, TSink> sinkForWorker, int workers, Action<double>? progress, CancellationToken cancellationToken, HeadFilter? head = null)
        where TSink : ITileSink where TKernel : IDotTileKernel
    {
        int rows = rowEnd - rowStart;
        if (rows <= 0 || op.Panels == 0) return;
        int height = TKernel.Height;
        workers = Math.Max(1, Math.Min(workers, (rows + height - 1) / height));
        int microPanels = (rows + height - 1) / height;
        int blocks = (op.Panels + BlockPanels - 1) / BlockPanels;
        long done = 0, total = (long)blocks * ((microPanels * height + ChunkRows - 1) / ChunkRows + workers);

        var options = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, workers, options, w =>
            {
                // Contiguous rows per worker, cut at micro-panel boundaries.
                int firstPanel = (int)((long)microPanels * w / workers), endPanel = (int)((long)microPanels * (w + 1) / workers);
                int start = rowStart + firstPanel * height, end = Math.Min(rowEnd, rowStart + endPanel * height);
                var sink = sinkForWorker(w);
                void BlockDone()
                {
                    if (progress is not null) progress((double)Interlocked.Increment(ref done) / total);
                }
                // Separate compiled bodies: the plain join never carries (or is profiled with) the pruning code.
                if (head is null) Sweep<TSink, TKernel, Unpruned>(op, candidate, sure, start, end, sink, null, BlockDone, cancellationToken);
                else Sweep<TSink, TKernel, Pruned>(op, candidate, sure, start, end, sink, head, BlockDone, cancellationToken);
            });
        }
        catch (AggregateException e)
        {
            // Surface the worker's own exception (budget exceeded, bad data) rather than the wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }

    /// <summary>Whether a sweep runs the pruning filter (a type, so that the JIT compiles each case on its own).</summary>
    private interface IPruning { static abstract bool On { get; } }

    private readonly struct Unpruned : IPruning { public static bool On => false; }

    private readonly struct Pruned : IPruning { public static bool On => true; }

    private static void Sweep<TSink, TKernel, TPruning>(JoinOperands op, float[] candidate, float[] sure, int start, int end, TSink sink,
        HeadFilter? head, Action blockDone, CancellationToken cancellationToken)
        where TSink : ITileSink where TKernel : IDotTileKernel where TPruning : struct, IPruning
    {
        int d = op.Dimension, height = TKernel.Height, texts = op.Columns;
        float* tile = stackalloc float[height * JoinOperands.PanelWidth];
        float* rest = stackalloc float[height * JoinOperands.PanelWidth];
        float[] padded = new float[height * d]; // the last micro-panel of a range, zero-padded to full height
        var x = op.X.Span;
        // Rows in another order than stored are gathered a chunk at a time (with a zeroed micro-panel after them).
        var order = op.RowOrder;
        float[] gathered = order is null ? [] : new float[(ChunkRows + height) * d];
        // The pruning filter: the same tiles over the quantised low-dimensional heads, whose distances bound the full
        // ones from below; a tile none of whose pairs passes the head test is never computed in full.
        var heads = TPruning.On ? head?.Heads : null;
        int hs = heads?.Stride ?? 2;
        short[] headPadded = new short[height * hs];
        int checkpoint = head?.Checkpoint ?? 0;
        int[] headThreshold = head?.Threshold ?? [], partialThreshold = head?.PartialThreshold ?? [];
        int* headTile = stackalloc int[height * JoinOperands.PanelWidth];
        int* headRest = stackalloc int[height * JoinOperands.PanelWidth];
        long skipped = 0, computed = 0, passed = 0, byBalls = 0;
        float[] reach = head?.Reach ?? [];
        // The balls' gaps, if they were built for this kernel's micro-panels.
        float[]? gaps = heads is not null && heads.GapHeight == height ? heads.Gaps : null;
        fixed (float* xBase = x)
        fixed (float* yBase = op.PackedY)
        fixed (float* pad = padded)
        fixed (float* gatheredBase = gathered)
        fixed (float* halfNormsY = op.HalfSquaredNormsY)
        fixed (short* hxBase = heads is null ? null : heads.X)
        fixed (short* hyBase = heads is null ? null : heads.PackedY)
        fixed (short* hpad = headPadded)
        fixed (int* hNormsY = heads is null ? null : heads.NormsY)
        fixed (int* pNormsY = head is null ? null : head.PartialNormsY)
        {
            for (int chunk = start; chunk < end; chunk += ChunkRows)
            {
                int chunkEnd = Math.Min(end, chunk + ChunkRows);
                if (order is not null)
                {
                    for (int i = chunk; i < chunkEnd; i++) x.Slice(order[i] * d, d).CopyTo(gathered.AsSpan((i - chunk) * d, d));
                    gathered.AsSpan((chunkEnd - chunk) * d, height * d).Clear();
                }
                for (int block = 0; block * BlockPanels < op.Panels; block++)
                {
                    int panelEnd = Math.Min(op.Panels, (block + 1) * BlockPanels);
                    for (int i0 = chunk; i0 < chunkEnd; i0 += height)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        int validRows = Math.Min(height, chunkEnd - i0);
                        float* rowsPtr = order is not null ? gatheredBase + (long)(i0 - chunk) * d : xBase + (long)i0 * d;
                        if (order is null && validRows < height)
                        {
                            padded.AsSpan().Clear();
                            x.Slice(i0 * d, validRows * d).CopyTo(padded);
                            rowsPtr = pad;
                        }
                        short* headRows = hxBase + (long)i0 * hs;
                        if (heads is not null && validRows < height)
                        {
                            headPadded.AsSpan().Clear();
                            heads.X.AsSpan(i0 * hs, validRows * hs).CopyTo(headPadded);
                            headRows = hpad;
                        }
                        for (int p = block * BlockPanels; p < panelEnd; p++)
                        {
                            int column0 = p * JoinOperands.PanelWidth;
                            uint valid = column0 + JoinOperands.PanelWidth <= texts ? 0xFFFFu : (1u << (texts - column0)) - 1;
                            if (TPruning.On && heads is not null)
                            {
                                // The cluster bound first: one lookup, no head multiplied.
                                if (gaps is not null && gaps[(long)(i0 / height) * op.Panels + p] > reach[i0 / height])
                                {
                                    skipped++; byBalls++;
                                    continue;
                                }
                                short* headPanel = hyBase + (long)p * hs * JoinOperands.PanelWidth;
                                if (checkpoint == 0) TKernel.Compute(headRows, hs, hs, headPanel, headTile);
                                else
                                {
                                    // The leading coordinates first; the rest only if some pair is still possible (integer
                                    // sums: the two parts add up exactly).
                                    TKernel.Compute(headRows, hs, checkpoint, headPanel, headTile);
                                    if (!AnyHeadCandidate(headTile, validRows, partialThreshold, i0, pNormsY + column0, valid)) { skipped++; continue; }
                                    passed++;
                                    TKernel.Compute(headRows + checkpoint, hs, hs - checkpoint, headPanel + checkpoint * JoinOperands.PanelWidth, headRest);
                                    for (int v = 0; v < height * JoinOperands.PanelWidth; v += 8)
                                        (Vector256.Load(headTile + v) + Vector256.Load(headRest + v)).Store(headTile + v);
                                }
                                if (!AnyHeadCandidate(headTile, validRows, headThreshold, i0, hNormsY + column0, valid)) { skipped++; continue; }
                                computed++;
                            }
                            TKernel.Compute(rowsPtr, d, d, yBase + (long)p * d * JoinOperands.PanelWidth, tile);
                            var b0 = Vector256.Load(halfNormsY + column0);
                            var b1 = Vector256.Load(halfNormsY + column0 + 8);
                            for (int r = 0; r < validRows; r++)
                            {
                                var v0 = Vector256.Load(tile + r * 16);
                                var v1 = Vector256.Load(tile + r * 16 + 8);
                                var c = Vector256.Create(candidate[i0 + r]);
                                uint mask = (Vector256.GreaterThanOrEqual(v0, c + b0).ExtractMostSignificantBits()
                                            | Vector256.GreaterThanOrEqual(v1, c + b1).ExtractMostSignificantBits() << 8) & valid;
                                if (mask == 0) continue; // the common case for a selective ε
                                var s = Vector256.Create(sure[i0 + r]);
                                uint sureMask = (Vector256.GreaterThanOrEqual(v0, s + b0).ExtractMostSignificantBits()
                                                | Vector256.GreaterThanOrEqual(v1, s + b1).ExtractMostSignificantBits() << 8) & mask;
                                sink.Candidates(i0 + r, column0, mask, sureMask, new ReadOnlySpan<float>(tile + r * 16, 16));
                            }
                        }
                    }
                    blockDone();
                }
                if (!sink.RowsCompleted(chunkEnd)) break;
            }
        }
        head?.Record(skipped, computed, passed, byBalls);
    }

    /// <summary>
    /// Whether some pair of a head tile may lie within its row's tolerance: ‖q_x − q_y‖² = ‖q_x‖² + ‖q_y‖² − 2 q_x·q_y is
    /// at most the row's bound R exactly when 2 q_x·q_y − ‖q_y‖² ≥ threshold[row] = ‖q_x‖² − R (all exact in int32).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool AnyHeadCandidate(int* tile, int rows, int[] threshold, int i0, int* normsY, uint valid)
    {
        var n0 = Vector256.Load(normsY);
        var n1 = Vector256.Load(normsY + 8);
        for (int r = 0; r < rows; r++)
        {
            var t = Vector256.Create(threshold[i0 + r]);
            uint mask = Vector256.GreaterThanOrEqual(Vector256.Load(tile + r * 16) * 2 - n0, t).ExtractMostSignificantBits()
                      | Vector256.GreaterThanOrEqual(Vector256.Load(tile + r * 16 + 8) * 2 - n1, t).ExtractMostSignificantBits() << 8;
            if ((mask & valid) != 0) return true;
        }
        return false;
    }

    /// <summary>
    /// The pruning filter of a join: quantised low-dimensional heads whose pairwise distances, widened by their errors,
    /// are lower bounds of the full ones (rows and columns in the same order as the full operands), as integer
    /// thresholds per row. With a checkpoint c, a tile is first computed over the leading c head coordinates alone (the
    /// distance over them is a lower bound too, with its own thresholds) and continued over the rest only if some pair
    /// passes. Counts the tiles it skipped and the tiles it let through.
    /// </summary>
    internal sealed class HeadFilter(QuantizedHeads heads, int[] threshold, float[] reach, int checkpoint = 0, int[]? partialNormsY = null, int[]? partialThreshold = null)
    {
        private long skipped, computed, passedCheckpoint, skippedByBalls;

        public QuantizedHeads Heads { get; } = heads;

        /// <summary>Per join row: ‖q_x‖² − R, R the largest squared integer head distance that may still be within ε.</summary>
        public int[] Threshold { get; } = threshold;

        /// <summary>
        /// Per micro-panel of rows: the largest head bound of its rows (in quanta, rounded up). A tile whose balls lie
        /// farther apart than this (<see cref="QuantizedHeads.Gaps"/>) has no pair that could pass the head test (the
        /// triangle inequality), so it is skipped before any head is multiplied.
        /// </summary>
        public float[] Reach { get; } = reach;

        /// <summary>The leading head coordinates tested first (0: none; even).</summary>
        public int Checkpoint { get; } = checkpoint;

        /// <summary>The columns' squared norms over the checkpoint's coordinates (padded to whole panels).</summary>
        public int[] PartialNormsY { get; } = partialNormsY ?? [];
        public int[] PartialThreshold { get; } = partialThreshold ?? [];
        public long Skipped => Interlocked.Read(ref skipped);
        public long Computed => Interlocked.Read(ref computed);

        /// <summary>Tiles that passed the checkpoint and were continued over the rest of the head.</summary>
        public long PassedCheckpoint => Interlocked.Read(ref passedCheckpoint);

        /// <summary>Tiles skipped by the ball test alone (they are among <see cref="Skipped"/>).</summary>
        public long SkippedByBalls => Interlocked.Read(ref skippedByBalls);

        public void Record(long skippedTiles, long computedTiles, long passedCheckpointTiles, long skippedByBallsTiles)
        {
            Interlocked.Add(ref skippedByBalls, skippedByBallsTiles);
            Interlocked.Add(ref skipped, skippedTiles);
            Interlocked.Add(ref computed, computedTiles);
            Interlocked.Add(ref passedCheckpoint, passedCheckpointTiles);
        }
    }

    /// <summary>
    /// Quantised pruning heads of both sides in join order: q = round(h / Quantum) for the float32 head h of each row,
    /// rows row-major (<see cref="Stride"/> shorts each, zero-padded to an even count), columns packed in panels of 16 by
    /// coordinate pairs (panel p, pair g, lane l, two shorts), with their exact squared norms (columns padded to whole
    /// panels).
    /// </summary>
    /// <remarks>
    /// <see cref="Gaps"/>, when present, holds for micro-panel a (of <see cref="GapHeight"/> rows) and panel b a lower
    /// bound of ‖c_a − c_b‖ − r_a − r_b, the distance between the balls around their heads (in quanta, float32 rounded
    /// down): every pair of the tile is at least that far apart.
    /// </remarks>
    internal sealed record QuantizedHeads(short[] X, short[] PackedY, int Stride, double Quantum, int[] NormsX, int[] NormsY, float[]? Gaps, int GapHeight);

    /// <summary>Lanes of a mask in increasing order.</summary>
    public static int NextLane(ref uint mask)
    {
        int lane = BitOperations.TrailingZeroCount(mask);
        mask &= mask - 1;
        return lane;
    }
}
