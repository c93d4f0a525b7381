namespace FiberProduct.Decomposition;

/// <summary>
/// A listener's progress made strictly increasing in the order it is called. The execution scope raises its high mark
/// and then reports, so two workers can pass the mark in one order and report in the other; the long operations of
/// Decomposition and Analysis wrap their listener in this, which reports under a lock and drops what is not above the
/// last report. (The race is in ExecutionScope.Report, which belongs to the execution context's owners.)
/// </summary>
internal sealed class OrderedProgress : IProgress<double>
{
    private readonly IProgress<double> listener;
    private readonly Lock gate = new();
    private double last = double.NegativeInfinity;

    private OrderedProgress(IProgress<double> listener) => this.listener = listener;

    /// <summary>The listener wrapped, or null when there is none.</summary>
    public static IProgress<double>? Of(IProgress<double>? listener) => listener is null ? null : new OrderedProgress(listener);

    /// <inheritdoc/>
    public void Report(double value)
    {
        lock (gate)
        {
            if (!(value > last)) return;
            last = value;
            listener.Report(value);
        }
    }
}
