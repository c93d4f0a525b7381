using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Datasets;

/// <summary>
/// A data set of paired image and text embeddings: row i of <see cref="Images"/> and row i of <see cref="Texts"/> embed
/// image i and its caption <see cref="Captions"/>[i], so the true pairs are the diagonal.
/// </summary>
public sealed class PairedEmbeddings
{
    internal PairedEmbeddings(string name, EmbeddingSet images, EmbeddingSet texts, IReadOnlyList<string> captions,
        IReadOnlyList<string> imageFiles, string notice)
    {
        Name = name;
        Images = images;
        Texts = texts;
        Captions = captions;
        ImageFiles = imageFiles;
        Notice = notice;
    }

    /// <summary>A short name for reports.</summary>
    public string Name { get; }

    /// <summary>f(𝒫): one embedding per image.</summary>
    public EmbeddingSet Images { get; }

    /// <summary>g(𝒬): one embedding per caption, row i pairs with image i.</summary>
    public EmbeddingSet Texts { get; }

    /// <summary>The caption text of each row.</summary>
    public IReadOnlyList<string> Captions { get; }

    /// <summary>The source image file name of each row (for COCO, the val2017 file name).</summary>
    public IReadOnlyList<string> ImageFiles { get; }

    /// <summary>The true pairs (i, i).</summary>
    public Pairing Truth => Pairing.Diagonal(Images.Count);

    /// <summary>Provenance and licences of the data, to keep with anything derived from them.</summary>
    public string Notice { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Images.Count} pairs in R^{Images.Dimension}";
}
