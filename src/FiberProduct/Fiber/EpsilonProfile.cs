namespace FiberProduct.Fiber;

/// <summary>
/// The step function ε ↦ |F_ε| (T3) sampled at the requested tolerances, from one pass over the data; optionally
/// the sorted float64 distances of every pair within the largest tolerance, i.e. the exact step function.
/// </summary>
public sealed class EpsilonProfile
{
    internal EpsilonProfile(double[] epsilons, long[] counts, double[]? sortedDistances)
    {
        this.epsilons = epsilons;
        this.counts = counts;
        this.sortedDistances = sortedDistances;
    }

    private readonly double[] epsilons;
    private readonly long[] counts;
    private readonly double[]? sortedDistances;

    /// <summary>The tolerances, in the order they were given.</summary>
    public ReadOnlySpan<double> Epsilons => epsilons;

    /// <summary>|F_ε| for each tolerance, aligned with <see cref="Epsilons"/>.</summary>
    public ReadOnlySpan<long> Counts => counts;

    /// <summary>Whether <see cref="SortedDistances"/> was requested.</summary>
    public bool HasDistances => sortedDistances is not null;

    /// <summary>Every distance ≤ the largest tolerance, ascending (empty unless requested).</summary>
    public ReadOnlySpan<double> SortedDistances => sortedDistances;

    /// <summary>A one-line summary: how many tolerances, their range and the counts at its ends, not every
    /// step.</summary>
    /// <returns>For instance "EpsilonProfile: 3 tolerances, |F_ε| = 1 at ε = 1.1 … 127126 at ε = 1.3".</returns>
    public override string ToString() => epsilons.Length == 0 ? "EpsilonProfile: no tolerance"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"EpsilonProfile: {epsilons.Length} tolerances, |F_ε| = {counts[0]} at ε = {epsilons[0]:G6} … "
            + $"{counts[^1]} at ε = {epsilons[^1]:G6}{(HasDistances ? ", with the sorted distances" : "")}");
}
