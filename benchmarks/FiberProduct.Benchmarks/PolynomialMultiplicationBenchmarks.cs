using BenchmarkDotNet.Attributes;
using FiberProduct.Algebra;

namespace FiberProduct.Benchmarks;

/// <summary>Z_n[x] multiplication through the public dispatcher, lengths 16 … 2^20, n = 256 and n = 100277.</summary>
[MemoryDiagnoser]
public class PolynomialMultiplicationBenchmarks
{
    private ZnPolynomial a = null!, b = null!;

    [Params(256u, 100277u)]
    public uint Modulus { get; set; }

    [Params(16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var ring = new PolynomialRing(Modulus);
        var random = new Random(7);
        a = ring.Create(Enumerable.Range(0, Length).Select(_ => (uint)random.NextInt64(Modulus)).ToArray());
        b = ring.Create(Enumerable.Range(0, Length).Select(_ => (uint)random.NextInt64(Modulus)).ToArray());
    }

    [Benchmark]
    public ZnPolynomial Multiply() => a * b;
}
