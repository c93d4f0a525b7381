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
internal sealed class TextShardGrain : Grain, ITextShardGrain
{
    private EmbeddingSet? shard;

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
            var block = images.Load();
            var result = output is null ? Run(block, shard, query, cancellationToken)
                : Write(block, shard, query, output, cancellationToken);
            return result with { Silo = silo };
        }, cancellationToken).ConfigureAwait(true); // grain code resumes on its activation
    }

    /// <summary>The pairs of one block and shard written as the shard file of <paramref name="output"/>, replaced
    /// whole: an attempt redone elsewhere writes the same bytes under the same name, so the folder holds each block
    /// pair once whatever the attempts.</summary>
    private static BlockResult Write(EmbeddingSet images, EmbeddingSet texts, ShardQuery query, PieceFile output,
        CancellationToken cancellationToken)
    {
        var pairs = Product(images, texts, query).Pairs(query.Epsilon, cancellationToken: cancellationToken);
        string file = ShardManifest.FileOf(output.ImageBlock, output.TextBlock);
        ShardManifest.WriteShard(Path.Combine(output.Directory, file), pairs, new PairShard(output.ImageBlock,
            output.TextBlock, output.ImageStart, images.Count, output.TextStart, texts.Count, file, pairs.PairCount));
        return new BlockResult { Count = pairs.PairCount };
    }

    private static ApproximateFiberProduct Product(EmbeddingSet images, EmbeddingSet texts, ShardQuery query) =>
        new(images, texts, query.Metric, new FiberProductOptions
        {
            MaxDegreeOfParallelism = query.MaxDegreeOfParallelism,
            Pruning = query.Pruning,
            MaxPairs = query.MaxPairs,
        });

    /// <summary>The core's answer for one block and shard, in their own indices.</summary>
    internal static BlockResult Run(EmbeddingSet images, EmbeddingSet texts, ShardQuery query,
        CancellationToken cancellationToken)
    {
        var fiber = Product(images, texts, query);
        switch (query.Kind)
        {
            case QueryKind.Count:
                return new BlockResult { Count = fiber.Count(query.Epsilon, cancellationToken: cancellationToken) };
            case QueryKind.Profile:
                var profile = fiber.Profile(query.Epsilons, query.IncludeDistances,
                    cancellationToken: cancellationToken);
                return new BlockResult
                {
                    Counts = profile.Counts.ToArray(), Distances = profile.SortedDistances.ToArray(),
                };
            default:
                var pairs = query.Kind == QueryKind.Pairs
                    ? fiber.Pairs(query.Epsilon, cancellationToken: cancellationToken)
                    : fiber.NearestWithin(query.Epsilon, query.K, cancellationToken: cancellationToken);
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
}
