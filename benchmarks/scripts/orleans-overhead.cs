#:project ../../src/FiberProduct.Orleans/FiberProduct.Orleans.csproj
#:package Microsoft.Orleans.Server
#:package Microsoft.Orleans.Client
#:property PublishAot=false
// One silo against the local join (docs/scaling.md, "Distributed (Orleans)"). In one process: a silo and an external
// client on localhost, talking through Orleans' TCP messaging; the same files joined by ApproximateFiberProduct after
// loading them. Alternates the two, `reps` times each, and prints the median wall times and their ratio, the median
// CPU time of the process (silo, client and local join alike; less sensitive than wall time to other processes on a
// shared machine) and its ratio, and the bytes Orleans' messaging sent (requests, responses, membership) per computed
// pair. Before the timed rounds each side runs `warmup` times: Orleans' own code (messaging, membership, timers) is
// recompiled by the tiered JIT over the first distributed joins, which costs up to a second of CPU per join while it
// lasts. The CPU of the JIT's background thread (".NET Tiered Com", read from /proc on Linux) is printed apart, so that
// a run shows whether it was still warming up (a lower bound: the runtime ends that thread when idle). Usage:
//   dotnet run -c Release benchmarks/scripts/orleans-overhead.cs [n=10000] [m=10000] [d=128] [epsilon=1.1] [reps=5]
//       [blocks=8] [warmup=8] [DIR]
// With DIR, the rows are DIR/images.npy and DIR/texts.npy (e.g. from make_planted.py) instead of uniform ones, and n, m
// and d are taken from the files.
// Without -c Release, `dotnet run` builds the library in Debug: unoptimised kernels, and ratios that mean nothing.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
int n = Arg(0, 10_000), m = Arg(1, 10_000), d = Arg(2, 128), reps = Arg(4, 5), blocks = Arg(5, 8), warmup = Arg(6, 8);
double epsilon = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 1.1;

// Coordinates uniform in ±√(3/d): rows of norm about 1, pairs at distance about 1.4, as CLIP's.
var random = new Random(1);
EmbeddingSet Uniform(int count)
{
    var values = new float[count * d];
    for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * Math.Sqrt(3.0 / d));
    return new EmbeddingSet(values, count, d);
}
string directory = args.Length > 7 ? args[7] : Directory.CreateTempSubdirectory("fiberproduct-overhead-").FullName;
string imagesPath = Path.Combine(directory, "images.npy"), textsPath = Path.Combine(directory, "texts.npy");
if (args.Length > 7)
{
    var (images, texts) = (EmbeddingSet.Load(imagesPath), EmbeddingSet.Load(textsPath));
    (n, m, d) = (images.Count, texts.Count, images.Dimension);
}
else
{
    Npy.Write(imagesPath, Uniform(n).ToArray());
    Npy.Write(textsPath, Uniform(m).ToArray());
}

var siloBuilder = Host.CreateApplicationBuilder();
siloBuilder.Logging.SetMinimumLevel(LogLevel.Error);
siloBuilder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: 11211, gatewayPort: 30200,
    serviceId: "overhead", clusterId: "overhead"));
using var siloHost = siloBuilder.Build();
await siloHost.StartAsync();
var clientBuilder = Host.CreateApplicationBuilder();
clientBuilder.Logging.SetMinimumLevel(LogLevel.Error);
clientBuilder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort: 30200, serviceId: "overhead",
    clusterId: "overhead"));
using var clientHost = clientBuilder.Build();
await clientHost.StartAsync();

// Orleans' own count of the bytes it sent, headers and bodies, both ways (client and silo share this process).
long sentBytes = 0;
using var listener = new MeterListener();
listener.InstrumentPublished = (instrument, l) =>
{
    if (instrument.Name is "orleans-messaging-sent-messages-size") l.EnableMeasurementEvents(instrument);
};
listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref sentBytes, value));
listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref sentBytes, value));
listener.Start();

var options = new DistributedJoinOptions { ImageBlockRows = (n + blocks - 1) / blocks, TextShardRows = m };
var fiber = new DistributedFiberProduct(clientHost.Services.GetRequiredService<IClusterClient>(),
    EmbeddingRange.WholeFile(imagesPath), EmbeddingRange.WholeFile(textsPath), options: options);
Console.WriteLine($"{n} × {m} × {d}, ε = {epsilon}, {blocks} image blocks × 1 text shard, one silo, "
    + $"{Environment.ProcessorCount} processors");
