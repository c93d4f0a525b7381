using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;
using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// Representation similarity of paired embeddings by centred kernel alignment (Kornblith, Norouzi, Lee and Hinton
/// 2019): CKA = ⟨K̃, L̃⟩_F / (‖K̃‖_F ‖L̃‖_F), K̃ = HKH and L̃ = HLH the centred Gram matrices of the
/// images and the texts (row i of each a pair), H = I − 11ᵀ/N. Linear kernels give linear CKA, ‖YᵀX‖²_F
/// / (‖XᵀX‖_F ‖YᵀY‖_F) for centred X, Y; Gaussian kernels give RBF CKA. 1 for identical representations,
/// invariant to rotations and scaling of either side.
/// </summary>
/// <remarks>
/// <para>Memory and time: two N × N matrices of doubles (N = 10,000: 1.6 GB) and O(N²·d) arithmetic, in float64, a
/// row at a time on up to <c>maxDegreeOfParallelism</c> threads. Every sum is made of per-row partial sums added in row
/// order, so the result does not depend on the thread count.</para>
/// <para>The null permutes the pairing (row i of the images against row π(i) of the texts): L̃ becomes P L̃ Pᵀ, so
/// each draw costs one pass over the N² entries; the permutations are drawn in order from one seeded generator.</para>
/// </remarks>
public static class CenteredKernelAlignment
{
    /// <summary>Linear CKA of paired embeddings.</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts (any dimension).</param>
    /// <param name="maxDegreeOfParallelism">The most threads used (−1: one per processor).</param>
    /// <param name="progress">The fraction done.</param>
    /// <param name="cancellationToken">Cancels the Gram matrices.</param>
    /// <returns>Linear CKA, in [0, 1]: 1 when the texts are a rotation and scaling of the images, near 0 for unrelated
    /// representations (it stays above 0 for finite N even then: compare with <see cref="LinearTest"/>).</returns>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is constant (its
    /// centred Gram matrix is 0).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The thread count is 0 or below −1.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// double linear = CenteredKernelAlignment.Linear(images, texts);
    /// double rbf = CenteredKernelAlignment.Rbf(images, texts, bandwidthFraction: 0.8);
    /// var test = CenteredKernelAlignment.LinearTest(images, texts, permutations: 999, seed: 1);
    /// Console.WriteLine($"CKA {linear:F3} (RBF {rbf:F3}); "
    ///     + $"shuffled: [{test.BandLower:F3}, {test.BandUpper:F3}], p = {test.PValue:F3}");
    /// </code>
    /// </example>
    public static double Linear(EmbeddingSet images, EmbeddingSet texts, int maxDegreeOfParallelism = -1,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var scope = new ExecutionScope(maxDegreeOfParallelism, progress, cancellationToken);
        var grams = Grams(images, texts, bandwidthFraction: null, scope.Part(0, 0.9));
        return grams.Alignment(Identity(grams.Count), scope.Part(0.9, 1));
    }

    /// <summary>RBF CKA of paired embeddings: K_ij = exp(−‖x_i − x_j‖² / (2σ²)), σ = the fraction × the
    /// median distance between distinct rows of that set (each set its own σ, as Kornblith et al. do).</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts (any dimension).</param>
    /// <param name="bandwidthFraction">σ as a fraction of the median distance, positive and finite
    /// (default 0.8).</param>
    /// <param name="maxDegreeOfParallelism">The most threads used (−1: one per processor).</param>
    /// <param name="progress">The fraction done.</param>
    /// <param name="cancellationToken">Cancels the Gram matrices.</param>
    /// <returns>RBF CKA, in [0, 1]; 1 for identical representations.</returns>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is
    /// constant.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not positive and finite, or the thread count is 0
    /// or below −1.</exception>
    public static double Rbf(EmbeddingSet images, EmbeddingSet texts, double bandwidthFraction = 0.8,
        int maxDegreeOfParallelism = -1, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        CheckFraction(bandwidthFraction);
        var scope = new ExecutionScope(maxDegreeOfParallelism, progress, cancellationToken);
        var grams = Grams(images, texts, bandwidthFraction, scope.Part(0, 0.9));
        return grams.Alignment(Identity(grams.Count), scope.Part(0.9, 1));
    }

