#:project ../../src/FiberProduct/FiberProduct.csproj
#:property PublishAot=false
// One process: the latency of ApproximateFiberProduct.Query (new vectors against prepared texts) beside a new
// instance's Pairs for the same vectors, which prepares the texts again. Usage:
//   dotnet run -c Release benchmarks/scripts/query-latency.cs [texts=20000] [d=512]
using System.Diagnostics;
using FiberProduct.Embedding;
using FiberProduct.Fiber;

int m = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture)
    : 20_000, d = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 512;
var random = new Random(1);
EmbeddingSet Uniform(int n)
{
    // Coordinates uniform in ±√(3/d): rows of norm about 1, pairs at distance about 1.4, as CLIP's.
    var values = new float[n * d];
    for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * Math.Sqrt(3.0 / d));
    return new EmbeddingSet(values, n, d);
}
var texts = Uniform(m);
var product = new ApproximateFiberProduct(Uniform(1000), texts);
var clock = Stopwatch.StartNew();
product.Query(Uniform(1), 1.2);
Console.WriteLine(
    $"texts {m} x {d}: first Query on a fresh process (prepares the texts, JIT): "
    + $"{clock.Elapsed.TotalMilliseconds:F1} ms");
foreach (int batch in new[] { 1, 10, 100 })
{
    var queries = Uniform(batch);
    for (int r = 0; r < 30; r++) product.Query(queries, 1.2); // steady state: past tiered compilation
    var times = new double[101];
    for (int r = 0; r < times.Length; r++)
    {
        clock.Restart();
        product.Query(queries, 1.2);
        times[r] = clock.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    var fresh = new double[11];
    for (int r = 0; r < fresh.Length; r++)
    {
        clock.Restart();
        new ApproximateFiberProduct(queries, texts).Pairs(1.2);
        fresh[r] = clock.Elapsed.TotalMilliseconds;
    }
    Array.Sort(fresh);
    Console.WriteLine(
        $"{batch,4} queries: Query median {times[50]:F2} ms; a new instance's Pairs median {fresh[5]:F2} ms");
}
