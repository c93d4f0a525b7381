using FiberProduct.Analysis;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

/// <summary>Result types print a short summary (counts, ε, metric), never their type name or their whole
/// data.</summary>
public class ResultToStringTests
{
    private static (ApproximateFiberProduct Product, Pairing Truth) Sample()
    {
        var random = new Random(40);
        return (new ApproximateFiberProduct(Sets.Clustered(random, 30, 6, 0.5), Sets.Clustered(random, 30, 6, 0.5)),
            Pairing.Diagonal(30));
    }

    [Fact]
    public void PairSets_AndProfiles_PrintCountsAndMetric()
    {
        var (product, _) = Sample();
        var pairs = product.Pairs(0.7);
        Assert.Equal($"PairSet: {pairs.PairCount} pairs of 30 images × 30 texts (Euclidean)", pairs.ToString());
        var cosine = new ApproximateFiberProduct(product.Images, product.Texts, FiberMetric.Cosine).Pairs(0.1);
        Assert.EndsWith("(Cosine)", cosine.ToString(), StringComparison.Ordinal);
        var profile = product.Profile([0.5, 0.7]);
        Assert.Equal(
            $"EpsilonProfile: 2 tolerances, |F_ε| = {profile.Counts[0]} at ε = 0.5 … {pairs.PairCount} at ε = 0.7",
            profile.ToString());
        Assert.True(pairs.ToString().Length < 100);
    }

    [Fact]
    public void Scores_SayUndefinedPrecision_WhenNothingIsWithinEpsilon()
    {
        var (product, truth) = Sample();
        var empty = product.Score(0, truth);
        Assert.Equal(0, empty.Pairs);
        Assert.Equal("ε = 0: |F_ε| = 0, 0 of 30 true pairs, precision undefined, recall 0.0 %, F1 0.000",
            empty.ToString());
        var some = product.Score(0.7, truth);
        Assert.Contains(
            $"|F_ε| = {some.Pairs}, {some.TruePositives} of 30 true pairs, precision "
            + $"{some.Precision.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)}", some.ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void AnalysisResults_PrintTheirNumbers()
    {
        var (product, truth) = Sample();
        var test = PairingPermutationNull.RecallAt(product, truth, 1, RetrievalDirection.ImageToText,
            permutations: 19, seed: 3);
        string text = test.ToString();
        Assert.StartsWith("recall@1 (ImageToText) = ", text, StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"p = {test.PValue:G3} (19 draws, seed 3; shuffled pairings"), text, StringComparison.Ordinal);

        var scores = Retrieval.Evaluate(product, truth, RetrievalDirection.TextToImage);
        Assert.StartsWith("TextToImage, 30 queries over 30 items: recall@1 ", scores.ToString(),
            StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"MRR {scores.MeanReciprocalRank:F3}"), scores.ToString(), StringComparison.Ordinal);

        var certified = Robustness.Certify(product.Pairs(0.7), 0.7);
        Assert.StartsWith($"{certified.Pairs.PairCount} pairs within ε = 0.7, certified radii up to ",
            certified.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.Double[]", certified.ToString(), StringComparison.Ordinal);

        var dimension = new DimensionEstimate(15.26, 14.91, 15.73, 0.95, 500, DimensionEstimate.BootstrapOverPoints);
        Assert.Equal("15.3 [14.9, 15.7] (95 %, 500 points; interval: sampling noise, not bias)", dimension.ToString());
    }
}
