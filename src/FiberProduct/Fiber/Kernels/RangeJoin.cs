using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics;
using FiberProduct.Execution;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The blocked ε-range join driver: every image row against every text panel through a register-tiled
/// micro-kernel, with the threshold test fused behind it so no N × M matrix is ever stored. Rows are split into
/// one contiguous range per worker; each worker takes its rows a chunk at a time and sweeps the texts in blocks
/// that stay in its L2 cache while the chunk runs against them. A chunk's pairs are complete when it ends, so a
/// sink sees its rows' results in row order chunk by chunk and may stop early. Results are independent of the
/// number of workers. A tile filter (<see cref="ITileFilter{TSelf}"/>) may skip tiles that hold no pair.
/// </summary>
internal static unsafe class RangeJoin
{
    /// <summary>Text panels per cache block: 16 × 16 texts × d floats (512 KiB at d = 512).</summary>
    internal const int BlockPanels = 16;

    /// <summary>Image rows per chunk: the texts are re-read from memory once per chunk.</summary>
    internal const int ChunkRows = 384;

    private const int Lanes = JoinOperands.PanelWidth;

    /// <summary>
    /// Offers every pair of rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) and every text that the
    /// thresholds cannot rule out to the sink of its worker, on the scope's workers (the kernel this machine runs),
    /// behind the int8 screen where it pays (<see cref="Int8Screening.Pays"/>).
    /// </summary>
    public static void Run<TSink, TFilter>(JoinOperands op, float[] candidate, float[] sure, int rowStart, int rowEnd,
        Func<int, TSink> sinkForWorker, TFilter filter, ExecutionScope scope)
        where TSink : ITileSink where TFilter : struct, ITileFilter<TFilter>
    {
        if (Int8Screening.Pays(op, rowEnd - rowStart))
        {
            var (rows, texts) = op.Quantized(scope);
            var screen = new Int8Screen<TFilter, Int8TileVnni>(filter, rows, texts, candidate, op.HalfSquaredNormsY);
            TileKernels.Run<JoinWith<TSink, Int8Screen<TFilter, Int8TileVnni>>, bool>(
                new(op, candidate, sure, rowStart, rowEnd, sinkForWorker, screen, scope));
            return;
        }
        TileKernels.Run<JoinWith<TSink, TFilter>, bool>(
            new(op, candidate, sure, rowStart, rowEnd, sinkForWorker, filter, scope));
    }

    private readonly struct JoinWith<TSink, TFilter>(JoinOperands op, float[] candidate, float[] sure, int rowStart,
        int rowEnd, Func<int, TSink> sinkForWorker, TFilter filter, ExecutionScope scope) : IKernelUser<bool>
        where TSink : ITileSink where TFilter : struct, ITileFilter<TFilter>
    {
        public bool Use<TKernel>() where TKernel : IDotTileKernel
        {
            Run<TSink, TFilter, TKernel>(op, candidate, sure, rowStart, rowEnd, sinkForWorker, filter, scope);
            return true;
        }
    }

    /// <summary>
    /// How many workers a row range can use: at least one micro-panel of the tallest kernel each (the join's
    /// <c>sinkForWorker</c> is called with indices below it).
    /// </summary>
    public static int Workers(int rows, int maxDegree) => Math.Max(1, Math.Min(maxDegree, (rows + 11) / 12));

