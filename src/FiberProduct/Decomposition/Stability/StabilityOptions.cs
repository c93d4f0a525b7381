namespace FiberProduct.Decomposition;

/// <summary>Settings of <see cref="SharedSubspaceStability"/>.</summary>
public sealed record StabilityOptions
{
    /// <summary>Seeded subsamples drawn (default 50).</summary>
    public int Subsamples { get; init; } = 50;

    /// <summary>The share of the pairs each subsample keeps, drawn without replacement (default 0.8).</summary>
    public double Fraction { get; init; } = 0.8;

    /// <summary>A full-data direction counts as stable in a subsample when its angle to that subsample's Z_s is at most
    /// this many degrees (default 20).</summary>
    public double AngleDegrees { get; init; } = 20;

    /// <summary>The level of every interval of the report (default 0.95).</summary>
    public double Confidence { get; init; } = 0.95;

    /// <summary>Seed of the subsamples: the same seed gives the same report.</summary>
    public int Seed { get; init; }
}
