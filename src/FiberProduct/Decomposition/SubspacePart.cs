namespace FiberProduct.Decomposition;

/// <summary>The four mutually orthogonal parts of Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥.</summary>
public enum SubspacePart
{
    /// <summary>Z_s: directions both modalities vary along (shared semantics).</summary>
    Shared,

    /// <summary>Z_I: directions only the images vary along.</summary>
    ImageSpecific,

    /// <summary>Z_T: directions only the texts vary along.</summary>
    TextSpecific,

    /// <summary>Z_⊥: what neither modality's signal uses.</summary>
    Residual,
}
