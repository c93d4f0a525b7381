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

        var best = product.BestF1(truth);
        Assert.Equal(curve.Max(s => s.F1), best.F1);
        var target = product.EpsilonForPrecision(truth, 0.9);
        Assert.NotNull(target);
        Assert.True(target.Value.Precision >= 0.9);
        Assert.DoesNotContain(curve, s => s.Precision >= 0.9 && s.Epsilon > target.Value.Epsilon);
    }

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
        var product = new ApproximateFiberProduct(new EmbeddingSet(new float[4], 2, 2), new EmbeddingSet(new float[4], 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => product.Score(1, Pairing.FromPairs([(0, 5)])));
        Assert.Throws<ArgumentOutOfRangeException>(() => product.EpsilonForPrecision(Pairing.Diagonal(2), 0));
        Assert.Throws<ArgumentException>(() => product.BestF1(Pairing.Diagonal(0)));
        Assert.Equal(1.0, new AlignmentScore(0, 0, 0, 5).Precision);
    }
}
