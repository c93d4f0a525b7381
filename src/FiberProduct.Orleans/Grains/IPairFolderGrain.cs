using FiberProduct.Fiber;

namespace FiberProduct.Orleans.Grains;

/// <summary>
/// The folder a pairs join writes its shards to, keyed by its path as the silos see it: checked before the join, and
/// given its manifest when every piece is in. A stateless worker: it runs on whichever silo the call reaches, so a
/// dead silo never holds it.
/// </summary>
[Alias("FiberProduct.Orleans.IPairFolderGrain")]
internal interface IPairFolderGrain : IGrainWithStringKey
{
    /// <summary>Creates the folder, and refuses inputs that are not whole files and a folder that already holds a
    /// manifest.</summary>
    [Alias("Begin")]
    Task Begin(EmbeddingRange images, EmbeddingRange texts);

    /// <summary>Writes the manifest of the complete join: the inputs with their fingerprints, ε, the metric, the
    /// block sizes, and <paramref name="pairs"/>[a · shards + b] pairs in the shard of block pair (a, b).</summary>
    [Alias("Finish")]
    Task Finish(EmbeddingRange images, EmbeddingRange texts, double epsilon, FiberMetric metric, int imageBlockRows,
        int textBlockRows, long[] pairs, CancellationToken cancellationToken);
}