foreach (var (name, localRun, distributedRun) in new (string, Func<long>, Func<long>)[]
{
    ("count", () => Local().Count(epsilon), () => fiber.CountAsync(epsilon).GetAwaiter().GetResult()),
    ("pairs", () => Local().Pairs(epsilon).PairCount,
        () => fiber.PairsAsync(epsilon).GetAwaiter().GetResult().PairCount),
})
{
    long expected = localRun(); // warm-up: JIT, page cache, the shard's activation
    for (int w = 0; w < warmup; w++)
    {
        if (distributedRun() != expected || w > 0 && localRun() != expected)
            throw new InvalidOperationException($"{name}: the local and distributed joins differ");
    }
    var (local, distributed, localCpu, distributedCpu, bytes) = (new List<double>(), new List<double>(),
        new List<double>(), new List<double>(), new List<double>());
    var (localJit, distributedJit) = (new List<double>(), new List<double>());
    using var self = Process.GetCurrentProcess();
    for (int r = 0; r < reps; r++)
    {
        self.Refresh();
        var cpu = self.TotalProcessorTime;
        var jit = JitThreads();
        var clock = Stopwatch.StartNew();
        localRun();
        local.Add(clock.Elapsed.TotalSeconds);
        self.Refresh();
        localCpu.Add((self.TotalProcessorTime - cpu).TotalSeconds);
        localJit.Add(JitSince(jit));
        jit = JitThreads();
        cpu = self.TotalProcessorTime;
        long before = Interlocked.Read(ref sentBytes);
        clock.Restart();
        distributedRun();
        distributed.Add(clock.Elapsed.TotalSeconds);
        self.Refresh();
        distributedCpu.Add((self.TotalProcessorTime - cpu).TotalSeconds);
        distributedJit.Add(JitSince(jit));
        bytes.Add(Interlocked.Read(ref sentBytes) - before);
    }
    double lm = Median(local), dm = Median(distributed), lc = Median(localCpu), dc = Median(distributedCpu);
    var ratios = local.Zip(distributed, (l, x) => (x / l).ToString("F2", CultureInfo.InvariantCulture)).ToArray();
    var cpuRatios = localCpu.Zip(distributedCpu, (l, x) => (x / l).ToString("F2", CultureInfo.InvariantCulture));
    double sent = Median(bytes);
    Console.WriteLine($"{name}: {expected} pairs; wall: local {lm:F3} s, one silo {dm:F3} s (medians of {reps}), "
        + $"ratio {dm / lm:F3} (per run, in order: {string.Join(" ", ratios)}); CPU: local {lc:F3} s, one silo "
        + $"{dc:F3} s, ratio {dc / lc:F3}; of it the JIT's thread: local {localJit.Sum() / reps:F3} s, one silo "
        + $"{distributedJit.Sum() / reps:F3} s a join (means); per run, in order: {string.Join(" ", cpuRatios)}; "
        + $"Orleans sent {sent:F0} bytes per join = {sent / ((double)n * m):E2} bytes "
        + $"per computed pair, {sent / Math.Max(1, expected):F1} per pair found; {fiber.LastReport}");
}
await clientHost.StopAsync();
await siloHost.StopAsync();
if (args.Length <= 7) Directory.Delete(directory, recursive: true); // only the folder this script made

ApproximateFiberProduct Local() => new(EmbeddingSet.Load(imagesPath), EmbeddingSet.Load(textsPath));

// The CPU seconds of the tiered JIT's background thread (Linux: /proc; elsewhere 0) by thread id: the runtime ends
// that thread when idle and starts another, so a difference is taken per thread.
static Dictionary<int, double> JitThreads()
{
    var seconds = new Dictionary<int, double>();
    const string tasks = "/proc/self/task";
    if (!Directory.Exists(tasks)) return seconds;
    foreach (var task in Directory.EnumerateDirectories(tasks))
    {
        string stat;
        try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
        catch (IOException) { continue; } // the thread ended
        int close = stat.LastIndexOf(')');
        if (!stat.AsSpan(0, close).EndsWith(".NET Tiered Com", StringComparison.Ordinal)) continue;
        var fields = stat[(close + 2)..].Split(' ');
        seconds[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
            (long.Parse(fields[11], CultureInfo.InvariantCulture)
                + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0; // USER_HZ
    }
    return seconds;
}

// The JIT thread's CPU since `before` (a thread that ended in between is not counted: a lower bound).
static double JitSince(Dictionary<int, double> before) =>
    JitThreads().Sum(t => t.Value - before.GetValueOrDefault(t.Key));

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    int half = sorted.Length / 2;
    return sorted.Length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}
