using FiberProduct.Datasets;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The real CLIP embeddings of 500 COCO pairs (FiberProduct.Datasets), against counts computed independently by
/// benchmarks/peers/exact_count.py (NumPy, every candidate distance recomputed in float64).
/// </summary>
public class RealDataTests
{
    private static PairedEmbeddings Load(string file) =>
        file == "features_clip.npy" ? CocoClip500.Pretrained() : CocoClip500.RandomInit();

    [Theory]
    [InlineData("features_clip.npy", 1.1, 1L)]
    [InlineData("features_clip.npy", 1.129, 27L)]
    [InlineData("features_clip.npy", 1.15, 152L)]
    [InlineData("features_clip.npy", 1.175, 1128L)]
    [InlineData("features_clip.npy", 1.2, 5303L)]
    [InlineData("features_clip.npy", 1.25, 31663L)]
    [InlineData("features_clip.npy", 1.299, 124170L)]
    [InlineData("features_clip.npy", 1.3, 127126L)]
    [InlineData("features_clip.npy", 2.0, 250000L)]
    [InlineData("features_clip_random.npy", 1.31, 2L)]
    [InlineData("features_clip_random.npy", 1.35, 3569L)]
    [InlineData("features_clip_random.npy", 1.395, 124152L)]
    [InlineData("features_clip_random.npy", 1.44, 248044L)]
    public void Count_MatchesNumPyFloat64GroundTruth(string file, double epsilon, long expected)
    {
        var (images, texts) = (Load(file).Images, Load(file).Texts);
        Assert.Equal((500, 512), (images.Count, images.Dimension));
        var product = new ApproximateFiberProduct(images, texts);
        Assert.Equal(expected, product.Count(epsilon));
        Assert.Equal(expected, product.Profile([epsilon, epsilon / 2]).Counts[0]);
    }

    [Fact]
    public void Pairs_EqualBruteForce_OnClip()
    {
        var data = CocoClip500.Pretrained();
        var (images, texts) = (data.Images, data.Texts);
        var product = new ApproximateFiberProduct(images, texts);
        Assert.Equal(BruteForce.Pairs(images, texts, 1.2), product.Pairs(1.2).ToList());
    }
}
