using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Benchmarks;

/// <summary>
/// <c>kernel-rate [--d 512] [--rounds 7]</c>: the raw rate of each tile kernel this machine has, in multiply-adds per
/// second on one thread, over the sweep's own working set (a chunk of 384 rows against a cache block of 16 panels,
/// both in cache): the float32 kernels (AVX-512 12 × 16, AVX2 6 × 16) and the int8 screen's (AVX-VNNI 6 × 16).
/// Rounds alternate the kernels; the medians are printed with their ratio to the float32 kernel the join runs.
/// </summary>
internal static unsafe class KernelRateCommand
{
    private const int Rows = 384, Panels = 16, Lanes = 16;

    public static int Run(string[] args)
    {
        var options = CommandMode.Parse(args);
        int d = int.Parse(options.GetValueOrDefault("d", "512"), CultureInfo.InvariantCulture);
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "7"), CultureInfo.InvariantCulture);
        var kernels = new List<(string Name, Func<int, double> Time)>();
        if (DotTile512.IsSupported) kernels.Add(("float32 AVX-512 12x16", r => Float32<DotTile512>(d, r)));
        if (DotTile256.IsSupported) kernels.Add(("float32 AVX2 6x16", r => Float32<DotTile256>(d, r)));
        if (Int8TileVnni.IsSupported) kernels.Add(("int8 AVX-VNNI 6x16", r => Int8<Int8TileVnni>(d, r)));
        var rates = kernels.Select(_ => new List<double>()).ToList();
        int repeats = Math.Max(1, (int)(4e9 / ((double)Rows * Panels * Lanes * d)));
        foreach (var (_, time) in kernels) time(1); // compiled
        for (int round = 0; round < rounds; round++)
            for (int k = 0; k < kernels.Count; k++)
                rates[k].Add((double)Rows * Panels * Lanes * d * repeats / kernels[k].Time(repeats));
        double reference = Median(rates[0]);
        for (int k = 0; k < kernels.Count; k++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kernels[k].Name}: {Median(rates[k]) / 1e9:F1} G multiply-adds/s (one thread, median of {rounds}), "
                + $"{Median(rates[k]) / reference:F2}x {kernels[0].Name}"));
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double Float32<TKernel>(int d, int repeats) where TKernel : IDotTileKernel
    {
        var x = Filled<float>(Rows * d);
        var y = Filled<float>(Panels * Lanes * d);
        var tile = new float[12 * Lanes];
        var clock = Stopwatch.StartNew();
        fixed (float* px = x) fixed (float* py = y) fixed (float* t = tile)
            for (int r = 0; r < repeats; r++)
                for (int i0 = 0; i0 < Rows; i0 += TKernel.Height)
                    for (int p = 0; p < Panels; p++) TKernel.Compute(px + i0 * d, d, d, py + p * Lanes * d, t);
        return clock.Elapsed.TotalSeconds;
    }

    private static double Int8<TInt8>(int d, int repeats) where TInt8 : IInt8TileKernel
    {
        int stride = (d + 3) & ~3;
        var x = Filled<sbyte>(Rows * stride);
        var y = Filled<byte>(Panels * Lanes * stride);
        var tile = new int[12 * Lanes];
        var clock = Stopwatch.StartNew();
        fixed (sbyte* px = x) fixed (byte* py = y) fixed (int* t = tile)
            for (int r = 0; r < repeats; r++)
                for (int i0 = 0; i0 < Rows; i0 += TInt8.Height)
                    for (int p = 0; p < Panels; p++)
                        TInt8.Compute(px + i0 * stride, stride, stride / 4, py + p * Lanes * stride, t);
        return clock.Elapsed.TotalSeconds;
    }

    private static T[] Filled<T>(int length) where T : unmanaged
    {
        var values = new T[length];
        new Random(1).NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        if (typeof(T) == typeof(float)) // small finite floats, not random bit patterns
            for (int i = 0; i < length; i++) Unsafe.As<T, float>(ref values[i]) = (i % 97) / 97f - 0.5f;
        return values;
    }
}
