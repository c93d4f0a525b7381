using System.Diagnostics;
using System.Runtime;

namespace FiberProduct.Tests.Execution;

/// <summary>
/// The tests that measure the process (CPU time, cancel latency) run alone: other tests running beside them would
/// add their CPU time and delay their threads.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAlone
{
    public const string Name = "Responsiveness";
}

/// <summary>
/// Measures the two promises of the execution context on a real operation: a cancel is honoured within 100 ms, and a
/// one-worker run uses one core. Tests using it belong to <see cref="MeasuredAlone"/>.
/// </summary>
internal static class Responsiveness
{
    /// <summary>The promised bound on the time from a cancel to the operation's
    /// <see cref="OperationCanceledException"/>.</summary>
    public static readonly TimeSpan CancelBound = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Starts <paramref name="operation"/> on its own thread, cancels it once it has run for <paramref name="after"/>
    /// (default 300 ms), and returns the time from the cancel to its <see cref="OperationCanceledException"/>. Fails
    /// when the operation finishes before the cancel (choose more work) or ends without honouring it.
    /// </summary>
    public static TimeSpan CancelLatency(Action<CancellationToken> operation, TimeSpan? after = null)
    {
        using var source = new CancellationTokenSource();
        var cancelled = new Stopwatch();
        Exception? failure = null;
        bool finished = false;
        var thread = new Thread(() =>
        {
            try { operation(source.Token); finished = true; }
            catch (OperationCanceledException) { cancelled.Stop(); }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 16 << 20);
        thread.Start();
        if (thread.Join(after ?? TimeSpan.FromMilliseconds(300)))
            Assert.Fail(failure?.ToString() ?? "The operation finished before the cancel: give it more work.");
        cancelled.Start();
        source.Cancel();
        if (!thread.Join(TimeSpan.FromSeconds(60))) Assert.Fail("The operation ignored the cancel for 60 s.");
        if (failure is not null) Assert.Fail(failure.ToString());
        Assert.False(finished, "The operation finished instead of honouring the cancel.");
        // A factorization abandoned by the cancel still runs to its end (Factorizations): wait for it, so it does not
        // add CPU time to the next measured test.
        var drain = Stopwatch.StartNew();
        while (FiberProduct.Numerics.Factorizations.Running > 0 && drain.Elapsed < TimeSpan.FromSeconds(30))
            Thread.Sleep(10);
        return cancelled.Elapsed;
    }

    /// <summary>Asserts that <paramref name="operation"/> honours a cancel within <see cref="CancelBound"/>.</summary>
    public static void HonoursCancel(Action<CancellationToken> operation, TimeSpan? after = null)
    {
        var latency = CancelLatency(operation, after);
        Assert.True(latency <= CancelBound,
            $"The cancel took {latency.TotalMilliseconds:F0} ms (bound {CancelBound.TotalMilliseconds} ms).");
    }

    /// <summary>
    /// The process's CPU time over the wall time of <paramref name="operation"/>: about 1 when it runs on one core,
    /// about the worker count when its workers keep busy. Run <paramref name="operation"/> once before (JIT, caches).
    /// </summary>
    public static double CoresUsed(Action operation)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        operation();
        wall.Stop();
        process.Refresh();
        return (process.TotalProcessorTime - cpu).TotalSeconds / wall.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Asserts that a one-worker run uses one core, in two ways that hold on a machine shared with other work too:
    /// CPU time over wall time at most 1.3 (the runtime's JIT and background GC threads add a little: Retrieval
    /// measured 1.27 once, cause not established; a busy machine only lowers the ratio), and, counted per thread, the
    /// threads other than the busiest add at most a quarter of its CPU time. As a control that the measurement can tell
    /// one worker from two, a two-worker run must spread at least 30 % of its busiest thread's time over other threads
    /// (skipped where <paramref name="checkTwoWorkers"/> is false: work whose serial part outweighs a second worker).
    /// </summary>
    public static void OneWorkerUsesOneCore(Action<int> operationWithWorkers, bool checkTwoWorkers = true)
    {
        operationWithWorkers(1);
        double[] one = [];
        // No background (gen-2) collections while measuring: the runtime's GC thread would count as a second worker.
        var latency = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.LowLatency;
        double cores;
        try { cores = CoresUsed(() => one = ThreadTimes(() => operationWithWorkers(1))); }
        finally { GCSettings.LatencyMode = latency; }
        Assert.True(cores <= 1.3, $"A one-worker run used {cores:F2} cores.");
        Assert.True(one.Sum() - one[0] <= 0.25 * one[0],
            $"A one-worker run spread its CPU time over threads: {Format(one)}.");
        if (Environment.ProcessorCount < 2 || !checkTwoWorkers) return;
        var two = ThreadTimes(() => operationWithWorkers(2));
        Assert.True(two.Sum() - two[0] >= 0.3 * two[0], $"A two-worker run kept one thread busy: {Format(two)}.");
    }

    /// <summary>The CPU time each thread of the process spent during <paramref name="operation"/>, largest
    /// first (s).</summary>
    public static double[] ThreadTimes(Action operation)
    {
        var before = Ticks();
        operation();
        var after = Ticks();
        var times = after.Select(t => (t.Value - before.GetValueOrDefault(t.Key)).TotalSeconds).Where(t => t > 0)
            .OrderDescending().ToArray();
        return times.Length == 0 ? [0] : times;
    }

    /// <summary>Each thread's CPU time, by thread id (the runtime reads /proc/self/task on Linux).</summary>
    private static Dictionary<int, TimeSpan> Ticks()
    {
        using var process = Process.GetCurrentProcess();
        var times = new Dictionary<int, TimeSpan>();
        foreach (ProcessThread thread in process.Threads)
        {
            try { times[thread.Id] = thread.TotalProcessorTime; }
            catch (InvalidOperationException) { } // the thread ended meanwhile
            finally { thread.Dispose(); }
        }
        return times;
    }

    private static string Format(double[] times) =>
        $"{string.Join(", ", times.Take(6).Select(t => $"{t:F2} s"))} (other threads {times.Sum() - times[0]:F2} s)";
}
