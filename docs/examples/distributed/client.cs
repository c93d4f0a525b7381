// A client of two FiberProduct silos on localhost (docs/distributed.md):
//   dotnet run docs/examples/distributed/client.cs [-- --kill <pid of silo 1>]
// Writes two sets of random embeddings to .npy files (the storage both silos read), runs count, pairs, the ε-profile
// and top-k within ε on the cluster and on this machine alone, and checks that they are identical. With --kill, silo
// 1's process is killed a quarter into the pairs join: its pieces are redone on silo 0 and the answer is the same.
#:project ../../../src/FiberProduct.Orleans/FiberProduct.Orleans.csproj
// Orleans builds its serializers at run time, which a native-AOT build (the default of file-based apps) forbids.
#:property PublishAot=false
#:package Microsoft.Orleans.Client

using System.Diagnostics;
using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int? kill = args.Length == 2 && args[0] == "--kill" ? int.Parse(args[1], CultureInfo.InvariantCulture) : null;

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Error);
builder.UseOrleansClient(client =>
    client.UseLocalhostClustering(gatewayPorts: [30000, 30001], serviceId: "fiberproduct", clusterId: "local"));
using var host = builder.Build();
await host.StartAsync();

// The shared storage: here the local disk, which both silos on this machine read.
string directory = Directory.CreateTempSubdirectory("fiberproduct-distributed-").FullName;
var random = new Random(2412);
var (images, texts) = (Unit(2000, 64), Unit(3000, 64));
Npy.Write(Path.Combine(directory, "images.npy"), images.ToArray());
Npy.Write(Path.Combine(directory, "texts.npy"), texts.ToArray());

var local = new ApproximateFiberProduct(images, texts);
// 8 image blocks × 4 text shards; a piece takes milliseconds here, so a 20 s lease is generous.
var options = new DistributedJoinOptions
{
    ImageBlockRows = 250, TextShardRows = 750, Lease = TimeSpan.FromSeconds(20),
};
var fiber = new DistributedFiberProduct(host.Services.GetRequiredService<IClusterClient>(),
    EmbeddingRange.WholeFile(Path.Combine(directory, "images.npy")),
    EmbeddingRange.WholeFile(Path.Combine(directory, "texts.npy")), options: options);
const double epsilon = 1.1;
double[] epsilons = [1.0, 1.1, 1.2];

bool same = true;
long count = await fiber.CountAsync(epsilon);
Check("count", count == local.Count(epsilon), $"|F_ε| = {count}");

var killer = new KillAtQuarter(kill);
var pairs = await fiber.PairsAsync(epsilon, killer);
Check("pairs", Same(local.Pairs(epsilon), pairs), $"{pairs.PairCount} pairs");
Console.WriteLine($"pairs join: {fiber.LastReport}");

var profile = await fiber.ProfileAsync(epsilons);
Check("profile", profile.Counts.SequenceEqual(local.Profile(epsilons).Counts),
    string.Join(", ", epsilons.Select((e, k) => $"|F_{e}| = {profile.Counts[k]}")));
var nearest = await fiber.NearestWithinAsync(epsilon, 3);
Check("top-3 within ε", Same(local.NearestWithin(epsilon, 3), nearest), $"{nearest.PairCount} pairs");
Console.WriteLine($"last join: {fiber.LastReport}");
Console.WriteLine($"distributed = local: {(same ? "yes" : "NO")}");
Directory.Delete(directory, recursive: true);
await host.StopAsync();
return same ? 0 : 1;

void Check(string what, bool ok, string detail)
{
    Console.WriteLine($"{what}: {detail} — {(ok ? "identical to the local join" : "DIFFERENT from the local join")}");
    same &= ok;
}

static bool Same(PairSet a, PairSet b) => a.RowOffsets.SequenceEqual(b.RowOffsets) && a.Columns.SequenceEqual(b.Columns)
    && a.Distances.SequenceEqual(b.Distances);

EmbeddingSet Unit(int count, int d)
{
    var values = new float[count * d];
    for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5);
    return new EmbeddingSet(values, count, d).Normalize().ToSingle();
}

/// <summary>Kills the given process once a quarter of the pieces are in (once).</summary>
sealed class KillAtQuarter(int? pid) : IProgress<double>
{
    private int done;

    public void Report(double value)
    {
        if (pid is int id && value >= 0.25 && Interlocked.Exchange(ref done, 1) == 0)
        {
            using var process = Process.GetProcessById(id);
            process.Kill();
            Console.WriteLine($"killed process {id} at {value:P0} of the pairs join");
        }
    }
}
