namespace FiberProduct.Analysis;

/// <summary>Which modality asks and which is ranked.</summary>
public enum RetrievalDirection
{
    /// <summary>Each image ranks all texts (image→text retrieval).</summary>
    ImageToText,

    /// <summary>Each text ranks all images (text→image retrieval).</summary>
    TextToImage,
}
