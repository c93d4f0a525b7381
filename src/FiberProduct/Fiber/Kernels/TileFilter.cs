namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// Decides, before a tile (one micro-panel of rows × one panel of 16 texts) is computed in full, whether it may hold a
/// pair within ε. An operator struct in the manner of TensorPrimitives: the sweep takes it as a type parameter, so the
/// JIT compiles the plain join (<see cref="NoTileFilter"/>) without a trace of the filter and the pruned join with it
/// inlined. A filter may only skip tiles that provably hold no pair: it must never change an answer.
/// </summary>
internal interface ITileFilter<TSelf> where TSelf : struct, ITileFilter<TSelf>
{
    /// <summary>A copy for one worker, with its own scratch and counters.</summary>
    TSelf ForWorker();

    /// <summary>The rows [<paramref name="i0"/>, i0 + <paramref name="validRows"/>) of the tiles that follow.</summary>
    void Rows<TKernel>(int i0, int validRows) where TKernel : IDotTileKernel;

    /// <summary>False when no pair of the current rows and panel <paramref name="panel"/> can lie within ε.</summary>
    bool MayHoldPair<TKernel>(int panel, uint validLanes) where TKernel : IDotTileKernel;

    /// <summary>The worker is done: publish its counts.</summary>
    void Completed();
}

/// <summary>The plain join: every tile is computed.</summary>
internal readonly struct NoTileFilter : ITileFilter<NoTileFilter>
{
    public NoTileFilter ForWorker() => this;

    public void Rows<TKernel>(int i0, int validRows) where TKernel : IDotTileKernel { }

    public bool MayHoldPair<TKernel>(int panel, uint validLanes) where TKernel : IDotTileKernel => true;

    public void Completed() { }
}
