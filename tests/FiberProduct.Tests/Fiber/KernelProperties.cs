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
/// Every tile kernel this machine has (AVX-512, AVX2, portable; CI runs the suite again without AVX-512 and without
/// AVX2), called directly, against the exact reference: over shapes past every blocking threshold of the sweep (rows
/// past a chunk, texts past a cache block, d not a multiple of 16, tiny and large d) and tolerances that are pair
/// distances themselves (ties, on grid data where many pairs share a distance) and the neighbouring doubles.
/// </summary>
public class KernelProperties
{
    public sealed record Join(EmbeddingSet Images, EmbeddingSet Texts, double[] Epsilons, int Workers)
    {
        public override string ToString() =>
            $"{Images.Count}×{Texts.Count}×{Images.Dimension} on {Workers} workers, ε ∈ "
            + $"[{string.Join(", ", Epsilons)}]";
    }

    /// <summary>
    /// Shapes around the sweep's thresholds: the chunk of rows, the block of panels, the panel and d.
    /// </summary>
    public static Arbitrary<Join> Joins() =>
        (from shape in Gen.Elements(
             (Rows: (1, 30), Texts: (1, 40), Dims: new[] { 1, 2, 3, 15, 16, 17 }),
             (Rows: (RangeJoin.ChunkRows - 2, RangeJoin.ChunkRows + 30), Texts: (1, 40), Dims: new[] { 1, 5, 16, 33 }),
             (Rows: (1, 30), Texts: (Panel * RangeJoin.BlockPanels - 3, Panel * RangeJoin.BlockPanels + 40),
                 Dims: new[] { 2, 7, 31 }),
             (Rows: (RangeJoin.ChunkRows + 1, RangeJoin.ChunkRows + 13),
                 Texts: (Panel * RangeJoin.BlockPanels + 1, Panel * RangeJoin.BlockPanels + 17), Dims: new[] { 3, 9 }),
             (Rows: (1, 14), Texts: (1, 20), Dims: new[] { 511, 513, 1030 }))
         from n in Gen.Choose(shape.Rows.Item1, shape.Rows.Item2)
         from m in Gen.Choose(shape.Texts.Item1, shape.Texts.Item2)
         from d in Gen.Elements(shape.Dims)
         from grid in Gen.Elements(2, 3, 7, 1000)
         from workers in Gen.Elements(1, 2, 3)
         from seed in Gen.Choose(0, int.MaxValue)
         select Make(n, m, d, grid, workers, new Random(seed))).ToArbitrary();

    private const int Panel = JoinOperands.PanelWidth;

    private static Join Make(int n, int m, int d, int grid, int workers, Random random)
    {
        // Grid values: many pairs at exactly the same distance, some texts copies of images (distance 0).
        float Value() => (float)(random.Next(grid) - grid / 2) / grid;
        var x = Enumerable.Range(0, n * d).Select(_ => Value()).ToArray();
        var y = new float[m * d];
        for (int j = 0; j < m; j++)
            for (int k = 0; k < d; k++) y[j * d + k] = j % 5 == 0 ? x[j % n * d + k] : Value();
        var images = new EmbeddingSet(x, n, d);
        var texts = new EmbeddingSet(y, m, d);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        var epsilons = new List<double> { 0 };
        foreach (double q in new[] { 0.001, 0.05, 0.5 })
        {
            double tie = distances[(int)(q * (distances.Length - 1))];
            epsilons.AddRange([tie, Math.BitDecrement(tie), Math.BitIncrement(tie)]);
        }
        epsilons.Add(distances[^1]);
        return new Join(images, texts, [.. epsilons.Where(e => e >= 0).Distinct()], workers);
    }

    private static (long Count, List<FiberPair> Pairs) Run<TKernel>(Join join, double epsilon)
        where TKernel : IDotTileKernel
    {
        var op = new JoinOperands(join.Images, join.Texts, FiberMetric.Euclidean);
        var exact = new ExactCheck(op);
        var candidate = new float[join.Images.Count];
        var sure = new float[join.Images.Count];
        op.Thresholds(_ => epsilon, candidate, sure, exact);
        var scope = new ExecutionScope(join.Workers);
        int workers = RangeJoin.Workers(join.Images.Count, join.Workers);
        var counts = new CountSink[workers];
        RangeJoin.Run<CountSink, NoTileFilter, TKernel>(op, candidate, sure, 0, join.Images.Count,
            w => counts[w] = new CountSink(exact, _ => epsilon), default, scope);
        var sinks = new PairSink[workers];
        var budget = new PairBudget(long.MaxValue);
        RangeJoin.Run<PairSink, NoTileFilter, TKernel>(op, candidate, sure, 0, join.Images.Count,
            w => sinks[w] = new PairSink(exact, _ => epsilon, budget), default, scope);
        var pairs = PairSet.FromBuffers(join.Images.Count, join.Texts.Count,
            sinks.Where(s => s is not null).Select(s => s.Buffer).ToList(), long.MaxValue, scope);
        return (counts.Sum(s => s?.Count ?? 0), pairs.ToList());
    }

    [Property(Arbitrary = [typeof(KernelProperties)], MaxTest = 25)]
    public bool EveryKernel_EqualsTheExactReference(Join join)
    {
        foreach (double epsilon in join.Epsilons)
        {
            var expected = BruteForce.Pairs(join.Images, join.Texts, epsilon);
            var results = new List<(long Count, List<FiberPair> Pairs)> { Run<DotTileScalar>(join, epsilon) };
            if (DotTile256.IsSupported) results.Add(Run<DotTile256>(join, epsilon));
            if (DotTile512.IsSupported) results.Add(Run<DotTile512>(join, epsilon));
            if (!results.All(r => r.Count == expected.Count && r.Pairs.SequenceEqual(expected))) return false;
        }
        return true;
    }
}
