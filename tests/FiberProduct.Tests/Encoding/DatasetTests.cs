using FiberProduct.Datasets;

namespace FiberProduct.Tests.Encoding;

/// <summary>The bundled COCO-CLIP-500 data set loads in one call, with captions and its notice.</summary>
public class DatasetTests
{
    [Fact]
    public void Pretrained_AndControl_Load()
    {
        var data = CocoClip500.Pretrained();
        Assert.Equal((500, 512, 500, 512), (data.Images.Count, data.Images.Dimension,
            data.Texts.Count, data.Texts.Dimension));
        Assert.Equal(500, data.Captions.Count);
        Assert.Equal("A motorcycle with its brake extended standing outside", data.Captions[0]);
        Assert.Equal("000000179765.jpg", data.ImageFiles[0]);
        Assert.Equal(500, data.Truth.Count);
        Assert.Contains("MIT", data.Notice, StringComparison.Ordinal);
        Assert.Contains("CC BY 4.0", data.Notice, StringComparison.Ordinal);
        for (int i = 0; i < 500; i += 37)
            // L2-normalised in float32 by the source, to within 3e-4
            Assert.Equal(1.0, Math.Sqrt(data.Images.SquaredNorm(i)), 1e-3);

        var control = CocoClip500.RandomInit();
        Assert.Equal(data.Captions, control.Captions);
        Assert.NotEqual(data.Images.Row(0).ToArray(), control.Images.Row(0).ToArray());
        Assert.Contains("random-init", control.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedFiles_OpenByName()
    {
        using (var readme = CocoClip500.OpenFile("README.md")) Assert.True(readme.Length > 1000);
        var e = Assert.Throws<ArgumentException>(() => CocoClip500.OpenFile("features.npy"));
        Assert.Contains("features.npy", e.Message, StringComparison.Ordinal);
    }
}
