using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// Retrieval against a known pairing, in one direction, from exact ranks (see <see cref="Retrieval"/> for the
/// definition of the rank with ties). Only queries with at least one true partner are scored.
/// </summary>
public sealed class RetrievalScores
{
    private readonly int[] queries;
    private readonly int[] firstRanks;
    private readonly double[] averagePrecisions;

    internal RetrievalScores(RetrievalDirection direction, int items, int[] queries, int[] firstRanks,
        double[] averagePrecisions)
    {
        Direction = direction;
        Items = items;
        this.queries = queries;
        this.firstRanks = firstRanks;
        this.averagePrecisions = averagePrecisions;
    }

    /// <summary>Image→text or text→image.</summary>
    public RetrievalDirection Direction { get; }

    /// <summary>The number of items each query ranks (texts for image→text, images for text→image).</summary>
    public int Items { get; }

    /// <summary>The number of scored queries (those with a true partner).</summary>
    public int QueryCount => queries.Length;

    /// <summary>The scored queries' indices (images for image→text), ascending.</summary>
    public ReadOnlySpan<int> Queries => queries;

    /// <summary>Per scored query, the rank of its best-ranked true partner (1 = nearest).</summary>
    public ReadOnlySpan<int> FirstRelevantRanks => firstRanks;

    /// <summary>Per scored query, its average precision.</summary>
    public ReadOnlySpan<double> AveragePrecisions => averagePrecisions;

    /// <summary>Recall@K: the fraction of queries whose best-ranked true partner has rank ≤ K.</summary>
    /// <param name="k">K ≥ 1 (above <see cref="Items"/> it gives 1).</param>
    /// <returns>The fraction, in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">No query was scored.</exception>
    public double RecallAt(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        RequireQueries();
        return (double)firstRanks.Count(r => r <= k) / firstRanks.Length;
    }

    /// <summary>The mean reciprocal rank: the mean over queries of 1 / rank of the best-ranked true partner.</summary>
    /// <exception cref="InvalidOperationException">No query was scored.</exception>
    public double MeanReciprocalRank
    {
        get
        {
            RequireQueries();
            return firstRanks.Sum(r => 1.0 / r) / firstRanks.Length;
        }
    }

    /// <summary>The median over queries of the rank of the best-ranked true partner (the mean of the middle two for an
    /// even count).</summary>
    /// <exception cref="InvalidOperationException">No query was scored.</exception>
    public double MedianRank
    {
        get
        {
            RequireQueries();
            return Quantiles.Median(Array.ConvertAll(firstRanks, r => (double)r));
        }
    }

    /// <summary>The mean average precision: the mean over queries of <see cref="AveragePrecisions"/>.</summary>
    /// <exception cref="InvalidOperationException">No query was scored.</exception>
    public double MeanAveragePrecision
    {
        get
        {
            RequireQueries();
            return averagePrecisions.Average();
        }
    }

    private void RequireQueries()
    {
        if (queries.Length == 0)
            throw new InvalidOperationException("No query has a true partner; retrieval scores are undefined.");
    }

    /// <summary>The usual retrieval numbers in one line (recall@1, @5, @10, MRR, median rank, mAP).</summary>
    /// <returns>For instance "ImageToText, 500 queries over 500 items: recall@1 55.4 %, … mAP 0.668".</returns>
    public override string ToString() => queries.Length == 0
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Direction}: no query has a true partner")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Direction}, {QueryCount} queries over {Items} items: recall@1 {RecallAt(1):P1}, recall@5 "
            + $"{RecallAt(5):P1}, recall@10 {RecallAt(10):P1}, MRR {MeanReciprocalRank:F3}, median rank "
            + $"{MedianRank:G4}, mAP {MeanAveragePrecision:F3}");
}
