using FiberProduct.Execution;

namespace FiberProduct.Tests.Execution;

public class ExecutionScopeTests
{
    private sealed class Recorder : IProgress<double>
    {
        public List<double> Reports { get; } = [];

        public void Report(double value) { lock (Reports) Reports.Add(value); }
    }

    [Fact]
    public void Reports_ArriveInOrder_FromManyWorkers()
    {
        // Parallel iterations finish out of order; the listener must still see fractions that only grow.
        var recorder = new Recorder();
        var scope = new ExecutionScope(8, recorder);
        scope.For(0, 200_000, _ => { }, reportEvery: 1);
        Assert.Equal(recorder.Reports.Order(), recorder.Reports);
        Assert.Equal(1, recorder.Reports[^1]);
        Assert.True(recorder.Reports.Count > 100);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void AnIterationsException_ReachesTheCaller_Unwrapped(int workers)
    {
        // One worker or many, the caller sees the exception an iteration threw, not the runtime's AggregateException.
        var scope = new ExecutionScope(workers);
        var thrown = Assert.Throws<InvalidOperationException>(() => scope.For(0, 64, i =>
        {
            if (i % 7 == 3) throw new InvalidOperationException($"iteration {i}");
        }));
        Assert.StartsWith("iteration ", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Silent_KeepsTheThreadsAndToken_WithoutProgress()
    {
        var recorder = new Recorder();
        using var source = new CancellationTokenSource();
        var scope = new ExecutionScope(3, recorder, source.Token);
        var silent = scope.Silent();
        silent.Report(0.5);
        Assert.Empty(recorder.Reports);
        Assert.Equal(3, silent.Workers);
        Assert.Equal(source.Token, silent.Token);
        scope.Report(0.25);
        Assert.Equal([0.25], recorder.Reports);
    }

    [Fact]
    public void Parts_MapOntoTheirShare()
    {
        var recorder = new Recorder();
        var scope = new ExecutionScope(1, recorder);
        scope.Part(0, 0.25).Report(0.5);
        scope.Part(0.25, 1).Part(0.5, 1).Report(0);
        scope.Part(0.25, 1).Report(double.NaN);
        scope.Report(2);
        Assert.Equal([0.125, 0.625, 1.0], recorder.Reports);
    }

    [Fact]
    public void OneWorker_RunsOnTheCallingThread_AndStopsAtTheNextIteration()
    {
        using var source = new CancellationTokenSource();
        var scope = new ExecutionScope(1, cancellationToken: source.Token);
        var threads = new HashSet<int>();
        int ran = 0;
        Assert.Throws<OperationCanceledException>(() => scope.For(0, 100, i =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            ran++;
            if (i == 9) source.Cancel();
        }));
        Assert.Equal(10, ran);
        Assert.Equal([Environment.CurrentManagedThreadId], threads);
    }

    [Fact]
    public void ThreadCounts_AreValidated_AndClamped()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExecutionScope(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExecutionScope(-2));
        Assert.Equal(Environment.ProcessorCount, new ExecutionScope(-1).Workers);
        Assert.Equal(1, new ExecutionScope(3).WithAtMost(0).Workers);
        Assert.Equal(2, new ExecutionScope(2).WithAtMost(5).Workers);
        int concurrent = 0, most = 0;
        new ExecutionScope(2).For(0, 64, _ =>
        {
            int now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref most, now);
            Thread.Sleep(1);
            Interlocked.Decrement(ref concurrent);
        });
        Assert.InRange(most, 1, 2);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value
            && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
