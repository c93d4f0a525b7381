namespace FiberProduct.Orleans.Protocol;

/// <summary>Which operation of the core a work item runs on its image block and text shard.</summary>
internal enum QueryKind
{
    Count,
    Pairs,
    Profile,
    NearestWithin,
}
