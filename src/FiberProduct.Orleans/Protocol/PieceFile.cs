namespace FiberProduct.Orleans.Protocol;

/// <summary>
/// Where a piece of a pairs join writes its pairs instead of returning them: the shard of block pair
/// (<see cref="ImageBlock"/>, <see cref="TextBlock"/>) in <see cref="Directory"/>, in the out-of-core join's format
/// (<see cref="OutOfCore.ShardManifest"/>), its rows counted from <see cref="ImageStart"/> and its columns from
/// <see cref="TextStart"/> of the join's inputs.
/// </summary>
[GenerateSerializer, Immutable, Alias("FiberProduct.Orleans.PieceFile")]
internal sealed record PieceFile(
    [property: Id(0)] string Directory,
    [property: Id(1)] int ImageBlock,
    [property: Id(2)] int TextBlock,
    [property: Id(3)] int ImageStart,
    [property: Id(4)] int TextStart);
