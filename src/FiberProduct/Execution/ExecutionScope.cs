namespace FiberProduct.Execution;

/// <summary>
/// The one execution context every long operation runs in: how many threads it may use, the token that stops it and
/// the progress it reports. Loops run through <see cref="For"/> and <see cref="ForEachWorker"/>, which never use more
/// than <see cref="Workers"/> threads (one worker runs on the calling thread alone) and check the token between
/// iterations, so a cancel is honoured within one iteration; long iterations call <see cref="ThrowIfCancelled"/>.
/// Progress is a fraction of the whole operation: <see cref="Part"/> maps a stage onto its share, and reports are
/// made monotonic, because parallel iterations finish out of order.
/// </summary>
internal sealed class ExecutionScope
{
    private readonly IProgress<double>? progress;
    private readonly double start;
    private readonly double length;
    private readonly ProgressHigh high;

    /// <summary>A scope with <paramref name="maxDegreeOfParallelism"/> threads (−1: one per processor).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The thread count is 0 or below −1.</exception>
    public ExecutionScope(int maxDegreeOfParallelism = -1, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
        : this(Resolve(maxDegreeOfParallelism), progress, 0, 1, new ProgressHigh(), cancellationToken)
    {
    }

    private ExecutionScope(int workers, IProgress<double>? progress, double start, double length, ProgressHigh high,
        CancellationToken token)
    {
        Workers = workers;
        Token = token;
        this.progress = progress;
        this.start = start;
        this.length = length;
        this.high = high;
    }

    /// <summary>One thread, no token, no progress: for internal calls that are short or already inside a
    /// worker.</summary>
    public static ExecutionScope Serial { get; } = new(1);

    /// <summary>The most threads this scope's loops use at once (≥ 1).</summary>
    public int Workers { get; }

    /// <summary>The token that stops the operation.</summary>
    public CancellationToken Token { get; }

    /// <summary>Whether anyone listens to progress (skip computing fractions otherwise).</summary>
    public bool Reports => progress is not null;

    /// <summary>Options for the runtime's parallel loops with this scope's threads and token.</summary>
    public ParallelOptions ParallelOptions => new() { MaxDegreeOfParallelism = Workers, CancellationToken = Token };

    /// <summary>Validates a thread count as the public options take it: −1 (all processors) or positive.</summary>
    public static int Resolve(int maxDegreeOfParallelism, string argument = "MaxDegreeOfParallelism")
    {
        if (maxDegreeOfParallelism is 0 or < -1)
            throw new ArgumentOutOfRangeException(argument, maxDegreeOfParallelism,
                "Expected −1 (all processors) or a positive thread count.");
        return maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> once the token is cancelled.</summary>
    public void ThrowIfCancelled() => Token.ThrowIfCancellationRequested();

    /// <summary>Reports that <paramref name="fraction"/> of this scope's work is done (clamped to [0, 1], never
    /// backwards).</summary>
    public void Report(double fraction)
    {
        if (progress is null) return;
        double overall = start + length * Math.Clamp(double.IsNaN(fraction) ? 0 : fraction, 0, 1);
        // Raised and reported under one lock: two workers that raised in turn must also report in turn.
        lock (high)
            if (high.Raise(overall)) progress.Report(overall);
    }

    /// <summary>The stage that covers [<paramref name="from"/>, <paramref name="to"/>] of this scope's
    /// progress.</summary>
    public ExecutionScope Part(double from, double to) =>
        new(Workers, progress, start + length * from, length * (to - from), high, Token);

    /// <summary>The same threads and token without progress: for stages that run side by side, whose own fractions
    /// would interleave (the caller reports as each completes).</summary>
    public ExecutionScope Silent() => new(Workers, null, start, length, high, Token);

    /// <summary>The same scope with at most <paramref name="workers"/> threads (for work too small to share).</summary>
    public ExecutionScope WithAtMost(int workers) =>
        new(Math.Clamp(workers, 1, Workers), progress, start, length, high, Token);

    /// <summary>
    /// body(i) for i in [from, to) on at most <see cref="Workers"/> threads, checking the token between iterations;
    /// with <paramref name="reportEvery"/> &gt; 0, progress is reported as iterations complete. An iteration's
    /// exception ends the loop and is rethrown as it is (the first one, when several iterations fail at once).
    /// </summary>
    public void For(int from, int to, Action<int> body, int reportEvery = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        int total = to - from;
        if (total <= 0) return;
        int done = 0;
        void Run(int i)
        {
            body(i);
            if (reportEvery > 0)
            {
                int now = Interlocked.Increment(ref done);
                if (now % reportEvery == 0 || now == total) Report((double)now / total);
            }
        }
        if (Workers == 1)
        {
            for (int i = from; i < to; i++)
            {
                ThrowIfCancelled();
                Run(i);
            }
            return;
        }
        try
        {
            Parallel.For(from, to, ParallelOptions, Run);
        }
        catch (AggregateException e)
        {
            // The iteration's own exception (a cancel, bad data, a factorization that did not converge), as one
            // worker would have thrown it, rather than the runtime's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }

    /// <summary>body(w) for each worker w in [0, min(<paramref name="workers"/>, <see cref="Workers"/>)), each on its
    /// own thread.</summary>
    public void ForEachWorker(int workers, Action<int> body) => For(0, Math.Clamp(workers, 1, Workers), body);

    /// <summary>Runs the actions on at most <see cref="Workers"/> threads (in order on the calling thread when
    /// one).</summary>
    public void Invoke(params Action[] actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        For(0, actions.Length, i => actions[i]());
    }

    /// <summary>The highest fraction reported so far, shared by a scope and its parts (used under its own
    /// lock).</summary>
    private sealed class ProgressHigh
    {
        private double value = -1;

        public bool Raise(double next)
        {
            if (next <= value) return false;
            value = next;
            return true;
        }
    }
}