    /// <summary>Linear CKA against shuffled pairings.</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="maxDegreeOfParallelism">The most threads used (−1: one per processor); the draws do not
    /// depend on it.</param>
    /// <param name="progress">The fraction done: the Gram matrices, then the draws.</param>
    /// <param name="cancellationToken">Cancels the Gram matrices and the draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is
    /// constant.</exception>
    /// <exception cref="ArgumentOutOfRangeException">B below 1, the coverage outside (0, 1), or the thread count 0 or
    /// below −1.</exception>
    public static NullTest LinearTest(EmbeddingSet images, EmbeddingSet texts, int permutations = 999, int seed = 0,
        double bandCoverage = 0.95, int maxDegreeOfParallelism = -1, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        PairingPermutationNull.CheckDraws(NullTail.Upper, permutations, bandCoverage);
        var scope = new ExecutionScope(maxDegreeOfParallelism, progress, cancellationToken);
        var grams = Grams(images, texts, bandwidthFraction: null, scope.Part(0, 0.5));
        return Draws(grams, "linear CKA", permutations, seed, bandCoverage, scope.Part(0.5, 1));
    }

    /// <summary>RBF CKA against shuffled pairings.</summary>
    /// <param name="images">The images, row i paired with row i of the texts.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="bandwidthFraction">σ as a fraction of the median distance (default 0.8).</param>
    /// <param name="permutations">The number B of draws, at least 1 (default 999).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <param name="bandCoverage">The coverage of the null band (default 0.95).</param>
    /// <param name="maxDegreeOfParallelism">The most threads used (−1: one per processor); the draws do not
    /// depend on it.</param>
    /// <param name="progress">The fraction done: the Gram matrices, then the draws.</param>
    /// <param name="cancellationToken">Cancels the Gram matrices and the draws.</param>
    /// <returns>
    /// A <see cref="NullTest"/>: the observed value, the Monte Carlo p-value (b + 1)/(B + 1) in (0, 1] (b of the B
    /// draws at least as extreme), the null mean and the central band holding <paramref name="bandCoverage"/> of the
    /// null draws. The band describes the statistic under the null; it is not a confidence interval for the
    /// observed value.
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count, hold fewer than 2 rows, or one is
    /// constant.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not positive and finite, B below 1, the coverage
    /// outside (0, 1), or the thread count 0 or below −1.</exception>
    public static NullTest RbfTest(EmbeddingSet images, EmbeddingSet texts, double bandwidthFraction = 0.8,
        int permutations = 999, int seed = 0, double bandCoverage = 0.95, int maxDegreeOfParallelism =
        -1, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckFraction(bandwidthFraction);
        PairingPermutationNull.CheckDraws(NullTail.Upper, permutations, bandCoverage);
        var scope = new ExecutionScope(maxDegreeOfParallelism, progress, cancellationToken);
        var grams = Grams(images, texts, bandwidthFraction, scope.Part(0, 0.5));
        return Draws(grams, Resampling.Invariant($"RBF CKA (σ = {bandwidthFraction} × median distance)"),
            permutations, seed, bandCoverage, scope.Part(0.5, 1));
    }

    private static NullTest Draws(CentredGrams grams, string name, int permutations, int seed, double bandCoverage,
        ExecutionScope scope)
    {
        int n = grams.Count;
        double share = 1.0 / (permutations + 1);
        double observed = grams.Alignment(Identity(n), scope.Part(0, share));
        var random = new Random(seed);
        var samples = new double[permutations];
        for (int b = 0; b < permutations; b++)
        {
            scope.ThrowIfCancelled();
            samples[b] = grams.Alignment(Resampling.Permutation(random, n),
                scope.Part((b + 1) * share, (b + 2) * share));
        }
        return new NullTest(name, "shuffled pairings: text rows permuted against the image rows", observed, samples,
            NullTail.Upper, bandCoverage, seed);
    }

    private static void CheckFraction(double bandwidthFraction)
    {
        if (!(bandwidthFraction > 0 && double.IsFinite(bandwidthFraction)))
            throw new ArgumentOutOfRangeException(nameof(bandwidthFraction), bandwidthFraction,
                "Expected a positive, finite fraction of the median distance.");
    }

    private static int[] Identity(int n) => Enumerable.Range(0, n).ToArray();

    /// <summary>The two centred Gram matrices K̃, L̃ and their Frobenius norms, which no permutation
    /// changes.</summary>
    private sealed record CentredGrams(double[,] K, double[,] L, double KNorm, double LNorm)
    {
        public int Count => K.GetLength(0);

