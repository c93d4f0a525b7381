namespace FiberProduct.Orleans.Coordination;

/// <summary>
/// How a join is cut: the images into blocks of at most <see cref="DistributedJoinOptions.ImageBlockRows"/> rows, the
/// texts into shards of at most <see cref="DistributedJoinOptions.TextShardRows"/>, and one work item per block and
/// shard, block-major so that every shard has work from the start.
/// </summary>
internal sealed class JoinPlan
{
    public JoinPlan(EmbeddingRange images, EmbeddingRange texts, DistributedJoinOptions options)
    {
        Blocks = Cut(images, options.ImageBlockRows);
        Shards = Cut(texts, options.TextShardRows);
        var items = new List<WorkItem>(Blocks.Count * Shards.Count);
        for (int b = 0; b < Blocks.Count; b++)
            for (int s = 0; s < Shards.Count; s++)
                items.Add(new WorkItem(items.Count, b, s, Blocks[b], Shards[s]));
        Items = items;
    }

    public IReadOnlyList<EmbeddingRange> Blocks { get; }

    public IReadOnlyList<EmbeddingRange> Shards { get; }

    public IReadOnlyList<WorkItem> Items { get; }

    private static List<EmbeddingRange> Cut(EmbeddingRange range, int rows)
    {
        var parts = new List<EmbeddingRange>();
        for (int offset = 0; offset < range.Count; offset += rows)
            parts.Add(range.Slice(offset, Math.Min(rows, range.Count - offset)));
        return parts;
    }
}
