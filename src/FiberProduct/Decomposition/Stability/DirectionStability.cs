namespace FiberProduct.Decomposition;

/// <summary>
/// How stable one full-data direction of Z_s is under subsampling (<see cref="SharedSubspaceStability"/>).
/// </summary>
/// <param name="Index">The direction's column in the full-data basis of Z_s (0 = most shared).</param>
/// <param name="StableFraction">The share of subsamples in which the direction lies within the angle of the
/// subsample's Z_s.</param>
/// <param name="Lower">Lower end of the Wilson interval of <paramref name="StableFraction"/>: it covers the Monte Carlo
/// error of the finite number of subsamples, not the variation between data sets.</param>
/// <param name="Upper">Upper end of that interval.</param>
/// <param name="MedianAngleDegrees">The median over subsamples of the angle between the direction and the subsample's
/// Z_s (90° when the subsample has no shared directions).</param>
public sealed record DirectionStability(int Index, double StableFraction, double Lower, double Upper,
    double MedianAngleDegrees);
