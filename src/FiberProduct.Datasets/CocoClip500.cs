using System.Text.Json;
using FiberProduct.Embedding;
using FiberProduct.IO;

namespace FiberProduct.Datasets;

/// <summary>
/// COCO-CLIP-500: CLIP ViT-B/16 embeddings of 500 COCO val2017 images and one caption each, L2-normalised, plus the
/// same pairs through a randomly initialised CLIP as a negative control. The embeddings come unchanged from the
/// repository of "Mind the Gap" (Liang et al., NeurIPS 2022; MIT licence); the captions from the COCO 2017 annotations
/// (CC BY 4.0). Shipped as embedded resources, so loading needs no file and no network.
/// </summary>
public static class CocoClip500
{
    private const string Folder = "coco-clip-500/";

    /// <summary>The pretrained CLIP embeddings: images and captions that do line up.</summary>
    /// <returns>A new copy of the 500 pairs: two float32 sets of 500 × 512 L2-normalised vectors (row i of each a true
    /// pair; squared norms within about 10^-3 of 1, so use <c>Normalize()</c> where exact unit length matters), the
    /// captions and COCO file names, and the licence notice. Read from the assembly's resources on each call (about
    /// 2 MB).</returns>
    /// <example>
    /// <code>
    /// var data = CocoClip500.Pretrained();
    /// var fiber = new ApproximateFiberProduct(data.Images, data.Texts);   // FiberProduct.Fiber
    /// long size = fiber.Count(1.2);                                      // |F_ε| at ε = 1.2
    /// AlignmentScore best = fiber.BestF1(data.Truth);                   // the ε that best recovers the true pairs
    /// var control = CocoClip500.RandomInit();                           // the same pairs, untrained: no alignment
    /// </code>
    /// </example>
    public static PairedEmbeddings Pretrained() => Load("features_clip.npy",
        "COCO-CLIP-500 (pretrained CLIP ViT-B/16)");

    /// <summary>The random-init control: the same 500 pairs through an untrained CLIP (no alignment beyond
    /// chance).</summary>
    /// <returns>A new copy of the 500 pairs, as <see cref="Pretrained"/> returns them, with the untrained model's
    /// embeddings.</returns>
    public static PairedEmbeddings RandomInit() => Load("features_clip_random.npy",
        "COCO-CLIP-500 (random-init control)");

    /// <summary>The licence notice and provenance of the data (the README and MIT licence shipped with them).</summary>
    public static string Notice => ReadText("README.md") + Environment.NewLine + ReadText("LICENSE-embeddings.txt");

    /// <summary>
    /// One of the shipped files as it is: features_clip.npy, features_clip_random.npy (NumPy (2, 500, 512) float32),
    /// captions.json, README.md or LICENSE-embeddings.txt. The caller disposes the stream.
    /// </summary>
    /// <param name="name">The file name, exactly as listed (case-sensitive).</param>
    /// <returns>A new read-only stream over the embedded resource.</returns>
    /// <exception cref="ArgumentException">No file of that name is shipped.</exception>
    public static Stream OpenFile(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return typeof(CocoClip500).Assembly.GetManifestResourceStream(Folder + name)
            ?? throw new ArgumentException(
                $"COCO-CLIP-500 ships no file '{name}'; it has features_clip.npy, features_clip_random.npy, "
                + $"captions.json, README.md and LICENSE-embeddings.txt.", nameof(name));
    }

    private static PairedEmbeddings Load(string file, string name)
    {
        EmbeddingSet images, texts;
        using (var stream = OpenFile(file)) (images, texts) = EmbeddingSet.SplitModalities(Npy.Read(stream));
        var (captions, imageFiles) = ReadCaptions(images.Count);
        return new PairedEmbeddings(name, images, texts, captions, imageFiles, Notice);
    }

    private static (string[] Captions, string[] ImageFiles) ReadCaptions(int count)
    {
        using var stream = OpenFile("captions.json");
        using var document = JsonDocument.Parse(stream);
        var captions = new string[count];
        var files = new string[count];
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            int index = entry.GetProperty("index").GetInt32();
            captions[index] = entry.GetProperty("caption").GetString() ?? "";
            files[index] = entry.GetProperty("coco_image").GetString() ?? "";
        }
        if (Array.IndexOf(captions, null) is var missing and >= 0)
            throw new InvalidDataException($"captions.json has no caption for row {missing}.");
        return (captions, files);
    }

    private static string ReadText(string name)
    {
        using var reader = new StreamReader(OpenFile(name));
        return reader.ReadToEnd();
    }
}
