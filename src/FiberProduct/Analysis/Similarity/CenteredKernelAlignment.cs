using FiberProduct.Embedding;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Analysis;

/// <summary>
/// Representation similarity of paired embeddings by centred kernel alignment (Kornblith, Norouzi, Lee and Hinton
/// 2019): CKA = ⟨K̃, L̃⟩_F / (‖K̃‖_F ‖L̃‖_F), K̃ = HKH and L̃ = HLH the centred Gram matrices of the images and the texts
/// (row i of each a pair), H = I − 11ᵀ/N. Linear kernels give linear CKA, ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) for centred
/// X, Y; Gaussian kernels give RBF CKA. 1 for identical representations, invariant to rotations and scaling of
/// either side.
/// </summary>
/// <remarks>
/// <para>Memory and time: two N × N matrices of doubles (N = 10,000: 1.6 GB) and O(N²·d) arithmetic, in float64.</para>
/// <para>The null permutes the pairing (row i of the images against row π(i) of the texts): L̃ becomes P L̃ Pᵀ, so each
/// draw costs one pass over the N² entries.</para>
/// </remarks>
public static class CenteredKernelAlignment
{
    /// <summary>Linear CKA of paired embeddings.</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts (any dimension).</param>
    /// <param name="cancellationToken">Cancels the Gram matrices.</param>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is constant (its centred Gram matrix is 0).</exception>
    public static double Linear(EmbeddingSet images, EmbeddingSet texts, CancellationToken cancellationToken = default)
    {
        var (k, l) = Grams(images, texts, bandwidthFraction: null, cancellationToken);
        return Alignment(k, l, Identity(k.GetLength(0)));
    }

    /// <summary>RBF CKA of paired embeddings: K_ij = exp(−‖x_i − x_j‖² / (2σ²)), σ = the fraction × the median distance
    /// between distinct rows of that set (each set its own σ, as Kornblith et al. do).</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts (any dimension).</param>
    /// <param name="bandwidthFraction">σ as a fraction of the median distance, positive and finite (default 0.8).</param>
    /// <param name="cancellationToken">Cancels the Gram matrices.</param>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is constant.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not positive and finite.</exception>
    public static double Rbf(EmbeddingSet images, EmbeddingSet texts, double bandwidthFraction = 0.8, CancellationToken cancellationToken = default)
    {
        CheckFraction(bandwidthFraction);
        var (k, l) = Grams(images, texts, bandwidthFraction, cancellationToken);
        return Alignment(k, l, Identity(k.GetLength(0)));
    }

    /// <summary>Linear CKA against shuffled pairings.</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is constant.</exception>
    /// <exception cref="ArgumentOutOfRangeException">B below 1 or the coverage outside (0, 1).</exception>
    public static NullTest LinearTest(EmbeddingSet images, EmbeddingSet texts, int permutations = 999, int seed = 0, double bandCoverage = 0.95,
        CancellationToken cancellationToken = default)
    {
        PairingPermutationNull.CheckDraws(NullTail.Upper, permutations, bandCoverage);
        var (k, l) = Grams(images, texts, bandwidthFraction: null, cancellationToken);
        return Draws(k, l, "linear CKA", permutations, seed, bandCoverage, cancellationToken);
    }

    /// <summary>RBF CKA against shuffled pairings.</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="bandwidthFraction">σ as a fraction of the median distance (default 0.8).</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="cancellationToken">Cancels between draws.</param>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is constant.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not positive and finite, B below 1, or the coverage outside (0, 1).</exception>
    public static NullTest RbfTest(EmbeddingSet images, EmbeddingSet texts, double bandwidthFraction = 0.8, int permutations = 999, int seed = 0,
        double bandCoverage = 0.95, CancellationToken cancellationToken = default)
    {
        CheckFraction(bandwidthFraction);
        PairingPermutationNull.CheckDraws(NullTail.Upper, permutations, bandCoverage);
        var (k, l) = Grams(images, texts, bandwidthFraction, cancellationToken);
        return Draws(k, l, Resampling.Invariant($"RBF CKA (σ = {bandwidthFraction} × median distance)"), permutations, seed, bandCoverage, cancellationToken);
    }

