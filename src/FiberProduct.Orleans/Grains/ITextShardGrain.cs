using FiberProduct.Orleans.Protocol;
using Orleans.Concurrency;

namespace FiberProduct.Orleans.Grains;

/// <summary>
/// A shard of the texts, held in the memory of the silo that activated it, keyed by its <see cref="EmbeddingRange"/>
/// (<see cref="TextShardGrain.KeyOf"/>). When that silo dies, the next call activates it on another silo, which loads
/// the same rows from the shared storage.
/// </summary>
[Alias("FiberProduct.Orleans.ITextShardGrain")]
internal interface ITextShardGrain : IGrainWithStringKey
{
    /// <summary>The silo this shard is active on (activating it there if it was not), answered at once even while a
    /// join runs: the coordinator asks before each piece, so that it knows which silo's death loses the
    /// piece.</summary>
    [Alias("Where"), AlwaysInterleave]
    Task<string> Where();

    /// <summary>Joins a block of images (read from storage by this silo) with the shard. With
    /// <paramref name="output"/> (pairs only), the pairs are written to that shard file and only their number comes
    /// back. Cancelling <paramref name="cancellationToken"/> in the caller stops the join on the silo.</summary>
    [Alias("Join")]
    Task<BlockResult> Join(EmbeddingRange images, ShardQuery query, PieceFile? output,
        CancellationToken cancellationToken);
}
