using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// A headline number beside its null: the observed value, a Monte Carlo p-value and the band the statistic falls in
/// under the null.
/// </summary>
/// <remarks>
/// The p-value is (b + 1)/(B + 1), b the number of the B null draws at least as extreme as the observed value (ties
/// count against the observation): under the null it is never below the level it claims, whatever B (Phipson and
/// Smyth 2010), and it is never 0. The band is the central percentile interval of the null draws.
/// </remarks>
public sealed class NullTest
{
    private readonly double[] samples;

    internal NullTest(string statistic, string nullModel, double observed, double[] samples, NullTail tail,
        double bandCoverage, int seed)
    {
        Statistic = statistic;
        NullModel = nullModel;
        Observed = observed;
        Tail = tail;
        BandCoverage = bandCoverage;
        Seed = seed;
        int extreme = tail == NullTail.Upper ? samples.Count(s => s >= observed) : samples.Count(s => s <= observed);
        PValue = (extreme + 1.0) / (samples.Length + 1.0);
        NullMean = samples.Average();
        (BandLower, BandUpper) = Quantiles.CentralInterval(samples, bandCoverage); // sorts the draws
        this.samples = samples;
    }

    /// <summary>What was measured (for instance "best F1").</summary>
    public string Statistic { get; }

    /// <summary>The null law the draws come from, and its caveat.</summary>
    public string NullModel { get; }

    /// <summary>The statistic on the data.</summary>
    public double Observed { get; }

    /// <summary>Which values count as extreme.</summary>
    public NullTail Tail { get; }

    /// <summary>The Monte Carlo p-value (b + 1)/(B + 1).</summary>
    public double PValue { get; }

    /// <summary>The mean of the null draws.</summary>
    public double NullMean { get; }

    /// <summary>The lower end of the null band.</summary>
    public double BandLower { get; }

    /// <summary>The upper end of the null band.</summary>
    public double BandUpper { get; }

    /// <summary>The nominal coverage of the null band.</summary>
    public double BandCoverage { get; }

    /// <summary>The seed of the draws: the same seed gives the same draws.</summary>
    public int Seed { get; }

    /// <summary>The number B of null draws.</summary>
    public int Draws => samples.Length;

    /// <summary>The null draws, ascending.</summary>
    public ReadOnlySpan<double> NullDraws => samples;

    /// <summary>The observation beside its null in one line: band, mean, p-value, draws and law.</summary>
    /// <returns>For instance "best F1 = 0.358; null 95 % band [0.004, 0.009], mean 0.006, p = 0.01 (99 draws, seed 1;
    /// shuffled pairings: …)".</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Statistic} = {Observed:G4}; null {BandCoverage:P0} band [{BandLower:G4}, {BandUpper:G4}], mean "
        + $"{NullMean:G4}, p = {PValue:G3} ({Draws} draws, seed {Seed}; {NullModel})");
}
