using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The int8 screen (<see cref="Int8Screen{TInner, TInt8}"/>): its kernels against a scalar integer definition bit
/// for bit, its bound U against every float32 product every tile kernel returns, on adversarial data (rounding
/// errors aligned with the vectors, where Cauchy–Schwarz is nearly tight; texts that copy images; ties; magnitudes
/// from 2^-60 to 2^60; rows of subnormal numbers among normal ones; every dimension around the kernels' groups of 4,
/// 16 and 64 coordinates; every metric), and whole joins through the screen against brute force.
/// </summary>
public unsafe class Int8ScreenTests
{
    private const int Lanes = JoinOperands.PanelWidth;

    public sealed record Screened(EmbeddingSet Images, EmbeddingSet Texts, FiberMetric Metric, double[] Epsilons)
    {
        public override string ToString() =>
            $"{Images.Count}×{Texts.Count}×{Images.Dimension} {Metric}, ε ∈ [{string.Join(", ", Epsilons)}]";
    }

    public static Arbitrary<Screened> Cases() =>
        (from n in Gen.Choose(1, 30)
         from m in Gen.Choose(1, 40)
         from d in Gen.Elements(1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 63, 64, 65, 127, 129, 511, 513, 1030)
         from kind in Gen.Elements(Kind.Aligned, Kind.Grid, Kind.Gaussian, Kind.Spiky)
         from exponent in Gen.Elements(0, 0, -60, -20, 20, 60)
         from metric in Gen.Elements(FiberMetric.Euclidean, FiberMetric.Cosine, FiberMetric.Angular)
         from seed in Gen.Choose(0, int.MaxValue)
         select Make(n, m, d, kind, exponent, metric, new Random(seed))).ToArbitrary();

    public enum Kind { Aligned, Grid, Gaussian, Spiky }

    private static Screened Make(int n, int m, int d, Kind kind, int exponent, FiberMetric metric, Random random)
    {
        float scale = MathF.ScaleB(1, exponent);
        float[] Row()
        {
            var row = new float[d];
            float s = (float)(random.NextDouble() + 0.5) / 127;
            for (int k = 0; k < d; k++)
                row[k] = kind switch
                {
                    // Every coordinate just under half a step from its grid point, on the side of its sign: the
                    // rounding error points along the vector, and Cauchy–Schwarz is nearly an equality.
                    Kind.Aligned => s * (random.Next(60, 126) + 0.4999f) * (k % 3 == 2 ? -1 : 1),
                    Kind.Grid => (random.Next(7) - 3) / 7f,
                    Kind.Gaussian => (float)Sets.Gaussian(random),
                    _ => random.Next(20) == 0 ? 1000f : 1e-3f * (float)Sets.Gaussian(random),
                };
            if (kind == Kind.Aligned) row[0] = 127 * s; // the row's largest: its scale is s
            row[random.Next(d)] += 1e-3f; // never the zero vector
            // Mixed magnitudes: every fourth row near 2^-130 (subnormal float32, a scale below 2^-126).
            float rowScale = kind == Kind.Aligned && random.Next(4) == 0 ? MathF.ScaleB(1, -130) : scale;
            for (int k = 0; k < d; k++) row[k] *= rowScale;
            return row;
        }
        var x = Enumerable.Range(0, n).SelectMany(_ => Row()).ToArray();
        var y = new float[m * d];
        for (int j = 0; j < m; j++)
        {
            var row = Row();
            // Copies of images (distance 0, aligned errors on both sides), scaled copies (cosine 1), new rows.
            if (j % 3 == 0) row = x.AsSpan(j % n * d, d).ToArray();
            if (j % 3 == 1) row = x.AsSpan(j % n * d, d).ToArray().Select(v => v * 0.75f).ToArray();
            row.CopyTo(y, j * d);
        }
        var images = new EmbeddingSet(x, n, d);
        var texts = new EmbeddingSet(y, m, d);
        var distances = BruteForce.AllDistances(images, texts, metric).Where(double.IsFinite).Order().ToArray();
        var epsilons = new List<double> { 0 };
        foreach (double q in new[] { 0.0, 0.05, 0.3, 0.7 })
        {
            double tie = distances[(int)(q * (distances.Length - 1))];
            epsilons.AddRange([tie, Math.BitDecrement(tie), Math.BitIncrement(tie)]);
        }
        return new Screened(images, texts, metric, [.. epsilons.Where(e => e >= 0).Distinct()]);
    }

