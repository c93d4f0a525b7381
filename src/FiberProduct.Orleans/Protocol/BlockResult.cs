namespace FiberProduct.Orleans.Protocol;

/// <summary>
/// The answer of one work item, image block × text shard, in the block's and shard's own indices (row 0 is the block's
/// first image, column 0 the shard's first text): the client shifts them. Which fields are set depends on the
/// <see cref="QueryKind"/>: Count sets <see cref="Count"/>; Profile sets <see cref="Counts"/> (aligned with the
/// query's tolerances) and, when asked, <see cref="Distances"/>; Pairs and NearestWithin set the CSR arrays.
/// </summary>
[GenerateSerializer, Immutable, Alias("FiberProduct.Orleans.BlockResult")]
internal sealed record BlockResult
{
    [Id(0)] public long Count { get; init; }
    [Id(1)] public long[] Counts { get; init; } = [];
    [Id(2)] public int[] RowOffsets { get; init; } = [];
    [Id(3)] public int[] Columns { get; init; } = [];
    [Id(4)] public double[] Distances { get; init; } = [];
    [Id(5)] public double RelativeError { get; init; }
    [Id(6)] public double AbsoluteError { get; init; }

    /// <summary>The silo that computed it (for the report: which machine did which work).</summary>
    [Id(7)] public string Silo { get; init; } = "";

    /// <summary>The bytes this result takes on the wire, about: its arrays and fields (for the report).</summary>
    public long PayloadBytes => 8 + 8L * Counts.Length + 4L * RowOffsets.Length + 4L * Columns.Length
        + 8L * Distances.Length + 16 + 2L * Silo.Length;
}
