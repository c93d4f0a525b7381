using System.Diagnostics;
using System.Globalization;

namespace FiberProduct.Benchmarks;

/// <summary>The command mode: <c>NAME --option value …</c>, each printing one line per measurement.</summary>
internal static class CommandMode
{
    public static readonly Dictionary<string, Func<string[], int>> Commands = new(StringComparer.Ordinal)
    {
        ["polymul"] = PolymulCommand.Run,
        ["join"] = JoinCommand.Run,
        ["decompose"] = DecomposeCommand.Run,
        ["dimension"] = DimensionCommand.Run,
        ["kernel-rate"] = KernelRateCommand.Run,
    };

    /// <summary>Options as --name value pairs; a bare --flag maps to "true".</summary>
    public static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Expected an option --name, got '{args[i]}'.", nameof(args));
            bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            options[args[i][2..]] = hasValue ? args[++i] : "true";
        }
        return options;
    }

    public static string Format(double value) => value.ToString("0.000e+00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Median seconds per call of <paramref name="action"/>: after a warm-up, batches long enough to time
    /// reliably (≥ <paramref name="batchSeconds"/>), the median over <paramref name="batches"/> batches.
    /// </summary>
    public static double MedianSeconds(Action action, int batches = 7, double batchSeconds = 0.05)
    {
        // Warm-up: JIT tiers (tier 1 with dynamic PGO replaces tier 0 after repeated calls), twiddle tables,
        // pooled buffers.
        var warmUp = Stopwatch.StartNew();
        do action(); while (warmUp.Elapsed.TotalSeconds < 0.5);
        int reps = 1;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) action();
            if (sw.Elapsed.TotalSeconds >= batchSeconds || reps >= 1 << 20) break;
            reps *= 2;
        }
        var samples = new double[batches];
        for (int b = 0; b < batches; b++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) action();
            samples[b] = sw.Elapsed.TotalSeconds / reps;
        }
        Array.Sort(samples);
        return samples[batches / 2];
    }
}