    /// <summary>
    /// Every float32 product f that each tile kernel returns is at most the screen's U, and every pair the sweep would
    /// offer at each ε (f ≥ candidate + B in float32) survives the screen.
    /// </summary>
    [Property(Arbitrary = [typeof(Int8ScreenTests)], MaxTest = 150)]
    public bool TheBound_HoldsOnEveryReturnedFloat32Product(Screened c)
    {
        var op = new JoinOperands(c.Images, c.Texts, c.Metric);
        var (rows, texts) = op.Quantized(new ExecutionScope(2));
        var products = Int8Products<Int8TileScalar>(op, rows, texts);
        if (Int8TileVnni.IsSupported && !Int8Products<Int8TileVnni>(op, rows, texts).SequenceEqual(products))
            return false;
        var float32 = new List<float[]> { Float32Products<DotTileScalar>(op) };
        if (DotTile256.IsSupported) float32.Add(Float32Products<DotTile256>(op));
        if (DotTile512.IsSupported) float32.Add(Float32Products<DotTile512>(op));
        int width = op.Panels * Lanes;
        var exact = new ExactCheck(op);
        var (candidate, sure) = (new float[op.Rows], new float[op.Rows]);
        fixed (int* q = products)
        {
            for (int i = 0; i < op.Rows; i++)
                for (int p = 0; p < op.Panels; p++)
                    for (int h = 0; h < Lanes; h += 8)
                    {
                        var upper = Int8Bound.Upper(rows, texts, q + i * width + p * Lanes + h, i, p * Lanes + h);
                        for (int l = 0; l < 8 && p * Lanes + h + l < op.Columns; l++)
                            if (float32.Any(f => !(f[i * width + p * Lanes + h + l] <= upper[l]))) return false;
                    }
            foreach (double epsilon in c.Epsilons)
            {
                op.Thresholds(_ => epsilon, candidate, sure, exact);
                for (int i = 0; i < op.Rows; i++)
                    for (int p = 0; p < op.Panels; p++)
                    {
                        uint survivors = Int8Bound.Survivors(rows, texts, candidate, op.HalfSquaredNormsY,
                            q + i * width + p * Lanes, i, p * Lanes);
                        for (int l = 0; l < Lanes && p * Lanes + l < op.Columns; l++)
                        {
                            float threshold = candidate[i] + op.HalfSquaredNormsY[p * Lanes + l];
                            bool offered = float32.Any(f => f[i * width + p * Lanes + l] >= threshold);
                            if (offered && (survivors >> l & 1) == 0) return false;
                        }
                    }
            }
        }
        return true;
    }

    /// <summary>The whole join through the screen (each int8 kernel, each float32 kernel) equals brute force.</summary>
    [Property(Arbitrary = [typeof(Int8ScreenTests)], MaxTest = 40)]
    public bool TheScreenedJoin_EqualsBruteForce(Screened c)
    {
        var op = new JoinOperands(c.Images, c.Texts, c.Metric);
        foreach (double epsilon in c.Epsilons)
        {
            var expected = BruteForce.Pairs(c.Images, c.Texts, epsilon, c.Metric);
            var results = new List<List<FiberPair>>
            {
                Join<Int8TileScalar, DotTileScalar>(op, epsilon),
            };
            if (DotTile512.IsSupported) results.Add(Join<Int8TileScalar, DotTile512>(op, epsilon));
            if (Int8TileVnni.IsSupported)
            {
                results.Add(Join<Int8TileVnni, DotTileScalar>(op, epsilon));
                if (DotTile256.IsSupported) results.Add(Join<Int8TileVnni, DotTile256>(op, epsilon));
                if (DotTile512.IsSupported) results.Add(Join<Int8TileVnni, DotTile512>(op, epsilon));
            }
            if (!results.All(r => r.SequenceEqual(expected))) return false;
        }
        return true;
    }

