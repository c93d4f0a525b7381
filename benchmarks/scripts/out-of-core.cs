#:project ../../src/FiberProduct/FiberProduct.csproj
#:property PublishAot=false
// The out-of-core join against the in-memory join on the same data (docs/scaling.md, "Out of core"). Usage:
//   dotnet run -c Release benchmarks/scripts/out-of-core.cs make DIR [rows=40000] [d=512]
//       writes DIR/images.npy, DIR/texts.npy
//   dotnet run -c Release benchmarks/scripts/out-of-core.cs memory DIR [epsilon=1.2]   the in-memory join, timed
//   dotnet run -c Release benchmarks/scripts/out-of-core.cs blocks DIR [epsilon=1.2] [memory=268435456]
//       the out-of-core join into DIR/shards (a fresh folder), timed; then the same join cancelled halfway and
//       resumed, timed; the fingerprints alone, timed; and the union of the shards checked against the in-memory pairs
// Rows are float32, uniform in ±√(3/d) (norm about 1, pairs at about 1.4, as CLIP's), and text i is image i moved by
// about 0.5, so F_1.2 holds the planted diagonal and few others. Without -c Release, `dotnet run` builds the library in
// Debug: unoptimised kernels, and times that mean nothing.
using System.Diagnostics;
using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.OutOfCore;

var invariant = CultureInfo.InvariantCulture;
string mode = args[0], dir = args[1];
string images = Path.Combine(dir, "images.npy"), texts = Path.Combine(dir, "texts.npy");
double epsilon = args.Length > 2 && mode != "make" ? double.Parse(args[2], invariant) : 1.2;
var clock = Stopwatch.StartNew();
switch (mode)
{
    case "make":
    {
        int n = args.Length > 2 ? int.Parse(args[2], invariant) : 40_000;
        int d = args.Length > 3 ? int.Parse(args[3], invariant) : 512;
        Directory.CreateDirectory(dir);
        var random = new Random(18);
        float scale = (float)Math.Sqrt(3.0 / d);
        var x = new float[(long)n * d];
        for (long k = 0; k < x.LongLength; k++) x[k] = (float)(random.NextDouble() * 2 - 1) * scale;
        Npy.Write(images, new NpyArray(x, n, d));
        for (long k = 0; k < x.LongLength; k++) x[k] += (float)(random.NextDouble() * 2 - 1) * scale * 0.35f;
        Npy.Write(texts, new NpyArray(x, n, d));
        Console.WriteLine($"wrote {n} x {d} float32 twice, {2 * new FileInfo(images).Length / 1e6:F0} MB, "
            + $"in {clock.Elapsed.TotalSeconds:F1} s");
        break;
    }
    case "memory":
    {
        var product = new ApproximateFiberProduct(EmbeddingSet.Load(images), EmbeddingSet.Load(texts),
            FiberMetric.Euclidean,
            new FiberProductOptions { Pruning = PruningMode.Never });
        double load = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var pairs = product.Pairs(epsilon);
        Console.WriteLine($"in memory: load {load:F1} s, "
            + $"join {clock.Elapsed.TotalSeconds:F1} s, {pairs.PairCount} pairs; "
            + $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
        break;
    }
    case "blocks":
    {
        long memory = args.Length > 3 ? long.Parse(args[3], invariant) : 256L << 20;
        using var x = MappedEmbeddingSet.Open(images);
        using var y = MappedEmbeddingSet.Open(texts);
        var options = new OutOfCoreOptions { MemoryLimitBytes = memory };
        string shards = Path.Combine(dir, "shards"), resumed = Path.Combine(dir, "resumed");
        foreach (var folder in new[] { shards, resumed }) if (Directory.Exists(folder)) Directory.Delete(folder, true);
        clock.Restart();
        var manifest = new OutOfCoreFiberProduct(x, y, FiberMetric.Euclidean, options).Pairs(epsilon, shards);
        double whole = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"out of core: {whole:F1} s, {manifest.Shards.Count} blocks of {manifest.ImageBlockRows} x "
            + $"{manifest.TextBlockRows} rows, {manifest.PairCount} pairs; peak working set "
            + $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB, GC heap peak (gen sizes after last GC) "
            + $"{GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:F0} MB");

        clock.Restart();
        _ = x.Fingerprint();
        _ = y.Fingerprint();
        Console.WriteLine($"fingerprints of both inputs: {clock.Elapsed.TotalSeconds:F2} s");

        using var cancel = new CancellationTokenSource();
        var half = new Progress(p => { if (p.Fraction >= 0.5) cancel.Cancel(); });
        var product = new OutOfCoreFiberProduct(x, y, FiberMetric.Euclidean, options);
        clock.Restart();
        try { product.Pairs(epsilon, resumed, half, cancel.Token); } catch (OperationCanceledException) { }
        double first = clock.Elapsed.TotalSeconds;
        int done = ShardManifest.Read(resumed).Shards.Count;
        clock.Restart();
        var again = product.Pairs(epsilon, resumed);
        Console.WriteLine($"cancelled after {done} blocks ({first:F1} s), "
            + $"resumed in {clock.Elapsed.TotalSeconds:F1} s: "
            + $"{first + clock.Elapsed.TotalSeconds:F1} s in all against {whole:F1} s without the interruption");

        clock.Restart();
        var union = manifest.ReadPairs();
        var expected = new ApproximateFiberProduct(EmbeddingSet.Load(images), EmbeddingSet.Load(texts)).Pairs(epsilon);
        bool same = expected.RowOffsets.SequenceEqual(union.RowOffsets) && expected.Columns.SequenceEqual(union.Columns)
            && expected.Distances.SequenceEqual(union.Distances) && again.PairCount == expected.PairCount;
        Console.WriteLine($"union of the shards equals the in-memory pairs: {same} ({expected.PairCount} pairs)");
        break;
    }
    default:
        throw new ArgumentException($"unknown mode '{mode}': make, memory or blocks");
}

/// <summary>Reports on the calling thread.</summary>
sealed class Progress(Action<OutOfCoreProgress> action) : IProgress<OutOfCoreProgress>
{
    public void Report(OutOfCoreProgress value) => action(value);
}
