using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Analysis;

public class RetrievalTests
{
    /// <summary>Coordinates from {−1, 0, 1}: equal distances everywhere, so ties are the rule, not the
    /// exception.</summary>
    private static EmbeddingSet Grid(Random random, int count, int dimension)
    {
        var values = new float[count * dimension];
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(3) - 1;
        return new EmbeddingSet(values, count, dimension);
    }

    private static Pairing RandomPairing(Random random, int images, int texts, int pairs) =>
        Pairing.FromPairs(Enumerable.Range(0, pairs).Select(_ => (random.Next(images), random.Next(texts))).Distinct());

    /// <summary>
    /// The definitions, spelled out over all items: rank = 1 + the items strictly closer; average precision = the
    /// mean over true partners t of |partners with d ≤ d_t| / |items with d ≤ d_t|.
    /// </summary>
    private static (int[] Queries, int[] FirstRanks, double[] AveragePrecisions) Reference(EmbeddingSet images,
        EmbeddingSet texts, Pairing truth, RetrievalDirection direction, FiberMetric metric)
    {
        bool imageQueries = direction == RetrievalDirection.ImageToText;
        int queryCount = imageQueries ? images.Count : texts.Count, itemCount = imageQueries
            ? texts.Count : images.Count;
        var queries = new List<int>();
        var ranks = new List<int>();
        var precisions = new List<double>();
        for (int q = 0; q < queryCount; q++)
        {
            var partners = truth.Pairs.Where(p => (imageQueries ? p.Image : p.Text) == q)
                .Select(p => imageQueries ? p.Text : p.Image).ToArray();
            if (partners.Length == 0) continue;
            var d = Enumerable.Range(0, itemCount).Select(t => imageQueries
                ? BruteForce.Distance(metric, images.Row(q), texts.Row(t))
                : BruteForce.Distance(metric, texts.Row(q), images.Row(t))).ToArray();
            int best = int.MaxValue;
            double sum = 0;
            foreach (int t in partners)
            {
                int rank = 1;
                int ball = 0, relevantInBall = 0;
                for (int u = 0; u < itemCount; u++)
                {
                    if (d[u] < d[t]) rank++;
                    if (d[u] <= d[t]) { ball++; if (partners.Contains(u)) relevantInBall++; }
                }
                best = Math.Min(best, rank);
                sum += (double)relevantInBall / ball;
            }
            queries.Add(q);
            ranks.Add(best);
            precisions.Add(sum / partners.Length);
        }
        return (queries.ToArray(), ranks.ToArray(), precisions.ToArray());
    }