    /// <summary>
    /// Through the public API, on sets large enough for the screen (64 rows and texts or more; it runs where the
    /// machine has AVX-VNNI): near-duplicate pairs among random rows, at tolerances that are pair distances, for every
    /// metric and both precisions.
    /// </summary>
    [Theory]
    [InlineData(FiberMetric.Euclidean, 96)]
    [InlineData(FiberMetric.Cosine, 33)]
    [InlineData(FiberMetric.Angular, 130)]
    public void ThePublicJoin_OnScreenedSizes_EqualsBruteForce(FiberMetric metric, int d)
    {
        var random = new Random(d);
        var images = Sets.Random(random, 150, d);
        var y = new float[130 * d];
        for (int j = 0; j < 130; j++)
            for (int k = 0; k < d; k++)
                y[j * d + k] = (float)(j % 2 == 0 ? images[j, k] + 0.01 * Sets.Gaussian(random)
                    : random.NextDouble() * 2 - 1);
        var texts = new EmbeddingSet(y, 130, d);
        var distances = BruteForce.AllDistances(images, texts, metric).Order().ToArray();
        foreach (double q in new[] { 0.001, 0.01, 0.3 })
        {
            double epsilon = distances[(int)(q * (distances.Length - 1))];
            var expected = BruteForce.Pairs(images, texts, epsilon, metric);
            foreach (var precision in new[] { images, images.ToDouble() })
            {
                var product = new ApproximateFiberProduct(precision,
                    precision.Precision == texts.Precision ? texts : texts.ToDouble(), metric);
                Assert.Equal(expected, product.Pairs(epsilon).ToList());
                Assert.Equal(expected.Count, product.Count(epsilon));
            }
        }
    }

    /// <summary>The screen rejects: on far-apart data every tile is skipped, and the answer stays empty.</summary>
    [Fact]
    public void FarApartTiles_AreRejected()
    {
        var random = new Random(5);
        var images = Sets.Random(random, 50, 64);
        var texts = new EmbeddingSet(Sets.Random(random, 40, 64).Memory.ToArray().Select(v => v + 10).ToArray(), 40,
            64);
        var op = new JoinOperands(images, texts, FiberMetric.Euclidean);
        var (rows, quantized) = op.Quantized(new ExecutionScope(1));
        var (candidate, sure) = (new float[op.Rows], new float[op.Rows]);
        op.Thresholds(_ => 1.0, candidate, sure, new ExactCheck(op));
        var screen = new Int8Screen<NoTileFilter, Int8TileScalar>(default, rows, quantized, candidate,
            op.HalfSquaredNormsY).ForWorker();
        screen.Rows<DotTileScalar>(0, 4);
        Assert.False(screen.MayHoldPair<DotTileScalar>(0, 0xFFFF));
        Assert.Empty(Join<Int8TileScalar, DotTileScalar>(op, 1.0));
        Assert.NotEmpty(Join<Int8TileScalar, DotTileScalar>(op, 100.0));
    }

    /// <summary>
    /// The int8 kernels against Σ_k panel(k, l)·x_r[k] computed from the definition, at the extremes of both byte
    /// ranges, over group counts around the kernel's loop, with a stride wider than the row.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(129)]
    [InlineData(4096)]
    public void Int8Kernels_MatchTheIntegerDefinition_BitForBit(int groups)
    {
        var random = new Random(groups);
        int stride = 4 * groups + 8;
        var x = new sbyte[6 * stride];
        var panel = new byte[64 * groups];
        for (int i = 0; i < x.Length; i++) x[i] = (sbyte)(random.Next(4) == 0 ? -128 : random.Next(-128, 128));
        for (int i = 0; i < panel.Length; i++) panel[i] = (byte)(random.Next(4) == 0 ? 255 : random.Next(256));
        var expected = new int[6 * Lanes];
        for (int r = 0; r < 6; r++)
            for (int l = 0; l < Lanes; l++)
                for (int k = 0; k < 4 * groups; k++)
                    expected[r * Lanes + l] += panel[k / 4 * 64 + l * 4 + k % 4] * x[r * stride + k];
        Assert.Equal(expected, Run<Int8TileScalar>(x, stride, groups, panel));
        if (Int8TileVnni.IsSupported) Assert.Equal(expected, Run<Int8TileVnni>(x, stride, groups, panel));
    }

