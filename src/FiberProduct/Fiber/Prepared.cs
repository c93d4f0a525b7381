using FiberProduct.Execution;

namespace FiberProduct.Fiber;

/// <summary>
/// A value an instance prepares once, for all its queries: built by the first query that needs it, on that query's
/// workers and with its token. Unlike <see cref="Lazy{T}"/>, a build that is cancelled (or fails) is not cached: the
/// next query builds it again. Concurrent queries wait for the one that builds.
/// </summary>
internal sealed class Prepared<T>(Func<ExecutionScope, T> build)
{
    private readonly Lock gate = new();
    private volatile Holder? built;

    /// <summary>Whether the value has been built.</summary>
    public bool IsBuilt => built is not null;

    /// <summary>The value if it has been built, else the default.</summary>
    public T? ValueIfBuilt => built is { } holder ? holder.Value : default;

    /// <summary>The value, built now on <paramref name="scope"/> if no query has built it yet.</summary>
    public T Get(ExecutionScope scope)
    {
        if (built is { } holder) return holder.Value;
        lock (gate)
        {
            built ??= new Holder(build(scope));
            return built.Value;
        }
    }

    private sealed record Holder(T Value);
}
