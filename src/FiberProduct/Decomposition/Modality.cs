namespace FiberProduct.Decomposition;

/// <summary>The two modalities of paired data.</summary>
public enum Modality
{
    /// <summary>The images f(𝒫).</summary>
    Images,

    /// <summary>The texts g(𝒬).</summary>
    Texts,
}
