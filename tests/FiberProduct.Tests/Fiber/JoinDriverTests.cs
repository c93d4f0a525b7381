using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The join driver and its operands, each against a plain definition: the sweep through row and column orders (the
/// pruned join's k-d order) against the brute force, the rows of a query sharing the prepared texts, and the fast
/// path's two decisions (the per-row thresholds and the per-pair classification) against the exact answer, for their
/// soundness and for deciding the pairs far from ε. Fast on purpose: the mutation runs (docs/testing.md) run them once
/// per mutant.
/// </summary>
public class JoinDriverTests
{
    /// <summary>Every pair the sweep offers, with its float32 dot product and whether it was sure.</summary>
    private sealed class RecordingSink : ITileSink
    {
        public readonly Dictionary<(int Row, int Column), (float Dot, bool Sure)> Offered = [];
        public readonly List<int> Completed = [];

        public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
        {
            Assert.Equal(0u, sure & ~candidates);
            while (candidates != 0)
            {
                int lane = RangeJoin.NextLane(ref candidates);
                Assert.True(Offered.TryAdd((row, column0 + lane), (dots[lane], (sure >> lane & 1) != 0)));
            }
        }

        public bool RowsCompleted(int rowEnd)
        {
            Completed.Add(rowEnd);
            return true;
        }
    }

    private static void RunOnEveryKernel<TSink>(JoinOperands op, float[] candidate, float[] sure, int workers,
        Func<int, TSink> sink) where TSink : ITileSink =>
        SweepPartsTests.RunOnEveryKernel(op, candidate, sure, workers, sink);

    private static int KernelCount => SweepPartsTests.KernelCount;

    private static List<FiberPair> Sorted(IEnumerable<FiberPair> pairs) =>
        [.. pairs.OrderBy(p => p.Image).ThenBy(p => p.Text).ThenBy(p => p.Distance)];

    private static (float[] Candidate, float[] Sure) Thresholds(JoinOperands op, ExactCheck exact, double epsilon)
    {
        var candidate = new float[op.Rows];
        var sure = new float[op.Rows];
        op.Thresholds(_ => epsilon, candidate, sure, exact);
        return (candidate, sure);
    }

    [Theory]
    [InlineData(RangeJoin.ChunkRows + 7, 19, 3, 1)] // two chunks, the last micro-panel of each partial
    [InlineData(29, 21, 5, 2)]
    public void Sweep_ThroughRowAndColumnOrders_EqualsTheBruteForce(int n, int m, int d, int workers)
    {
        // Join row i is image rowOrder[i] and join column j text columnOrder[j]; the sweep gathers each chunk of rows
        // through the order, and every index it hands a sink is a join index.
        var random = new Random(n + m);
        var images = Sets.Random(random, n, d);
        var texts = Sets.Random(random, m, d);
        int[] rowOrder = [.. Enumerable.Range(0, n).OrderBy(_ => random.Next())];
        int[] columnOrder = [.. Enumerable.Range(0, m).OrderBy(_ => random.Next())];
        var op = new JoinOperands(images, texts, FiberMetric.Euclidean, null, rowOrder, columnOrder);
        var exact = new ExactCheck(op);
        var distances = BruteForce.AllDistances(images, texts);
        double epsilon = distances.Order().ElementAt(distances.Length / 5);
        var (candidate, sure) = Thresholds(op, exact, epsilon);
        var sinks = new List<PairSink>();
        RunOnEveryKernel(op, candidate, sure, workers,
            _ => SweepPartsTests.Collect(sinks, new PairSink(exact, _ => epsilon, new PairBudget(long.MaxValue))));
        var found = sinks.SelectMany(s => Enumerable.Range(0, s.Buffer.Count).Select(k =>
            new FiberPair(rowOrder[s.Buffer.Rows[k]], columnOrder[s.Buffer.Columns[k]], s.Buffer.Distances[k])));
        var expected = BruteForce.Pairs(images, texts, epsilon);
        Assert.NotEmpty(expected);
        Assert.Equal(Sorted(expected.SelectMany(p => Enumerable.Repeat(p, KernelCount))), Sorted(found));
    }

    [Fact]
    public void Sweep_OffersEveryPairOnce_AndCompletesItsRowsChunkByChunk()
    {
        // Thresholds that rule nothing out: every pair of every row reaches the sink exactly once, with its dot
        // product, and a worker reports its rows complete at the end of each chunk.
        var random = new Random(2);
        int n = RangeJoin.ChunkRows + 30, m = JoinOperands.PanelWidth + 3, d = 2;
        var images = Sets.Random(random, n, d);
        var texts = Sets.Random(random, m, d);
        var op = new JoinOperands(images, texts, FiberMetric.Euclidean);
        var candidate = Enumerable.Repeat(float.NegativeInfinity, n).ToArray();
        var sure = Enumerable.Repeat(float.PositiveInfinity, n).ToArray();
        var sinks = new List<RecordingSink>();
        RunOnEveryKernel(op, candidate, sure, 1, _ => SweepPartsTests.Collect(sinks, new RecordingSink()));
        Assert.Equal(KernelCount, sinks.Count);
        foreach (var sink in sinks)
        {
            Assert.Equal([RangeJoin.ChunkRows, n], sink.Completed);
            Assert.Equal(n * m, sink.Offered.Count);
            foreach (var ((i, j), (dot, isSure)) in sink.Offered)
            {
                Assert.False(isSure);
                double expected = images[i, 0] * (double)texts[j, 0] + images[i, 1] * (double)texts[j, 1];
                Assert.Equal(expected, dot, 1e-6);
            }
        }
    }

    [Theory]
    [InlineData(FiberMetric.Euclidean)]
    [InlineData(FiberMetric.Cosine)]
    [InlineData(FiberMetric.Angular)]
    public void ThresholdsAndClassify_AreSound_AndDecideThePairsFarFromEpsilon(FiberMetric metric)
    {
        // For every pair and several tolerances: a pair within ε is a candidate, a sure pair is within ε, and the
        // classification never contradicts the exact answer. Neither may be vacuous: a pair at most half ε away is sure
        // and classified in, and one twice ε away (for the angle, also past ε + 0.5) is no candidate and classified
        // out.
        var random = new Random((int)metric + 5);
        var images = Sets.Random(random, 14, 9);
        var texts = Sets.Random(random, 19, 9);
        var op = new JoinOperands(images, texts, metric);
        var exact = new ExactCheck(op);
        var distances = BruteForce.AllDistances(images, texts, metric);
        var sorted = distances.Order().ToArray();
        // Half the smallest distance makes every pair far; twice the largest (past π for the angle) every pair near.
        var epsilons = new[] { 0.1, 0.25, 0.5, 0.75 }.Select(q => sorted[(int)(q * (sorted.Length - 1))])
            .Append(sorted[0] / 2).Append(2 * sorted[^1]);
        foreach (double epsilon in epsilons)
        {
            var (candidate, sure) = Thresholds(op, exact, epsilon);
            var sinks = new List<RecordingSink>();
            RunOnEveryKernel(op, candidate, sure, 1, _ => SweepPartsTests.Collect(sinks, new RecordingSink()));
            for (int i = 0; i < images.Count; i++)
                for (int j = 0; j < texts.Count; j++)
                {
                    double distance = distances[i * texts.Count + j];
                    bool within = exact.Within(i, j, epsilon);
                    foreach (var sink in sinks)
                    {
                        bool offered = sink.Offered.TryGetValue((i, j), out var tile);
                        if (within) Assert.True(offered);
                        if (offered && tile.Sure) Assert.True(within);
                        bool far = Far(metric, distance, epsilon);
                        if (distance <= epsilon / 2) Assert.True(tile.Sure);
                        if (far) Assert.False(offered);
                        if (!offered) continue;
                        int side = op.Classify(i, j, tile.Dot, epsilon, exact);
                        Assert.True(side == 0 || side > 0 == within);
                        if (distance <= epsilon / 2) Assert.Equal(1, side);
                        Assert.Equal(1, op.Classify(i, j, tile.Dot, double.PositiveInfinity, exact));
                    }
                }
            // Classify from the dot product alone, for the pairs no tile offered: twice ε away, it is out.
            for (int i = 0; i < images.Count; i++)
                for (int j = 0; j < texts.Count; j++)
                {
                    double distance = distances[i * texts.Count + j];
                    if (!Far(metric, distance, epsilon)) continue;
                    float dot = WorkingDot(op, i, j);
                    Assert.Equal(-1, op.Classify(i, j, dot, epsilon, exact));
                }
        }
    }

    /// <summary>Twice ε away, and for the angle also more than ε + 0.5 (where the cosines differ enough).</summary>
    private static bool Far(FiberMetric metric, double distance, double epsilon) =>
        distance >= 2 * epsilon && (metric != FiberMetric.Angular || distance > epsilon + 0.5);

    /// <summary>The float32 dot product of join row i and column j in the working domain, rounded from
    /// float64.</summary>
    private static float WorkingDot(JoinOperands op, int i, int j)
    {
        int d = op.Dimension, panel = j / JoinOperands.PanelWidth, lane = j % JoinOperands.PanelWidth;
        var x = op.X.Span.Slice(i * d, d);
        double dot = 0;
        for (int k = 0; k < d; k++) dot += x[k] * (double)op.PackedY[(panel * d + k) * JoinOperands.PanelWidth + lane];
        return (float)dot;
    }

    [Theory]
    [InlineData(FiberMetric.Euclidean)]
    [InlineData(FiberMetric.Cosine)]
    [InlineData(FiberMetric.Angular)]
    public void WithRows_SharesThePreparedTexts_WhereTheRowsFitTheirDomain_AndJoinsExactly(FiberMetric metric)
    {
        var random = new Random(40 + (int)metric);
        var images = Sets.Random(random, 9, 6);
        var texts = Sets.Random(random, 23, 6);
        var prepared = new JoinOperands(images, texts, metric);
        var queries = new (EmbeddingSet Rows, bool Shared)[]
        {
            (Sets.Random(random, 13, 6), true),
            (Sets.Random(random, 5, 6).ToDouble(), false),            // another precision: prepared again
            (Sets.Random(random, 4, 6, 1 << 22), metric != FiberMetric.Euclidean), // another scale
        };
        foreach (var (rows, shared) in queries)
        {
            var op = prepared.WithRows(rows);
            Assert.Equal(rows.Count, op.Rows);
            Assert.Equal(texts.Count, op.Columns);
            Assert.Equal(shared, ReferenceEquals(prepared.PackedY, op.PackedY));
            if (shared)
            {
                // The rows prepared on their own, with the texts again: the same working rows.
                var fresh = new JoinOperands(rows, texts, metric);
                Assert.Equal(fresh.X.ToArray(), op.X.ToArray());
                Assert.Equal(fresh.SquaredNormsX, op.SquaredNormsX);
                Assert.Equal(fresh.RadiiX, op.RadiiX);
            }
            var exact = new ExactCheck(op);
            var distances = BruteForce.AllDistances(rows, texts, metric).Order().ToArray();
            double epsilon = distances[distances.Length / 3];
            var (candidate, sure) = Thresholds(op, exact, epsilon);
            var sinks = new List<PairSink>();
            RunOnEveryKernel(op, candidate, sure, 2,
                _ => SweepPartsTests.Collect(sinks, new PairSink(exact, _ => epsilon, new PairBudget(long.MaxValue))));
            var found = sinks.SelectMany(s => Enumerable.Range(0, s.Buffer.Count).Select(k =>
                new FiberPair(s.Buffer.Rows[k], s.Buffer.Columns[k], s.Buffer.Distances[k])));
            var expected = BruteForce.Pairs(rows, texts, epsilon, metric);
            Assert.NotEmpty(expected);
            Assert.Equal(Sorted(expected.SelectMany(p => Enumerable.Repeat(p, KernelCount))), Sorted(found));
        }
    }
}
