using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Orleans.Protocol;
using FiberProduct.OutOfCore;

namespace FiberProduct.Orleans.Grains;

/// <summary>
/// Holds one shard of the texts and joins image blocks with it through the core's
/// <see cref="ApproximateFiberProduct"/>, whose per-pair decision is exact: so each block result is exactly the
/// single-machine answer restricted to that block and shard, whichever silo computes it and however often.
/// </summary>
/// <remarks>
/// The shard is prepared once (packed, normed, quantised) and each block runs as a query against it, as the
/// out-of-core join does; preparing it again for every block cost about a quarter of a join at 10,000 × 10,000 × 128
/// (docs/scaling.md). Pruning would need the shard prepared for it once as well (axes, k-d order, heads), which is
/// not built: planning it afresh for every piece made one silo 2.8–2.9 times slower than the local join on planted
/// data. So under <see cref="PruningMode.Auto"/> the pieces do not prune, and only <see cref="PruningMode.Always"/>
/// joins each piece on its own with its own plan. The answer is the same either way: only the time depends on it.
/// </remarks>
internal sealed class TextShardGrain : Grain, ITextShardGrain
{
    private EmbeddingSet? shard;
    private ApproximateFiberProduct? prepared;   // the shard as the prepared side of queries, for one query's settings

    /// <summary>The grain key of a shard: start and count first, so that the path may hold any character.</summary>
    public static string KeyOf(EmbeddingRange texts) =>
        string.Create(CultureInfo.InvariantCulture, $"{texts.Start}:{texts.Count}:{texts.Path}");

    private static EmbeddingRange RangeOf(string key)
    {
        var parts = key.Split(':', 3);
        return new EmbeddingRange(parts[2], int.Parse(parts[0], CultureInfo.InvariantCulture),
            int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    public Task<string> Where() => Task.FromResult(RuntimeIdentity);

    public async Task<BlockResult> Join(EmbeddingRange images, ShardQuery query, PieceFile? output,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(query);
        string silo = RuntimeIdentity;
        // Off the activation's scheduler: the core spreads a join over the thread pool, and the rows are read from
        // storage, which should not hold the silo's scheduler turn.
        return await Task.Run(() =>
        {
            shard ??= RangeOf(this.GetPrimaryKeyString()).Load();
            if (prepared is null || prepared.Metric != query.Metric || prepared.Options != Options(query))
                prepared = Product(shard, shard, query);
            var block = images.Load();
            var fiber = query.Pruning == PruningMode.Always ? Product(block, shard, query) : null;
            var result = output is null ? Run(block, fiber, prepared, query, cancellationToken)
                : Write(block, fiber, prepared, query, output, cancellationToken);
            return result with { Silo = silo };
        }, cancellationToken).ConfigureAwait(true); // grain code resumes on its activation
    }

    /// <summary>The pairs of one block and shard written as the shard file of <paramref name="output"/>, replaced
    /// whole: an attempt redone elsewhere writes the same bytes under the same name, so the folder holds each block
    /// pair once whatever the attempts.</summary>
    private static BlockResult Write(EmbeddingSet images, ApproximateFiberProduct? fiber,
        ApproximateFiberProduct texts, ShardQuery query, PieceFile output, CancellationToken cancellationToken)
    {
        var pairs = fiber?.Pairs(query.Epsilon, cancellationToken: cancellationToken)
            ?? texts.Query(images, query.Epsilon, cancellationToken);
        string file = ShardManifest.FileOf(output.ImageBlock, output.TextBlock);
        ShardManifest.WriteShard(Path.Combine(output.Directory, file), pairs, new PairShard(output.ImageBlock,
            output.TextBlock, output.ImageStart, images.Count, output.TextStart, texts.Texts.Count, file,
            pairs.PairCount));
        return new BlockResult { Count = pairs.PairCount };
    }

    private static FiberProductOptions Options(ShardQuery query) => new()
    {
        MaxDegreeOfParallelism = query.MaxDegreeOfParallelism,
        Pruning = query.Pruning,
        MaxPairs = query.MaxPairs,
    };

    private static ApproximateFiberProduct Product(EmbeddingSet images, EmbeddingSet texts, ShardQuery query) =>
        new(images, texts, query.Metric, Options(query));

    /// <summary>The core's answer for one block, in the block's and shard's own indices: from the piece's own join
    /// (<paramref name="fiber"/>, with its own pruning plan) or, when that is null, against the prepared
    /// shard.</summary>
    private static BlockResult Run(EmbeddingSet images, ApproximateFiberProduct? fiber, ApproximateFiberProduct texts,
        ShardQuery query, CancellationToken token) => query.Kind switch
    {
        QueryKind.Count => new BlockResult
        {
            Count = fiber?.Count(query.Epsilon, cancellationToken: token)
                ?? texts.QueryCount(images, query.Epsilon, token),
        },
        QueryKind.Profile => Of(fiber?.Profile(query.Epsilons, query.IncludeDistances, cancellationToken: token)
            ?? texts.QueryProfile(images, query.Epsilons, query.IncludeDistances, token)),
        QueryKind.Pairs => Of(fiber?.Pairs(query.Epsilon, cancellationToken: token)
            ?? texts.Query(images, query.Epsilon, token)),
        _ => Of(fiber?.NearestWithin(query.Epsilon, query.K, cancellationToken: token)
            ?? texts.QueryNearest(images, query.Epsilon, query.K, token)),
    };

    private static BlockResult Of(EpsilonProfile profile) =>
        new() { Counts = profile.Counts.ToArray(), Distances = profile.SortedDistances.ToArray() };

    private static BlockResult Of(PairSet pairs)
    {
        var offsets = new int[pairs.RowCount + 1];
        for (int i = 0; i <= pairs.RowCount; i++) offsets[i] = checked((int)pairs.RowOffsets[i]);
        return new BlockResult
        {
            RowOffsets = offsets,
            Columns = pairs.Columns.ToArray(),
            Distances = pairs.Distances.ToArray(),
            RelativeError = pairs.DistanceError.Relative,
            AbsoluteError = pairs.DistanceError.Absolute,
        };
    }
}
