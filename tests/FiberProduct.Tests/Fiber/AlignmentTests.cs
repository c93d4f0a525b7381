using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

public class AlignmentTests
{
    private static AlignmentScore BruteScore(EmbeddingSet images, EmbeddingSet texts, double epsilon, Pairing truth)
    {
        var pairs = BruteForce.Pairs(images, texts, epsilon).Select(p => (p.Image, p.Text)).ToHashSet();
        return new AlignmentScore(epsilon, pairs.Count, truth.Pairs.Count(pairs.Contains), truth.Count);
    }

    [Fact]
    public void Score_AndCurve_MatchBruteForce()
    {
        var random = new Random(21);
        var images = Sets.Clustered(random, 80, 16, 0.5);
        // Texts near their images (the true pairs) with noise, so precision and recall both move with ε.
        var texts = EmbeddingSet.FromRows(Enumerable.Range(0, 80).Select(i =>
            images.Row(i).ToArray().Select(v => v + (float)(0.25 * Sets.Gaussian(random) / 4)).ToArray()).ToList());
        var truth = Pairing.Diagonal(80);
        var product = new ApproximateFiberProduct(images, texts);

        foreach (double epsilon in new[] { 0.0, 0.1, 0.2, 0.4, 1.0 })
            Assert.Equal(BruteScore(images, texts, epsilon, truth), product.Score(epsilon, truth));

        var curve = product.AlignmentCurve(truth);
        Assert.Equal(80, curve.Count); // distinct true distances
        foreach (var score in curve.Where((_, k) => k % 9 == 0))
            Assert.Equal(BruteScore(images, texts, score.Epsilon, truth), score);

        AssertBest(BruteBest(images, texts, truth), product.BestF1(truth));
        var target = product.EpsilonForPrecision(truth, 0.9);
        Assert.NotNull(target);
        Assert.True(target.Value.Precision >= 0.9);
        Assert.DoesNotContain(curve, s => s.Precision >= 0.9 && s.Epsilon > target.Value.Epsilon);
    }

    /// <summary>
    /// The best F1 over every tolerance, computed without the engine: all N·M squared distances exactly (integers on
    /// the float32 grid 2^-298), swept in increasing order with F1 compared as exact fractions; the smallest distance
    /// reaching the best F1 wins. Returns (pairs, true positives) there.
    /// </summary>
    private static (long Pairs, long TruePositives) BruteBest(EmbeddingSet images, EmbeddingSet texts, Pairing truth)
    {
        var isTrue = truth.Pairs.ToHashSet();
        var all = new List<(System.Numerics.BigInteger Squared, bool True)>();
        for (int i = 0; i < images.Count; i++)
            for (int j = 0; j < texts.Count; j++)
            {
                var squared = System.Numerics.BigInteger.Zero;
                for (int k = 0; k < images.Dimension; k++)
                {
                    var difference =
                        new System.Numerics.BigInteger(Math.ScaleB((double)images[i, k] - texts[j, k], 149));
                    squared += difference * difference;
                }
                all.Add((squared, isTrue.Contains((i, j))));
            }
        all.Sort((a, b) => a.Squared.CompareTo(b.Squared));
        (long Pairs, long TruePositives) best = (0, 0);
        long count = 0, truePositives = 0;
        for (int p = 0; p < all.Count; p++)
        {
            count++;
            if (all[p].True) truePositives++;
            if (p + 1 < all.Count && all[p + 1].Squared == all[p].Squared) continue; // a tolerance takes a whole tie
            // F1 = 2·TP / (|F_ε| + |T|): strictly better only, so the smallest tolerance wins ties.
            if (2 * truePositives * (best.Pairs + truth.Count) > 2 * best.TruePositives * (count + truth.Count))
                best = (count, truePositives);
        }
        return best;
    }

    private static void AssertBest((long Pairs, long TruePositives) expected, AlignmentScore best)
    {
        Assert.Equal(expected, (best.Pairs, best.TruePositives));
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.3)]
    [InlineData(3, 0.6)]
    [InlineData(4, 1.0)]
    public void BestF1_IsTheBestOverEveryTolerance_WithTies(int seed, double duplicated)
    {
        // Images in clusters; texts are noisy copies of some images, exact copies of others (distance 0), and
        // repeated texts (equal distances); the truth pairs each text with a random image, so the best ε is not
        // simply the largest true distance.
        var random = new Random(seed);
        var images = Sets.Clustered(random, 40, 6, 0.4);
        var rows = new List<float[]>();
        for (int j = 0; j < 36; j++)
        {
            if (j > 0 && random.NextDouble() < duplicated / 2) { rows.Add(rows[random.Next(rows.Count)]); continue; }
            var source = images.Row(random.Next(images.Count)).ToArray();
            rows.Add(random.NextDouble() < duplicated / 2 ? source
                : source.Select(v => v + (float)(0.15 * Sets.Gaussian(random))).ToArray());
        }
        var texts = EmbeddingSet.FromRows(rows);
        var truth = Pairing.FromPairs(Enumerable.Range(0, texts.Count)
            .Select(j => (random.NextDouble() < 0.7 ? Nearest(images, texts, j) : random.Next(images.Count), j)));
        var best = new ApproximateFiberProduct(images, texts).BestF1(truth);
        AssertBest(BruteBest(images, texts, truth), best);
        Assert.Equal(best.Pairs, BruteForce.Count(images, texts, best.Epsilon)); // its ε really gives that set
    }

    private static int Nearest(EmbeddingSet images, EmbeddingSet texts, int j) =>
        Enumerable.Range(0, images.Count)
            .MinBy(i => BruteForce.Distance(FiberMetric.Euclidean, images.Row(i), texts.Row(j)));

    [Fact]
    public void OnClip_TheBestF1IsFoundAmongTheTrueDistances()
    {
        var data = FiberProduct.Datasets.CocoClip500.Pretrained();
        var (images, texts) = (data.Images, data.Texts);
        var product = new ApproximateFiberProduct(images, texts);
        var truth = Pairing.Diagonal(500);
        var best = product.BestF1(truth);
        var brute = BruteScore(images, texts, best.Epsilon, truth);
        Assert.Equal(brute, best);
        // F1 at slightly different tolerances is no better.
        Assert.True(BruteScore(images, texts, best.Epsilon * 0.99, truth).F1 <= best.F1);
        Assert.True(BruteScore(images, texts, best.Epsilon * 1.01, truth).F1 <= best.F1);
    }

    [Fact]
    public void Pairing_RejectsBadPairs()
    {
        Assert.Throws<ArgumentException>(() => Pairing.FromPairs([(0, 1), (0, 1)]));
        Assert.Throws<ArgumentException>(() => Pairing.FromPairs([(-1, 1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pairing.Diagonal(-1));
        var product = new ApproximateFiberProduct(new EmbeddingSet(new float[4], 2, 2),
            new EmbeddingSet(new float[4], 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => product.Score(1, Pairing.FromPairs([(0, 5)])));
        Assert.Throws<ArgumentOutOfRangeException>(() => product.EpsilonForPrecision(Pairing.Diagonal(2), 0));
        Assert.Throws<ArgumentException>(() => product.BestF1(Pairing.Diagonal(0)));
        Assert.Equal(1.0, new AlignmentScore(0, 0, 0, 5).Precision);
    }
}
