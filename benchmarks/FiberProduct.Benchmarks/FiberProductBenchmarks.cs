using BenchmarkDotNet.Attributes;
using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Benchmarks;

/// <summary>
/// The ε-join over sizes N = M, dimensions d and selectivities (the fraction of all pairs within ε: none, 10^-4,
/// 10^-2), on random unit vectors with a shared component so that distances spread as CLIP's do.
/// </summary>
[MemoryDiagnoser]
public class FiberProductBenchmarks
{
    private ApproximateFiberProduct product = null!;
    private double epsilon;
    private double[] profileEpsilons = [];

    [Params(2000, 8000)]
    public int Size { get; set; }

    [Params(64, 512)]
    public int Dimension { get; set; }

    [Params(0.0, 1e-4, 1e-2)]
    public double Selectivity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        EmbeddingSet Make()
        {
            var values = new float[Size * Dimension];
            for (int i = 0; i < Size; i++)
            {
                double norm = 0;
                var row = new double[Dimension];
                for (int k = 0; k < Dimension; k++)
                {
                    row[k] = (k == 0 ? 1.0 : 0) + 0.08 * (random.NextDouble() * 2 - 1);
                    norm += row[k] * row[k];
                }
                for (int k = 0; k < Dimension; k++) values[i * Dimension + k] = (float)(row[k] / Math.Sqrt(norm));
            }
            return new EmbeddingSet(values, Size, Dimension);
        }
        product = new ApproximateFiberProduct(Make(), Make());
        // ε at the requested quantile of the distance distribution (estimated on a sample of rows).
        var sample = new List<double>();
        for (int i = 0; i < 50; i++)
            for (int j = 0; j < Size; j++)
                sample.Add(Distance(product.Images.Row(i), product.Texts.Row(j)));
        sample.Sort();
        epsilon = Selectivity == 0 ? sample[0] * 0.5 : sample[(int)(Selectivity * (sample.Count - 1))];
        profileEpsilons = Enumerable.Range(1, 64).Select(t => epsilon * t / 64).ToArray();
        product.Count(epsilon); // prepare the packed texts outside the measurement
    }

    private static double Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int k = 0; k < x.Length; k++) { double d = (double)x[k] - y[k]; s += d * d; }
        return Math.Sqrt(s);
    }

    [Benchmark(Baseline = true)]
    public long Count() => product.Count(epsilon);

    [Benchmark]
    public long Pairs() => product.Pairs(epsilon).PairCount;

    [Benchmark]
    public long Profile64() => product.Profile(profileEpsilons).Counts[^1];
}
