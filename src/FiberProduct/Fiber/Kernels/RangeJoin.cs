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
    /// when an order is given) with the first <paramref name="width"/> columns of a packed panel set (in parallel over
    /// rows): as rows of <paramref name="stride"/> (default: width) floats, or when <paramref name="packedOutput"/> in the
    /// layout of <see cref="JoinOperands.PackedY"/> with <paramref name="stride"/> coordinates per row (pinned).
    /// </summary>
    public static float[] Products(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int stride = 0, int[]? order = null, bool packedOutput = false)
    {
        if (stride == 0) stride = width;
        if (DotTile512.IsSupported) return Products<DotTile512>(x, n, d, packed, width, stride, order, packedOutput);
        if (DotTile256.IsSupported) return Products<DotTile256>(x, n, d, packed, width, stride, order, packedOutput);
        return Products<DotTileScalar>(x, n, d, packed, width, stride, order, packedOutput);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float[] Products<TKernel>(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int stride, int[]? order, bool packedOutput) where TKernel : IDotTileKernel
    {
        int height = TKernel.Height, panels = (width + JoinOperands.PanelWidth - 1) / JoinOperands.PanelWidth, microPanels = (n + height - 1) / height;
        const int Lanes = JoinOperands.PanelWidth;
        var result = LargeArrays.Allocate<float>(packedOutput ? (long)(n + Lanes - 1) / Lanes * Lanes * stride : (long)n * stride);
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, microPanels / 4));
        // The attribute on the worker too: a lambda does not inherit it, and a single cold call would run in tier 0.
        Parallel.For(0, workers, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (w) =>
        {
            var rows = new float[height * d];
            var tile = new float[height * Lanes];
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
                        {
                            int i = i0 + row;
                            if (!packedOutput)
                                tile.AsSpan(row * Lanes, lanes).CopyTo(result.AsSpan((int)((long)i * stride + p * Lanes), lanes));
                            else
                                for (int l = 0; l < lanes; l++) result[(i / Lanes * stride + p * Lanes + l) * Lanes + i % Lanes] = tile[row * Lanes + l];
                        }
                    }
                }
        });
        return result;
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
        // The pruning filter: the same tiles over the low-dimensional head vectors, whose distances bound the full
        // ones from below; a tile none of whose pairs passes the head test is never computed in full.
        var hop = TPruning.On ? head?.Operands : null;
        int hd = hop?.Dimension ?? 1;
        float[] headPadded = new float[height * hd];
        float[] headCandidate = head?.Candidate ?? [];
        int checkpoint = head?.Checkpoint ?? 0;
        float[] partialCandidate = head?.PartialCandidate ?? [];
        long skipped = 0, computed = 0, passed = 0;
        var hx = hop is null ? default : hop.X.Span;
        fixed (float* xBase = x)
        fixed (float* yBase = op.PackedY)
        fixed (float* pad = padded)
        fixed (float* gatheredBase = gathered)
        fixed (float* halfNormsY = op.HalfSquaredNormsY)
        fixed (float* hxBase = hx)
        fixed (float* hyBase = hop is null ? null : hop.PackedY)
        fixed (float* hpad = headPadded)
        fixed (float* hHalfNormsY = hop is null ? null : hop.HalfSquaredNormsY)
        fixed (float* pHalfNormsY = head?.Partial is null ? null : head.Partial.HalfSquaredNormsY)
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
                        float* headRows = hxBase + (long)i0 * hd;
                        if (hop is not null && validRows < height)
                        {
                            headPadded.AsSpan().Clear();
                            hx.Slice(i0 * hd, validRows * hd).CopyTo(headPadded);
                            headRows = hpad;
                        }
                        for (int p = block * BlockPanels; p < panelEnd; p++)
                        {
                            int column0 = p * JoinOperands.PanelWidth;
                            uint valid = column0 + JoinOperands.PanelWidth <= texts ? 0xFFFFu : (1u << (texts - column0)) - 1;
                            if (TPruning.On && hop is not null)
                            {
                                float* headPanel = hyBase + (long)p * hd * JoinOperands.PanelWidth;
                                if (checkpoint == 0) TKernel.Compute(headRows, hd, hd, headPanel, tile);
                                else
                                {
                                    // The leading coordinates first; the rest only if some pair is still possible. The
                                    // two float sums added give every term at most hd roundings, as one sum would.
                                    TKernel.Compute(headRows, hd, checkpoint, headPanel, tile);
                                    if (!AnyCandidate(tile, validRows, partialCandidate, i0, pHalfNormsY + column0, valid)) { skipped++; continue; }
                                    passed++;
                                    TKernel.Compute(headRows + checkpoint, hd, hd - checkpoint, headPanel + checkpoint * JoinOperands.PanelWidth, rest);
                                    for (int v = 0; v < height * JoinOperands.PanelWidth; v += 8)
                                        (Vector256.Load(tile + v) + Vector256.Load(rest + v)).Store(tile + v);
                                }
                                if (!AnyCandidate(tile, validRows, headCandidate, i0, hHalfNormsY + column0, valid)) { skipped++; continue; }
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
        head?.Record(skipped, computed, passed);
    }

    /// <summary>Whether some row of a tile passes the candidate test dot ≥ candidate[row] + B[lane].</summary>
    private static bool AnyCandidate(float* tile, int rows, float[] candidate, int i0, float* halfNormsY, uint valid)
    {
        var b0 = Vector256.Load(halfNormsY);
        var b1 = Vector256.Load(halfNormsY + 8);
        for (int r = 0; r < rows; r++)
        {
            var c = Vector256.Create(candidate[i0 + r]);
            uint mask = Vector256.GreaterThanOrEqual(Vector256.Load(tile + r * 16), c + b0).ExtractMostSignificantBits()
                      | Vector256.GreaterThanOrEqual(Vector256.Load(tile + r * 16 + 8), c + b1).ExtractMostSignificantBits() << 8;
            if ((mask & valid) != 0) return true;
        }
        return false;
    }

    /// <summary>
    /// The pruning filter of a join: low-dimensional head operands whose pairwise distances are lower bounds of the
    /// full ones (rows and columns in the same order as the full operands), and the candidate thresholds of the
    /// widened tolerance. With a checkpoint c, a tile is first computed over the leading c head coordinates alone (the
    /// distance over them is a lower bound too, with its own thresholds from the partial norms) and continued over the
    /// rest only if some pair passes. Counts the tiles it skipped and the tiles it let through.
    /// </summary>
    internal sealed class HeadFilter(JoinOperands operands, float[] candidate, int checkpoint = 0, JoinOperands? partial = null, float[]? partialCandidate = null)
    {
        private long skipped, computed, passedCheckpoint;

        public JoinOperands Operands { get; } = operands;
        public float[] Candidate { get; } = candidate;

        /// <summary>The leading head coordinates tested first (0: none).</summary>
        public int Checkpoint { get; } = checkpoint;

        /// <summary>The head operands' partial norms over the checkpoint's coordinates (same values, same layout).</summary>
        public JoinOperands? Partial { get; } = partial;
        public float[] PartialCandidate { get; } = partialCandidate ?? [];
        public long Skipped => Interlocked.Read(ref skipped);
        public long Computed => Interlocked.Read(ref computed);

        /// <summary>Tiles that passed the checkpoint and were continued over the rest of the head.</summary>
        public long PassedCheckpoint => Interlocked.Read(ref passedCheckpoint);

        public void Record(long skippedTiles, long computedTiles, long passedCheckpointTiles)
        {
            Interlocked.Add(ref skipped, skippedTiles);
            Interlocked.Add(ref computed, computedTiles);
            Interlocked.Add(ref passedCheckpoint, passedCheckpointTiles);
        }
    }

    /// <summary>Lanes of a mask in increasing order.</summary>
    public static int NextLane(ref uint mask)
    {
        int lane = BitOperations.TrailingZeroCount(mask);
        mask &= mask - 1;
        return lane;
    }
}
