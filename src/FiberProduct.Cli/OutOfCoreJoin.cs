using System.Globalization;
using FiberProduct.Fiber;
using FiberProduct.OutOfCore;

namespace FiberProduct.Cli;

/// <summary>
/// <c>join … --shards DIR</c>: the out-of-core join of two .npy files (or one paired file) that stay on disk,
/// memory-mapped, written block pair by block pair as CSR shards with a manifest; run again on the same folder, it
/// resumes.
/// </summary>
internal static class OutOfCoreJoin
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Run(CommandLine line, Context context, string shards, double epsilon)
    {
        int? blockRows = line.Int("block-rows", 1);
        long? limit = Bytes(line.Optional("memory-limit"));
        var metric = Inputs.Metric(line);
        int threads = line.Int("threads", 1) ?? -1;
        var (images, texts) = Open(line);
        using (images)
        using (texts)
        {
            line.Finish(2);
            var options = new OutOfCoreOptions
            {
                MaxDegreeOfParallelism = threads,
                ImageBlockRows = blockRows,
                TextBlockRows = blockRows,
            };
            if (limit is long bytes) options = options with { MemoryLimitBytes = bytes };
            ShardManifest manifest;
            try
            {
                var product = new OutOfCoreFiberProduct(images, texts, metric, options);
                manifest = context.Progress.Run("join", p => product.Pairs(epsilon, shards,
                    p is null ? null : new Progress(p), context.Token));
            }
            catch (InvalidOperationException e) when (e is not ResultBudgetExceededException)
            {
                throw new UsageException(e.Message);
            }
            catch (ArgumentOutOfRangeException e) when (e.ParamName is "limit" or "imageRows" or "textRows")
            {
                throw new UsageException(e.Message);
            }
            context.Out.WriteLine(string.Create(Invariant,
                $"{manifest.PairCount} pairs in {manifest.Shards.Count} blocks → "
                + $"{Path.Combine(shards, ShardManifest.FileName)}"));
        }
    }

    private static (MappedEmbeddingSet Images, MappedEmbeddingSet Texts) Open(CommandLine line)
    {
        if (line.Optional("paired") is { } paired)
        {
            if (line.Positionals.Count > 0)
                throw new UsageException(
                    $"Give either --paired FILE or two files, not both (got '{line.Positionals[0]}').");
            return MappedEmbeddingSet.OpenPaired(Npy(paired));
        }
        if (line.Positionals.Count < 2)
            throw new UsageException("join needs two embedding files (images, then texts) or --paired FILE.");
        var images = MappedEmbeddingSet.Open(Npy(line.Positionals[0]));
        try
        {
            return (images, MappedEmbeddingSet.Open(Npy(line.Positionals[1])));
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }

    private static string Npy(string path) =>
        Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase) ? path
            : throw new UsageException($"'{path}': --shards reads .npy files, memory-mapped; write the embeddings "
                + "with numpy.save (float32 or float64, C order) first.");

    /// <summary>"64M", "2G", "1500000" → bytes (K, M, G are powers of 1024).</summary>
    private static long? Bytes(string? text)
    {
        if (text is null) return null;
        long unit = text.Length == 0 ? 1 : char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            _ => 1,
        };
        string digits = unit == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, Invariant, out long value) && value > 0
            && value <= long.MaxValue / unit ? value * unit
            : throw new UsageException(
                $"--memory-limit expects a positive number of bytes, with K, M or G; got '{text}'.");
    }

    private sealed class Progress(IProgress<double> bar) : IProgress<OutOfCoreProgress>
    {
        public void Report(OutOfCoreProgress value) => bar.Report(value.Fraction);
    }
}
