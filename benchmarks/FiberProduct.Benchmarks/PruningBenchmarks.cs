using BenchmarkDotNet.Attributes;
using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Benchmarks;

/// <summary>
/// Exact pruning against the plain join on planted data (as benchmarks/scripts/make_planted.py: a shared 32-dimensional
/// part, 64 modality-specific dimensions per side, a modality gap, noise, rows on the unit sphere) and on isotropic
/// data (uniform on the sphere), at the ε holding 10^-4 of all pairs. The one-time preparation is done in the setup.
/// </summary>
[MemoryDiagnoser]
public class PruningBenchmarks
{
    private ApproximateFiberProduct product = null!;
    private double epsilon;

    [Params(8000)]
    public int Size { get; set; }

    [Params(true, false)]
    public bool Planted { get; set; }

    [Params(PruningMode.Never, PruningMode.Always)]
    public PruningMode Pruning { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const int d = 512;
        var random = new Random(5);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()))
            * Math.Cos(2 * Math.PI * random.NextDouble());
        var axes = Enumerable.Range(0, 32 + 64 + 64 + 2)
            .Select(_ => Enumerable.Range(0, d).Select(_ => Gaussian() / Math.Sqrt(d)).ToArray()).ToArray();
        var shared = Enumerable.Range(0, Size).Select(_ => Enumerable.Range(0, 32)
            .Select(_ => Gaussian()).ToArray()).ToArray();
        EmbeddingSet Make(int specificStart, int gapAxis)
        {
            var values = new float[Size * d];
            for (int i = 0; i < Size; i++)
            {
                var row = new double[d];
                if (Planted)
                {
                    for (int a = 0; a < 32; a++) for (int c = 0; c < d; c++) row[c] += shared[i][a] * axes[a][c];
                    for (int a = 0; a < 64; a++)
                    {
                        double u = 0.6 * Gaussian();
                        for (int c = 0; c < d; c++) row[c] += u * axes[specificStart + a][c];
                    }
                    for (int c = 0; c < d; c++) row[c] += 1.5 * axes[gapAxis][c] + 0.02 * Gaussian();
                }
                else for (int c = 0; c < d; c++) row[c] = Gaussian();
                double norm = Math.Sqrt(row.Sum(v => v * v));
                for (int c = 0; c < d; c++) values[i * d + c] = (float)(row[c] / norm);
            }
            return new EmbeddingSet(values, Size, d);
        }
        var images = Make(32, 160);
        var texts = Make(96, 161);
        product = new ApproximateFiberProduct(images, texts, options: new FiberProductOptions { Pruning = Pruning });
        var sample = new List<double>();
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < Size; j++) sample.Add(Distance(images.Row(i), texts.Row(j)));
        sample.Sort();
        epsilon = sample[(int)(1e-4 * (sample.Count - 1))];
        product.Count(epsilon); // the preparation and the plan for this ε, outside the measurement
    }

    private static double Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int k = 0; k < x.Length; k++) { double e = (double)x[k] - y[k]; s += e * e; }
        return Math.Sqrt(s);
    }

    [Benchmark]
    public long Count() => product.Count(epsilon);

    [Benchmark]
    public long Pairs() => product.Pairs(epsilon).PairCount;
}