        /// <summary>⟨K̃, P L̃ Pᵀ⟩_F / (‖K̃‖_F ‖L̃‖_F): Σ_ij K̃_ij L̃_π(i)π(j) over the norms, a
        /// row of the sum per task.</summary>
        public double Alignment(int[] pi, ExecutionScope scope)
        {
            int n = Count;
            var rows = new double[n];
            scope.For(0, n, i =>
            {
                int pi_i = pi[i];
                double cross = 0;
                for (int j = 0; j < n; j++) cross += K[i, j] * L[pi_i, pi[j]];
                rows[i] = cross;
            }, reportEvery: 256);
            return InRowOrder(rows) / (KNorm * LNorm);
        }
    }

    /// <summary>The sum of per-row partial sums in row order: the same bits on any thread count.</summary>
    private static double InRowOrder(double[] rows)
    {
        double total = 0;
        foreach (double r in rows) total += r;
        return total;
    }

    /// <summary>The two centred Gram matrices (linear when the fraction is null, Gaussian otherwise).</summary>
    private static CentredGrams Grams(EmbeddingSet images, EmbeddingSet texts, double? bandwidthFraction,
        ExecutionScope scope)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (images.Count != texts.Count)
            throw new ArgumentException(
                Resampling.Invariant($"Expected paired rows: {images.Count} images but {texts.Count} texts."),
                nameof(texts));
        if (images.Count < 2)
            throw new ArgumentException(Resampling.Invariant($"Expected at least 2 pairs; got {images.Count}."),
                nameof(images));
        var (k, kNorm) = Centred(images, bandwidthFraction, nameof(images), scope.Part(0, 0.5));
        var (l, lNorm) = Centred(texts, bandwidthFraction, nameof(texts), scope.Part(0.5, 1));
        return new CentredGrams(k, l, kNorm, lNorm);
    }

    /// <summary>H G H and its Frobenius norm, G the linear or Gaussian Gram matrix of the rows.</summary>
    private static (double[,] Gram, double Norm) Centred(EmbeddingSet set, double? bandwidthFraction, string argument,
        ExecutionScope scope)
    {
        int n = set.Count;
        var gram = new double[n, n];
        var rows = Enumerable.Range(0, n).Select(set.RowAsDouble).ToArray(); // either precision, widened exactly
        scope.Part(0, 0.6).For(0, n, i =>
        {
            for (int j = i; j < n; j++)
            {
                double value = bandwidthFraction is null ? ReferenceSums.Dot(rows[i], rows[j])
                    : Math.Sqrt(ReferenceSums.SquaredEuclidean(rows[i], rows[j]));
                gram[i, j] = gram[j, i] = value;
            }
        }, reportEvery: 64);
        if (bandwidthFraction is double fraction)
        {
            // gram holds distances here: σ from their median over distinct rows, then the Gaussian kernel.
            var distances = new double[n * (n - 1) / 2];
            for (int i = 0, p = 0; i < n; i++) for (int j = i + 1; j < n; j++) distances[p++] = gram[i, j];
            scope.ThrowIfCancelled();
            double sigma = fraction * Quantiles.Median(distances);
            if (sigma == 0)
                throw new ArgumentException(
                    "The median distance between the rows is 0; the RBF bandwidth is undefined.", argument);
            scope.Part(0.6, 0.8).For(0, n, i =>
            {
                for (int j = 0; j < n; j++) gram[i, j] = Math.Exp(-gram[i, j] * gram[i, j] / (2 * sigma * sigma));
            }, reportEvery: 256);
        }
        // H G H: subtract row and column means, add the grand mean (G is symmetric: column means are row means).
        var rowMeans = new double[n];
        var rowSums = new double[n];
        scope.For(0, n, i =>
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += gram[i, j];
            rowMeans[i] = s / n;
            rowSums[i] = s;
        });
        double grand = InRowOrder(rowSums) / ((double)n * n);
        var squares = new double[n];
        scope.Part(0.8, 1).For(0, n, i =>
        {
            double norm = 0;
            for (int j = 0; j < n; j++)
            {
                gram[i, j] = gram[i, j] - rowMeans[i] - rowMeans[j] + grand;
                norm += gram[i, j] * gram[i, j];
            }
            squares[i] = norm;
        }, reportEvery: 256);
        double squaredNorm = InRowOrder(squares);
        if (squaredNorm == 0)
            throw new ArgumentException("Every row is the same after centring; CKA is undefined.", argument);
        return (gram, Math.Sqrt(squaredNorm));
    }
}
