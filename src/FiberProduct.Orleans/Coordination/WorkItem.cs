namespace FiberProduct.Orleans.Coordination;

/// <summary>
/// One unit of work: image block <see cref="Block"/> against text shard <see cref="Shard"/>. Its
/// <see cref="Id"/> keys its result, so that a block redone after a lost lease is accepted once.
/// </summary>
internal sealed record WorkItem(int Id, int Block, int Shard, EmbeddingRange Images, EmbeddingRange Texts);