    private static int[] Run<TInt8>(sbyte[] x, int stride, int groups, byte[] panel) where TInt8 : IInt8TileKernel
    {
        var output = new int[6 * Lanes];
        fixed (sbyte* px = x) fixed (byte* py = panel) fixed (int* po = output)
            TInt8.Compute(px, stride, groups, py, po);
        return output;
    }

    private static List<FiberPair> Join<TInt8, TKernel>(JoinOperands op, double epsilon)
        where TInt8 : IInt8TileKernel where TKernel : IDotTileKernel
    {
        var scope = new ExecutionScope(2);
        var (rows, texts) = op.Quantized(scope);
        var exact = new ExactCheck(op);
        var (candidate, sure) = (new float[op.Rows], new float[op.Rows]);
        op.Thresholds(_ => epsilon, candidate, sure, exact);
        var screen = new Int8Screen<NoTileFilter, TInt8>(default, rows, texts, candidate, op.HalfSquaredNormsY);
        var sinks = new PairSink[RangeJoin.Workers(op.Rows, scope.Workers)];
        var budget = new PairBudget(long.MaxValue);
        RangeJoin.Run<PairSink, Int8Screen<NoTileFilter, TInt8>, TKernel>(op, candidate, sure, 0, op.Rows,
            w => sinks[w] = new PairSink(exact, _ => epsilon, budget), screen, scope);
        return PairSet.FromBuffers(op.Rows, op.Columns, sinks.Where(s => s is not null).Select(s => s.Buffer).ToList(),
            long.MaxValue, scope).ToList();
    }

    /// <summary>All int8 sums, row-major: row i, column j at i·(16·panels) + j.</summary>
    private static int[] Int8Products<TInt8>(JoinOperands op, QuantizedRows rows, QuantizedTexts texts)
        where TInt8 : IInt8TileKernel
    {
        int width = op.Panels * Lanes, height = TInt8.Height;
        var all = new int[op.Rows * width];
        var tile = new int[height * Lanes];
        fixed (sbyte* x = rows.Values) fixed (byte* y = texts.Values) fixed (int* t = tile)
            for (int i0 = 0; i0 < op.Rows; i0 += height)
                for (int p = 0; p < op.Panels; p++)
                {
                    TInt8.Compute(x + i0 * rows.Stride, rows.Stride, texts.Groups, y + p * texts.Groups * 64, t);
                    for (int r = 0; r < height && i0 + r < op.Rows; r++)
                        tile.AsSpan(r * Lanes, Lanes).CopyTo(all.AsSpan((i0 + r) * width + p * Lanes));
                }
        return all;
    }

    /// <summary>All float32 products one tile kernel returns, row-major like <see cref="Int8Products"/>.</summary>
    private static float[] Float32Products<TKernel>(JoinOperands op) where TKernel : IDotTileKernel
    {
        int d = op.Dimension, width = op.Panels * Lanes, height = TKernel.Height;
        var all = new float[op.Rows * width];
        var rows = new float[height * d];
        var tile = new float[height * Lanes];
        fixed (float* x = rows) fixed (float* y = op.PackedY) fixed (float* t = tile)
            for (int i0 = 0; i0 < op.Rows; i0 += height)
            {
                rows.AsSpan().Clear();
                int valid = Math.Min(height, op.Rows - i0);
                op.X.Span.Slice(i0 * d, valid * d).CopyTo(rows);
                for (int p = 0; p < op.Panels; p++)
                {
                    TKernel.Compute(x, d, d, y + (long)p * d * Lanes, t);
                    for (int r = 0; r < valid; r++)
                        tile.AsSpan(r * Lanes, Lanes).CopyTo(all.AsSpan((i0 + r) * width + p * Lanes));
                }
            }
        return all;
    }
}