    /// <summary>The join on a given kernel (the tests run every kernel the machine has).</summary>
    internal static void Run<TSink, TFilter, TKernel>(JoinOperands op, float[] candidate, float[] sure, int rowStart,
        int rowEnd, Func<int, TSink> sinkForWorker, TFilter filter, ExecutionScope scope)
        where TSink : ITileSink where TFilter : struct, ITileFilter<TFilter> where TKernel : IDotTileKernel
    {
        int rows = rowEnd - rowStart;
        if (rows <= 0 || op.Panels == 0) return;
        int height = TKernel.Height;
        int microPanels = (rows + height - 1) / height;
        // Never more than Workers(rows, …), by which callers size their sink arrays.
        int workers = Math.Min(Workers(rows, scope.Workers), microPanels);
        int blocks = (op.Panels + BlockPanels - 1) / BlockPanels;
        long done = 0, total = (long)blocks * ((microPanels * height + ChunkRows - 1) / ChunkRows + workers);
        void BlockDone()
        {
            if (scope.Reports) scope.Report((double)Interlocked.Increment(ref done) / total);
        }
        try
        {
            scope.ForEachWorker(workers, w =>
            {
                // Contiguous rows per worker, cut at micro-panel boundaries.
                int first = (int)((long)microPanels * w / workers), last = (int)((long)microPanels * (w + 1) / workers);
                int start = rowStart + first * height, end = Math.Min(rowEnd, rowStart + last * height);
                var own = filter.ForWorker();
                var sink = sinkForWorker(w);
                Sweep<TSink, TKernel, TFilter>(op, candidate, sure, start, end, sink, ref own, BlockDone, scope);
                own.Completed();
            });
        }
        catch (AggregateException e)
        {
            // Surface the worker's own exception (budget exceeded, bad data, a cancel) rather than the wrapper.
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }

    /// <summary>
    /// One worker's rows: a chunk of rows at a time (gathered through the row order when there is one), the texts in
    /// cache blocks, each micro-panel against each panel of the block — the filter first, then the tile in full.
    /// </summary>
    private static void Sweep<TSink, TKernel, TFilter>(JoinOperands op, float[] candidate, float[] sure, int start,
        int end, TSink sink, ref TFilter filter, Action blockDone, ExecutionScope scope)
        where TSink : ITileSink where TKernel : IDotTileKernel where TFilter : struct, ITileFilter<TFilter>
    {
        int d = op.Dimension, height = TKernel.Height;
        float* tile = stackalloc float[height * Lanes];
        var rows = new MicroPanels(op, height);
        fixed (float* packedY = op.PackedY)
        fixed (float* halfNormsY = op.HalfSquaredNormsY)
        {
            for (int chunk = start; chunk < end; chunk += ChunkRows)
            {
                int chunkEnd = Math.Min(end, chunk + ChunkRows);
                rows.Gather(chunk, chunkEnd);
                for (int block = 0; block * BlockPanels < op.Panels; block++)
                {
                    int panelEnd = Math.Min(op.Panels, (block + 1) * BlockPanels);
                    for (int i0 = chunk; i0 < chunkEnd; i0 += height)
                    {
                        scope.ThrowIfCancelled();
                        int validRows = Math.Min(height, chunkEnd - i0);
                        filter.Rows<TKernel>(i0, validRows);
                        fixed (float* x = rows.Of(i0, validRows))
                            for (int p = block * BlockPanels; p < panelEnd; p++)
                            {
                                uint valid = ValidLanes(p, op.Columns);
                                if (!filter.MayHoldPair<TKernel>(p, valid)) continue;
                                TKernel.Compute(x, d, d, packedY + (long)p * d * Lanes, tile);
                                Offer(sink, tile, i0, validRows, p * Lanes, valid, candidate, sure, halfNormsY);
                            }
                    }
                    blockDone();
                }
                if (!sink.RowsCompleted(chunkEnd)) break;
            }
        }
    }

    /// <summary>The lanes of panel <paramref name="panel"/> that hold a text (all 16 but in the last panel).</summary>
    internal static uint ValidLanes(int panel, int columns)
    {
        int column0 = panel * Lanes;
        return column0 + Lanes <= columns ? 0xFFFFu : (1u << (columns - column0)) - 1;
    }

    /// <summary>
    /// The threshold test of a computed tile: lane l of row r may be within ε when dot ≥ candidate[r]
    /// + ‖y_l‖²/2 and certainly is when dot ≥ sure[r] + ‖y_l‖²/2 (see
    /// <see cref="JoinOperands.Thresholds"/>); the sink gets the rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer<TSink>(TSink sink, float* tile, int i0, int validRows, int column0, uint valid,
        float[] candidate, float[] sure, float* halfNormsY) where TSink : ITileSink
    {
        var b0 = Vector256.Load(halfNormsY + column0);
        var b1 = Vector256.Load(halfNormsY + column0 + 8);
        for (int r = 0; r < validRows; r++)
        {
            var v0 = Vector256.Load(tile + r * Lanes);
            var v1 = Vector256.Load(tile + r * Lanes + 8);
            var c = Vector256.Create(candidate[i0 + r]);
            uint mask = (Vector256.GreaterThanOrEqual(v0, c + b0).ExtractMostSignificantBits()
                        | Vector256.GreaterThanOrEqual(v1, c + b1).ExtractMostSignificantBits() << 8) & valid;
            if (mask == 0) continue; // the common case for a selective ε
            var s = Vector256.Create(sure[i0 + r]);
            uint sureMask = (Vector256.GreaterThanOrEqual(v0, s + b0).ExtractMostSignificantBits()
                            | Vector256.GreaterThanOrEqual(v1, s + b1).ExtractMostSignificantBits() << 8) & mask;
            sink.Candidates(i0 + r, column0, mask, sureMask, new ReadOnlySpan<float>(tile + r * Lanes, Lanes));
        }
    }

