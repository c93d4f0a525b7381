using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Decomposition;

/// <summary>
/// Whether the shared subspace Z_s of a decomposition carries the pairing: along each direction u of Z_s, the
/// correlation over pairs of the image scores ⟨x_i − μ_I, u⟩ with the text scores ⟨y_i − μ_T, u⟩, against
/// its null under shuffled pairings (a seeded permutation test). A subspace can hold most of both modalities' variance
/// while its paired correlation is no better than chance: AJIVE (<see cref="SubspaceDecomposition.Estimate"/>) looks at
/// each modality's spread apart and never at which text belongs to which image.
/// </summary>
/// <remarks>
/// <para>The null is exact for <see cref="SubspaceDecomposition.Estimate"/>: its Z_s does not change when the pairing
/// is shuffled, so under "no pairing" the observed correlations are exchangeable with the shuffled ones and p = (1
/// + #{shuffled ≥ observed}) / (1 + shuffles) is a valid one-sided p-value. For
/// <see cref="SubspaceDecomposition.EstimateByCca"/> the directions were fitted to the pairing, so these p-values are
/// too small; its own permutation threshold (the joint rank it chose) is the test to use there.</para>
/// </remarks>
public sealed class PairingCheck
{
    private readonly double[] correlations;
    private readonly double[] pValues;
    private readonly double[] nullMeans;

    private PairingCheck(double[] correlations, double[] pValues, double[] nullMeans, double meanPValue, double band)
    {
        this.correlations = correlations;
        this.pValues = pValues;
        this.nullMeans = nullMeans;
        MeanCorrelationPValue = meanPValue;
        NullBand = band;
    }

    /// <summary>Per direction of Z_s (in its basis order), the paired correlation of image and text scores (0 where
    /// either has no spread).</summary>
    public ReadOnlySpan<double> Correlations => correlations;

    /// <summary>Per direction, the one-sided permutation p-value of its paired correlation.</summary>
    public ReadOnlySpan<double> PValues => pValues;

    /// <summary>The mean paired correlation over the directions of Z_s (NaN when Z_s is empty).</summary>
    public double MeanCorrelation => correlations.Length == 0 ? double.NaN : correlations.Average();

    /// <summary>The permutation p-value of <see cref="MeanCorrelation"/> (one shuffle moves all directions
    /// together).</summary>
    public double MeanCorrelationPValue { get; }

    /// <summary>The mean paired correlation under each shuffled pairing: the null distribution.</summary>
    public ReadOnlySpan<double> NullMeanCorrelations => nullMeans;

    /// <summary>The 95th percentile of <see cref="NullMeanCorrelations"/>: a mean correlation below it is within
    /// chance.</summary>
    public double NullBand { get; }

