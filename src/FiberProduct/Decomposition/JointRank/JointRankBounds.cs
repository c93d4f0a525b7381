namespace FiberProduct.Decomposition;

/// <summary>
/// How the joint rank was chosen: a direction of [V_I V_T] counts as joint when its squared singular value 1 + cos θ
/// exceeds both thresholds (AJIVE's rule, Feng, Jiang, Hannig and Marron 2018).
/// </summary>
/// <param name="RandomDirectionThreshold">The chosen percentile of the largest 1 + cos θ between random subspaces of
/// the two signal ranks: alignment beyond chance.</param>
/// <param name="WedinThreshold">1 + cos(θ_I + θ_T), θ the Wedin angle bounds of the two modalities: how far noise
/// can tilt a truly joint direction.</param>
/// <param name="ImageWedinSine">The Wedin bound on sin θ_I for the images' signal subspace.</param>
/// <param name="TextWedinSine">The Wedin bound on sin θ_T for the texts' signal subspace.</param>
public sealed record JointRankBounds(double RandomDirectionThreshold, double WedinThreshold, double ImageWedinSine,
    double TextWedinSine)
{
    /// <summary>The threshold actually applied: the larger of the two.</summary>
    public double Threshold => Math.Max(RandomDirectionThreshold, WedinThreshold);
}
