using BenchmarkDotNet.Attributes;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;

namespace FiberProduct.Benchmarks;

/// <summary>The AJIVE-style and CCA estimators on planted data (Z_s, Z_I, Z_T of dimension 8 each, noise
/// 0.02).</summary>
public class DecompositionBenchmarks
{
    private EmbeddingSet images = null!, texts = null!;

    [Params(1000, 4000)]
    public int Pairs { get; set; }

    [Params(128, 512)]
    public int Dimension { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        int d = Dimension;
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()))
            * Math.Cos(2 * Math.PI * random.NextDouble());
        // Planted directions: Z_s the first 8 coordinate axes, Z_I the next 8, Z_T the 8 after (any orthonormal
        // basis would do).
        var shared = new double[Pairs * 8];
        for (int i = 0; i < shared.Length; i++) shared[i] = Gaussian();
        float[] Make(int offset)
        {
            var values = new float[Pairs * d];
            for (int i = 0; i < Pairs; i++)
            {
                for (int k = 0; k < 8; k++) values[i * d + k] = (float)shared[i * 8 + k];
                for (int k = 0; k < 8; k++) values[i * d + offset + k] = (float)(0.6 * Gaussian());
                for (int k = 0; k < d; k++) values[i * d + k] += (float)(0.02 * Gaussian());
            }
            return values;
        }
        images = new EmbeddingSet(Make(8), Pairs, d);
        texts = new EmbeddingSet(Make(16), Pairs, d);
    }

    [Benchmark(Baseline = true)]
    public int Ajive() => SubspaceDecomposition.Estimate(images, texts).Shared.Rank;

    [Benchmark]
    public int Cca() => SubspaceDecomposition.EstimateByCca(images, texts, 1e-3).Shared.Rank;
}