    private static NullTest Draws(double[,] k, double[,] l, string name, int permutations, int seed, double bandCoverage, CancellationToken cancellationToken)
    {
        int n = k.GetLength(0);
        double observed = Alignment(k, l, Identity(n));
        var random = new Random(seed);
        var samples = new double[permutations];
        for (int b = 0; b < permutations; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            samples[b] = Alignment(k, l, Resampling.Permutation(random, n));
        }
        return new NullTest(name, "shuffled pairings: text rows permuted against the image rows", observed, samples, NullTail.Upper, bandCoverage, seed);
    }

    private static void CheckFraction(double bandwidthFraction)
    {
        if (!(bandwidthFraction > 0 && double.IsFinite(bandwidthFraction)))
            throw new ArgumentOutOfRangeException(nameof(bandwidthFraction), bandwidthFraction, "Expected a positive, finite fraction of the median distance.");
    }

    private static int[] Identity(int n) => Enumerable.Range(0, n).ToArray();

    /// <summary>⟨K̃, P L̃ Pᵀ⟩_F / (‖K̃‖_F ‖L̃‖_F) for centred K̃, L̃: Σ_ij K̃_ij L̃_π(i)π(j) over the norms.</summary>
    private static double Alignment(double[,] k, double[,] l, int[] pi)
    {
        int n = k.GetLength(0);
        double cross = 0, kk = 0, ll = 0;
        for (int i = 0; i < n; i++)
        {
            int pi_i = pi[i];
            for (int j = 0; j < n; j++)
            {
                cross += k[i, j] * l[pi_i, pi[j]];
                kk += k[i, j] * k[i, j];
                ll += l[i, j] * l[i, j];
            }
        }
        return cross / Math.Sqrt(kk * ll);
    }

    /// <summary>The two centred Gram matrices (linear when the fraction is null, Gaussian otherwise).</summary>
    private static (double[,] K, double[,] L) Grams(EmbeddingSet images, EmbeddingSet texts, double? bandwidthFraction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (images.Count != texts.Count)
            throw new ArgumentException(Resampling.Invariant($"Expected paired rows: {images.Count} images but {texts.Count} texts."), nameof(texts));
        if (images.Count < 2) throw new ArgumentException(Resampling.Invariant($"Expected at least 2 pairs; got {images.Count}."), nameof(images));
        return (Centred(images, bandwidthFraction, nameof(images), cancellationToken), Centred(texts, bandwidthFraction, nameof(texts), cancellationToken));
    }

    private static double[,] Centred(EmbeddingSet set, double? bandwidthFraction, string argument, CancellationToken cancellationToken)
    {
        int n = set.Count;
        var gram = new double[n, n];
        var rows = Enumerable.Range(0, n).Select(set.RowAsDouble).ToArray(); // either precision, widened exactly
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int j = i; j < n; j++)
            {
                double value = bandwidthFraction is null ? ReferenceSums.Dot(rows[i], rows[j]) : Math.Sqrt(ReferenceSums.SquaredEuclidean(rows[i], rows[j]));
                gram[i, j] = gram[j, i] = value;
            }
        }
        if (bandwidthFraction is double fraction)
        {
            // gram holds distances here: σ from their median over distinct rows, then the Gaussian kernel.
            var distances = new double[n * (n - 1) / 2];
            for (int i = 0, p = 0; i < n; i++) for (int j = i + 1; j < n; j++) distances[p++] = gram[i, j];
            double sigma = fraction * Resampling.Median(distances);
            if (sigma == 0) throw new ArgumentException("The median distance between the rows is 0; the RBF bandwidth is undefined.", argument);
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) gram[i, j] = Math.Exp(-gram[i, j] * gram[i, j] / (2 * sigma * sigma));
        }
        // H G H: subtract row and column means, add the grand mean.
        var rowMeans = new double[n];
        double grand = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += gram[i, j];
            rowMeans[i] = s / n;
            grand += s;
        }
        grand /= (double)n * n;
        double norm = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                gram[i, j] = gram[i, j] - rowMeans[i] - rowMeans[j] + grand; // G is symmetric: column means are row means
                norm += gram[i, j] * gram[i, j];
            }
        if (norm == 0) throw new ArgumentException("Every row is the same after centring; CKA is undefined.", argument);
        return gram;
    }

    private static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int c = 0; c < x.Length; c++) s += (double)x[c] * y[c];
        return s;
    }
}
