namespace FiberProduct.Decomposition;

/// <summary>Settings of <see cref="SubspaceDecomposition.Estimate"/>. Every rank left null is chosen from the
/// data.</summary>
public sealed record DecompositionOptions
{
    /// <summary>The rank of the images' signal subspace; null chooses it by Gavish and Donoho's optimal hard threshold
    /// on the singular values.</summary>
    public int? ImageSignalRank { get; init; }

    /// <summary>The rank of the texts' signal subspace; null chooses it by Gavish and Donoho's optimal hard threshold
    /// on the singular values.</summary>
    public int? TextSignalRank { get; init; }

    /// <summary>The dimension of Z_s; null chooses it by the random-direction and Wedin bounds (see
    /// <see cref="JointRankBounds"/>).</summary>
    public int? JointRank { get; init; }

    /// <summary>Random subspace pairs drawn for the random-direction bound (default 200).</summary>
    public int RandomDirectionSamples { get; init; } = 200;

    /// <summary>Resampled random frames for each modality's Wedin bound (default 200).</summary>
    public int WedinSamples { get; init; } = 200;

    /// <summary>The percentile taken of both resampled distributions, the random-direction and the Wedin one
    /// (default 95).</summary>
    public double Percentile { get; init; } = 95;

    /// <summary>Seed of the random directions: the same seed gives the same decomposition.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// The most threads an estimation uses (default −1: one per processor; 1 runs on the calling thread alone). Every
    /// sample has a seeded generator of its own, so the decomposition does not depend on it.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