    /// <summary>
    /// Where the kernel reads a micro-panel of rows: in place, from the chunk gathered through the row order (the
    /// pruned join's k-d order), or zero-padded to full height (the last micro-panel of a range).
    /// </summary>
    private sealed class MicroPanels(JoinOperands op, int height)
    {
        private readonly int d = op.Dimension;
        private readonly float[] gathered = op.RowOrder is null ? [] : new float[(ChunkRows + height) * op.Dimension];
        private readonly float[] padded = new float[height * op.Dimension];
        private int chunk;

        /// <summary>
        /// Gathers rows [<paramref name="from"/>, <paramref name="to"/>) when the join has a row order.
        /// </summary>
        public void Gather(int from, int to)
        {
            chunk = from;
            if (op.RowOrder is not { } order) return;
            var x = op.X.Span;
            for (int i = from; i < to; i++) x.Slice(order[i] * d, d).CopyTo(gathered.AsSpan((i - from) * d, d));
            gathered.AsSpan((to - from) * d, height * d).Clear(); // a zeroed micro-panel after the chunk
        }

        /// <summary>Rows [i0, i0 + height): the last <c>height − validRows</c> of them zero.</summary>
        public ReadOnlySpan<float> Of(int i0, int validRows)
        {
            if (op.RowOrder is not null) return gathered.AsSpan((i0 - chunk) * d, height * d);
            if (validRows == height) return op.X.Span.Slice(i0 * d, height * d);
            padded.AsSpan().Clear();
            op.X.Span.Slice(i0 * d, validRows * d).CopyTo(padded);
            return padded;
        }
    }

    /// <summary>
    /// The dot products of the rows of <paramref name="x"/> (n × d, row-major; row i is row
    /// <paramref name="order"/>[i] when an order is given) with the first <paramref name="width"/> columns of a packed
    /// panel set, as n rows of width floats (on the scope's workers).
    /// </summary>
    public static float[] Products(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int[]? order,
        ExecutionScope scope)
    {
        var result = LargeArrays.AllocateUninitialized<float>((long)n * width); // every row is written
        Products(x, n, d, packed, width, order,
            (i0, count, products) => products.CopyTo(result.AsSpan(i0 * width, count * width)), scope);
        return result;
    }

    /// <summary>
    /// Receives rows [i0, i0 + count) of a product, row-major, <c>width</c> floats a row (valid only during the call).
    /// </summary>
    public delegate void RowBlock(int i0, int count, ReadOnlySpan<float> products);

    /// <summary>
    /// The same products handed to <paramref name="consume"/> a micro-panel of rows at a time, from several workers at
    /// once (disjoint rows), so that a caller can transform them without an n × width array.
    /// </summary>
    public static void Products(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int[]? order,
        RowBlock consume, ExecutionScope scope) =>
        TileKernels.Run<ProductsWith, bool>(new(x, n, d, packed, width, order, consume, scope));

    private readonly struct ProductsWith(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width, int[]? order,
        RowBlock consume, ExecutionScope scope) : IKernelUser<bool>
    {
        public bool Use<TKernel>() where TKernel : IDotTileKernel
        {
            Products<TKernel>(x, n, d, packed, width, order, consume, scope);
            return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Products<TKernel>(ReadOnlyMemory<float> x, int n, int d, float[] packed, int width,
        int[]? order, RowBlock consume, ExecutionScope scope) where TKernel : IDotTileKernel
    {
        int height = TKernel.Height, panels = (width + Lanes - 1) / Lanes, microPanels = (n + height - 1) / height;
        int workers = Math.Max(1, Math.Min(scope.Workers, microPanels / 4));
        try
        {
            // The attribute on the worker too: a lambda does not inherit it, and a single cold call would run in tier
            // 0.
            scope.ForEachWorker(workers, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (w) =>
            {
                var rows = new float[height * d];
                var tile = new float[height * Lanes];
                var block = new float[height * width];
                var source = x.Span;
                fixed (float* r = rows) fixed (float* y = packed) fixed (float* t = tile) fixed (float* all = source)
                    for (int m = (int)((long)microPanels * w / workers),
                        end = (int)((long)microPanels * (w + 1) / workers);
                         m < end; m++)
                    {
                        scope.ThrowIfCancelled();
                        int i0 = m * height, valid = Math.Min(height, n - i0);
                        float* input = all + (long)i0 * d;
                        if (order is not null || valid < height)
                        {
                            if (valid < height) rows.AsSpan().Clear();
                            for (int row = 0; row < valid; row++)
                            {
                                int from = order is null ? i0 + row : order[i0 + row];
                                source.Slice(from * d, d).CopyTo(rows.AsSpan(row * d, d));
                            }
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
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
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
