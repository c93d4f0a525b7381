using System.Diagnostics;

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
    /// <summary>The promised bound on the time from a cancel to the operation's <see cref="OperationCanceledException"/>.</summary>
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
        return cancelled.Elapsed;
    }

    /// <summary>Asserts that <paramref name="operation"/> honours a cancel within <see cref="CancelBound"/>.</summary>
    public static void HonoursCancel(Action<CancellationToken> operation, TimeSpan? after = null)
    {
        var latency = CancelLatency(operation, after);
        Assert.True(latency <= CancelBound, $"The cancel took {latency.TotalMilliseconds:F0} ms (bound {CancelBound.TotalMilliseconds} ms).");
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
    /// Asserts that a one-worker run uses one core: CPU time over wall time at most 1.25 (the runtime's JIT and GC
    /// threads add a little; a busy machine only lowers the ratio). As a control that the limit means something, a
    /// two-worker run of the same operation must keep at least two threads busy (each with a tenth of its CPU time):
    /// counted per thread, so the control holds even when other processes share the cores.
    /// </summary>
    public static void OneWorkerUsesOneCore(Action<int> operationWithWorkers)
    {
        operationWithWorkers(1);
        double one = CoresUsed(() => operationWithWorkers(1));
        Assert.True(one <= 1.25, $"A one-worker run used {one:F2} cores.");
        if (Environment.ProcessorCount < 2) return;
        int busy = BusyThreads(() => operationWithWorkers(2));
        Assert.True(busy >= 2, $"A two-worker run kept only {busy} thread busy: the operation does not use its workers.");
    }

    /// <summary>The threads of this process that did at least a tenth of the CPU work of <paramref name="operation"/>.</summary>
    public static int BusyThreads(Action operation)
    {
        var before = ThreadTimes();
        operation();
        var deltas = ThreadTimes().Select(t => t.Value - before.GetValueOrDefault(t.Key)).ToList();
        var total = deltas.Aggregate(TimeSpan.Zero, (a, b) => a + b);
        return deltas.Count(d => d >= total / 10);
    }

    private static Dictionary<int, TimeSpan> ThreadTimes()
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
}