    /// <summary>The directions whose p-value is at most <paramref name="alpha"/> after Holm's step-down correction over
    /// the directions of Z_s.</summary>
    /// <param name="alpha">The family-wise error rate, in (0, 1).</param>
    /// <returns>The number of directions, 0 … dim Z_s, whose paired correlation is significant at family-wise
    /// level α.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not in (0, 1).</exception>
    public int PairedDirectionCount(double alpha = 0.05)
    {
        if (!(alpha > 0 && alpha < 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The error rate must lie in (0, 1).");
        var sorted = pValues.Order().ToArray();
        int count = 0;
        while (count < sorted.Length && sorted[count] <= alpha / (sorted.Length - count)) count++;
        return count;
    }

    /// <summary>Tests the pairing along each direction of the decomposition's Z_s.</summary>
    /// <param name="decomposition">The decomposition whose Z_s is tested (its centring offsets are used).</param>
    /// <param name="images">The images, row i paired with text i.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="shuffles">Seeded shuffled pairings drawn for the null; at least 1 (default 999).</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="maxDegreeOfParallelism">The most threads used (−1: one per processor). Each shuffle has a seeded
    /// generator of its own, so the result does not depend on it.</param>
    /// <param name="progress">Receives the fraction of shuffles done.</param>
    /// <param name="cancellationToken">Stops between shuffles.</param>
    /// <returns>
    /// Per direction of Z_s its paired correlation (in [−1, 1]) and one-sided p-value (in (0, 1], at least 1/(1
    /// + shuffles)), the mean correlation with its p-value, and the null of the mean. Cost O(N·d·r) for the scores, r
    /// = dim Z_s, plus O(shuffles·N·r).
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count, or their dimension is not the
    /// decomposition's.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shuffles"/> is below 1, or the thread count is 0
    /// or below −1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// var decomposition = SubspaceDecomposition.Estimate(images, texts);
    /// var check = PairingCheck.Evaluate(decomposition, images, texts, shuffles: 999, seed: 1);
    /// Console.WriteLine($"mean r = {check.MeanCorrelation:F3} (p = {check.MeanCorrelationPValue:F3}, "
    ///     + $"null 95 % band {check.NullBand:F3}); "
    ///     + $"{check.PairedDirectionCount(0.05)} of {decomposition.Shared.Rank} directions paired");
    /// </code>
    /// </example>
    public static PairingCheck Evaluate(SubspaceDecomposition decomposition, EmbeddingSet images, EmbeddingSet texts,
        int shuffles = 999, int seed = 0, int maxDegreeOfParallelism = -1, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decomposition);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        var scope = new ExecutionScope(maxDegreeOfParallelism, progress, cancellationToken);
        if (shuffles < 1)
            throw new ArgumentOutOfRangeException(nameof(shuffles), shuffles, "At least 1 shuffle is needed.");
        if (images.Count != texts.Count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Paired data need as many texts as images; got {images.Count} images and {texts.Count} texts."),
                nameof(texts));
        foreach (var (set, name) in new[] { (images, nameof(images)), (texts, nameof(texts)) })
            if (set.Dimension != decomposition.Dimension)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The decomposition is of R^{decomposition.Dimension}; got R^{set.Dimension}."), name);

        var basis = decomposition.Shared.Basis;
        int n = images.Count, rs = basis.ColumnCount;
        var a = CentredScores(images, decomposition.ImageMean, basis, scope);
        var b = CentredScores(texts, decomposition.TextMean, basis, scope);
        var observed = PairedCorrelations(a, b, null);
        var exceed = new int[rs];
        int meanExceed = 0;
        double observedMean = rs == 0 ? double.NaN : observed.Average();
        var nullMeans = new double[shuffles];
        // Each shuffle has a seeded generator of its own, so the shuffles run in parallel and the null does not depend
        // on the thread count (as the decomposition's resampled bounds).
        var shuffled = new double[shuffles][];
        scope.For(0, shuffles, s =>
        {
            var random = new Random(unchecked(seed * 1_000_003 + 11 * 7_919 + s));
            var order = Enumerable.Range(0, n).ToArray();
            random.Shuffle(order);
            shuffled[s] = PairedCorrelations(a, b, order);
        }, reportEvery: 16);
        for (int s = 0; s < shuffles; s++)
        {
            for (int j = 0; j < rs; j++) if (shuffled[s][j] >= observed[j]) exceed[j]++;
            nullMeans[s] = rs == 0 ? double.NaN : shuffled[s].Average();
            if (nullMeans[s] >= observedMean) meanExceed++;
        }
        var p = exceed.Select(e => (1.0 + e) / (1.0 + shuffles)).ToArray();
        double meanP = rs == 0 ? double.NaN : (1.0 + meanExceed) / (1.0 + shuffles);
        double band = rs == 0 ? double.NaN : Quantiles.OfSorted(nullMeans.Order().ToArray(), 0.95);
        return new PairingCheck(observed, p, nullMeans, meanP, band);
    }

    /// <summary>
    /// The r columns of the N × r scores of the rows on the basis, centred by the given mean, each column centred
    /// again in double; rows in the scope.
    /// </summary>
    private static double[][] CentredScores(EmbeddingSet set, IReadOnlyList<double> mean, Matrix<double> basis,
        ExecutionScope scope)
    {
        var columns = PrincipalScores.Of(set, mean, basis, scope);
        int n = set.Count;
        foreach (var column in columns)
        {
            double m = column.Average();
            for (int i = 0; i < n; i++) column[i] -= m;
        }
        return columns;
    }

    /// <summary>Per column j, corr(a_j, b_j) with b's rows taken in the given order (identity when null).</summary>
    private static double[] PairedCorrelations(double[][] a, double[][] b, int[]? order)
    {
        var result = new double[a.Length];
        for (int j = 0; j < a.Length; j++)
        {
            var (x, y) = (a[j], b[j]);
            double ab = 0, aa = 0, bb = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double xi = x[i], yi = y[order is null ? i : order[i]];
                ab += xi * yi; aa += xi * xi; bb += yi * yi;
            }
            result[j] = aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
        }
        return result;
    }
}
