using System.Diagnostics;

namespace FiberProduct.OutOfCore;

/// <summary>How far an out-of-core join has come, and when it should finish.</summary>
/// <param name="Fraction">The share of the work done, in [0, 1]: block pairs weighted by their image rows × text
/// rows, those completed before a resume included.</param>
/// <param name="CompletedBlocks">Block pairs completed, before a resume included.</param>
/// <param name="TotalBlocks">Block pairs in all.</param>
/// <param name="Pairs">Pairs found in the completed block pairs.</param>
/// <param name="Elapsed">Time since this run started (a resume starts a new run).</param>
/// <param name="Remaining">The estimated time to finish: the work left at the rate of this run so far; null until
/// this run has completed a block pair.</param>
public sealed record OutOfCoreProgress(double Fraction, long CompletedBlocks, long TotalBlocks, long Pairs,
    TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>
/// The fraction an <see cref="Execution.ExecutionScope"/> reports (monotonic, one per completed block pair) turned
/// into an <see cref="OutOfCoreProgress"/> with the time left, measured from the fraction this run started at.
/// </summary>
internal sealed class ProgressClock(IProgress<OutOfCoreProgress> target, long totalBlocks, double startFraction)
    : IProgress<double>
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>Block pairs and pairs completed, set before each report.</summary>
    public (long Blocks, long Pairs) Done { get; set; }

    public void Report(double value)
    {
        var elapsed = clock.Elapsed;
        double done = value - startFraction;
        TimeSpan? remaining = done > 0 ? elapsed * ((1 - value) / done) : value >= 1 ? TimeSpan.Zero : null;
        target.Report(new OutOfCoreProgress(value, Done.Blocks, totalBlocks, Done.Pairs, elapsed, remaining));
    }
}
