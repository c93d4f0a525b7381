using FiberProduct.Execution;

namespace FiberProduct.Analysis;

/// <summary>
/// A stage of an <see cref="ExecutionScope"/> as the <see cref="IProgress{T}"/> the engine's queries take, so a join
/// inside an analysis reports into its share of the whole (null when nobody listens: the engine then skips it).
/// </summary>
internal sealed class ScopeProgress : IProgress<double>
{
    private readonly ExecutionScope stage;

    private ScopeProgress(ExecutionScope stage) => this.stage = stage;

    /// <summary>The progress of <paramref name="stage"/>, or null when its scope has no listener.</summary>
    public static IProgress<double>? Of(ExecutionScope stage) => stage.Reports ? new ScopeProgress(stage) : null;

    /// <inheritdoc/>
    public void Report(double value) => stage.Report(value);
}