    [Theory]
    [InlineData(FiberMetric.Euclidean, 1)]
    [InlineData(FiberMetric.Euclidean, 2)]
    [InlineData(FiberMetric.Cosine, 3)]
    [InlineData(FiberMetric.Angular, 4)]
    public void Ranks_AndAveragePrecision_EqualBruteForce_WithTies(FiberMetric metric, int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 6; trial++)
        {
            int d = 1 + random.Next(4);
            var images = Grid(random, 5 + random.Next(30), d);
            var texts = Grid(random, 5 + random.Next(30), d);
            if (metric != FiberMetric.Euclidean)
            {
                // Cosine and angular reject zero rows: shift the grid off the origin.
                images = new EmbeddingSet(images.Values.ToArray().Select(v => v + 2f).ToArray(), images.Count, d);
                texts = new EmbeddingSet(texts.Values.ToArray().Select(v => v + 2f).ToArray(), texts.Count, d);
            }
            var truth = RandomPairing(random, images.Count, texts.Count, 1 + random.Next(40));
            var product = new ApproximateFiberProduct(images, texts, metric);
            foreach (var direction in Enum.GetValues<RetrievalDirection>())
            {
                var scores = Retrieval.Evaluate(product, truth, direction);
                var (queries, ranks, precisions) = Reference(images, texts, truth, direction, metric);
                Assert.Equal(queries, scores.Queries.ToArray());
                Assert.Equal(ranks, scores.FirstRelevantRanks.ToArray());
                Assert.Equal(precisions.Length, scores.AveragePrecisions.Length);
                // summed in another order
                for (int q = 0; q < precisions.Length; q++)
                    Assert.Equal(precisions[q], scores.AveragePrecisions[q], 1e-14);
                Assert.Equal(ranks.Count(r => r <= 5) / (double)ranks.Length, scores.RecallAt(5));
                Assert.Equal(ranks.Average(r => 1.0 / r), scores.MeanReciprocalRank, 1e-12);
                Assert.Equal(precisions.Average(), scores.MeanAveragePrecision, 1e-12);
            }
        }
    }

    [Fact]
    public void Ties_ShareTheBestRank_AndAveragePrecisionUsesTheClosedBall()
    {
        // One image at the origin; texts at distance 1 (two of them, the second true), 2 (true) and 3.
        var images = new EmbeddingSet([0f, 0f], 1, 2);
        var texts = new EmbeddingSet([1f, 0f, 0f, 1f, 2f, 0f, 3f, 0f], 4, 2);
        var truth = Pairing.FromPairs([(0, 1), (0, 2)]);
        var scores = Retrieval.Evaluate(new ApproximateFiberProduct(images, texts), truth,
            RetrievalDirection.ImageToText);
        Assert.Equal(1, scores.FirstRelevantRanks[0]);         // tied with a false text at the nearest distance: rank 1
        Assert.Equal((0.5 + 2.0 / 3) / 2, scores.AveragePrecisions[0], 1e-15); // balls {t0, t1}: 1/2; {t0, t1, t2}: 2/3
        Assert.Equal(1, scores.RecallAt(1));
        Assert.Equal(1, scores.MedianRank);
    }

    [Fact]
    public void PerfectAlignment_ScoresOne_AndRecallGrowsWithK()
    {
        var random = new Random(11);
        var images = Sets.Random(random, 60, 8);
        var exact = Retrieval.EvaluateBothWays(new ApproximateFiberProduct(images, images), Pairing.Diagonal(60));
        foreach (var scores in new[] { exact.ImageToText, exact.TextToImage })
        {
            Assert.Equal(1, scores.RecallAt(1));
            Assert.Equal(1, scores.MeanReciprocalRank);
            Assert.Equal(1, scores.MedianRank);
            Assert.Equal(1, scores.MeanAveragePrecision);
        }
        var noisy = Retrieval.Evaluate(new ApproximateFiberProduct(images, Sets.Random(random, 60, 8)),
            Pairing.Diagonal(60), RetrievalDirection.TextToImage);
        var recalls = Enumerable.Range(1, 60).Select(noisy.RecallAt).ToArray();
        Assert.True(recalls.Zip(recalls.Skip(1), (a, b) => a <= b).All(x => x));
        Assert.Equal(1, recalls[^1]);
        Assert.InRange(noisy.MeanReciprocalRank, 1.0 / 60, 1);
    }

    [Fact]
    public void ManyBands_GiveTheSameRanksAsBruteForce()
    {
        // 5,000 texts: a band holds 838 images, so 900 images take two bands; check queries on both sides of the seam.
        var random = new Random(12);
        var images = Sets.Random(random, 900, 3);
        var texts = Sets.Random(random, 5000, 3);
        var truth = Pairing.FromPairs(Enumerable.Range(0, 900).Select(i => (i, (i * 7) % 5000)));
        var scores = Retrieval.Evaluate(new ApproximateFiberProduct(images, texts), truth,
            RetrievalDirection.ImageToText);
        foreach (int i in new[] { 0, 400, 836, 837, 838, 839, 899 })
        {
            var d = Enumerable.Range(0, 5000)
                .Select(t => BruteForce.Distance(FiberMetric.Euclidean, images.Row(i), texts.Row(t))).ToArray();
            int expected = 1 + d.Count(x => x < d[(i * 7) % 5000]);
            Assert.Equal(expected, scores.FirstRelevantRanks[i]);
        }
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        var random = new Random(13);
        var product = new ApproximateFiberProduct(Sets.Random(random, 5, 2), Sets.Random(random, 4, 2));
        Assert.Equal("truth",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => Retrieval.Evaluate(product, Pairing.FromPairs([(0, 4)]),
                    RetrievalDirection.ImageToText)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Retrieval.Evaluate(product, Pairing.Diagonal(2),
            (RetrievalDirection)7));
        var empty = Retrieval.Evaluate(product, Pairing.Diagonal(0), RetrievalDirection.ImageToText);
        Assert.Equal(0, empty.QueryCount);
        Assert.Throws<InvalidOperationException>(() => empty.MeanReciprocalRank);
        Assert.Throws<ArgumentOutOfRangeException>(() => Retrieval.Evaluate(product, Pairing.Diagonal(4),
            RetrievalDirection.ImageToText).RecallAt(0));
    }
}
