using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Execution;

namespace FiberProduct.Decomposition;

/// <summary>
/// The decomposition Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥ of the shared space estimated from paired embeddings
///: Z_s the directions both modalities vary along, Z_I and Z_T those only the images or only the
/// texts vary along, Z_⊥ the rest; mutually orthogonal (T8). Read as a bundle, π = Π_s is the projection and the
/// fiber over a point z is z + (Z_I ⊕ Z_T ⊕ Z_⊥).
/// </summary>
/// <remarks>
/// <para>Estimation (<see cref="Estimate"/>) follows AJIVE (Feng, Jiang, Hannig and Marron 2018) in feature space: each
/// modality is centred; its signal subspace is spanned by the leading right singular vectors of the centred data
/// (rank given, or by Gavish and Donoho's optimal hard threshold on the singular values); the principal angles between
/// the two signal subspaces are computed; the joint directions are the leading left singular vectors of [V_I V_T] whose
/// squared singular value 1 + cos θ exceeds both bounds of <see cref="JointRankBounds"/> (the random-direction bound
/// and the Wedin bound, both by seeded resampling: the same seed gives the same ranks), or the given joint rank.</para>
/// <para>Orthogonality is enforced by construction: Z_I is the part of the image signal subspace orthogonal to Z_s, Z_T
/// the part of the text signal subspace orthogonal to Z_s and to Z_I (so Z_T, not Z_I, gives way where the two
/// modality-specific parts overlap: the order is a choice, and it costs Z_T the directions it shares with Z_I), and a
/// final QR factorisation of [B_s B_I B_T] makes the bases orthonormal to rounding and yields Z_⊥ as the
/// complement.</para>
/// <para>Degenerate data have a defined result. Singular values at most max(N, d)·2^−23·σ_max (the float32
/// precision of the stored rows) count as zero, so a modality's signal rank is at most its numerical rank: exactly
/// rank-1 data give rank 1, constant data rank 0. A modality of rank 0 gives a joint rank of 0 (both estimators; CCA
/// then reports no canonical correlations), all of its variance shares 0, and Z_⊥ takes what no signal uses.</para>
/// </remarks>
public sealed class SubspaceDecomposition
{
    private readonly Subspace[] parts;

    internal SubspaceDecomposition(Subspace[] parts, double[] imageMean, double[] textMean, double[] principalAngles,
        int imageRank, int textRank, JointRankBounds? bounds, double[,] varianceShares, double[] canonicalCorrelations)
    {
        this.canonicalCorrelations = canonicalCorrelations;
        this.parts = parts;
        ImageMean = imageMean;
        TextMean = textMean;
        this.principalAngles = principalAngles;
        ImageSignalRank = imageRank;
        TextSignalRank = textRank;
        Bounds = bounds;
        this.varianceShares = varianceShares;
    }

    private readonly double[] principalAngles;
    private readonly double[] canonicalCorrelations;

    /// <summary>The canonical correlations, descending, when estimated by <see cref="EstimateByCca"/>; empty
    /// otherwise.</summary>
    public ReadOnlySpan<double> CanonicalCorrelations => canonicalCorrelations;
    private readonly double[,] varianceShares;

    /// <summary>The dimension d of Z.</summary>
    public int Dimension => parts[0].AmbientDimension;

    /// <summary>A part of the decomposition.</summary>
    public Subspace this[SubspacePart part] => parts[(int)part];

    /// <summary>Z_s, the shared subspace; π = Π_s is the bundle projection.</summary>
    public Subspace Shared => parts[0];

    /// <summary>Z_I, image-only directions.</summary>
    public Subspace ImageSpecific => parts[1];

    /// <summary>Z_T, text-only directions.</summary>
    public Subspace TextSpecific => parts[2];

    /// <summary>Z_⊥, the rest.</summary>
    public Subspace Residual => parts[3];

    /// <summary>The rank of the images' signal subspace (Z_s ⊕ Z_I has at most this dimension).</summary>
    public int ImageSignalRank { get; }

    /// <summary>The rank of the texts' signal subspace.</summary>
    public int TextSignalRank { get; }

    /// <summary>The bounds that selected the joint rank (<see cref="Estimate"/>), or null when the joint rank was given
    /// or CCA chose it.</summary>
    public JointRankBounds? Bounds { get; }

    /// <summary>The principal angles (radians, ascending) between the two estimated signal subspaces.</summary>
    public ReadOnlySpan<double> PrincipalAngles => principalAngles;

    /// <summary>The centring offset of the images: their mean.</summary>
    public IReadOnlyList<double> ImageMean { get; }

    /// <summary>The centring offset of the texts: their mean.</summary>
    public IReadOnlyList<double> TextMean { get; }

    /// <summary>The modality gap: mean of the images minus mean of the texts.</summary>
    /// <returns>g = mean(images) − mean(texts), a new array of d values (not normalised; zero when the means
    /// coincide).</returns>
    public double[] ModalityGap() => ImageMean.Zip(TextMean, (a, b) => a - b).ToArray();

    /// <summary>‖mean(images) − mean(texts)‖.</summary>
    public double ModalityGapLength => Math.Sqrt(ModalityGap().Sum(g => g * g));

    /// <summary>The share ‖Π_a g‖² / ‖g‖² of the modality gap g in a part (the four shares sum
    /// to 1).</summary>
    /// <param name="part">The part a whose share is asked.</param>
    /// <returns>The share, in [0, 1]; 0 when the gap is zero.</returns>
    public double GapShare(SubspacePart part)
    {
        var gap = ModalityGap();
        double total = gap.Sum(g => g * g);
        if (total == 0) return 0;
        var coordinates = this[part].Coordinates((ReadOnlySpan<double>)gap); // in float64: the gap is never narrowed
        return coordinates.Sum(c => c * c) / total;
    }

    /// <summary>
    /// The share of a modality's centred variance that lies in a part: tr(Bᵀ C B) / tr(C), C the modality's
    /// covariance; for each modality the four shares sum to 1.
    /// </summary>
    /// <param name="modality">The modality whose covariance C is measured.</param>
    /// <param name="part">The part (its basis B) whose share is asked.</param>
    /// <returns>The share, in [0, 1]; 0 for a modality of rank 0.</returns>
    public double VarianceShare(Modality modality, SubspacePart part) => varianceShares[(int)modality, (int)part];

    /// <summary>Estimates the decomposition from paired embeddings (row i of each set is a pair; only the rows' spread
    /// is used).</summary>
    /// <param name="images">The image embeddings f(P), N × d; row i is paired with row i of
    /// <paramref name="texts"/>.</param>
    /// <param name="texts">The text embeddings g(Q), N × d.</param>
    /// <param name="options">Ranks, resampling sizes, percentile, seed and parallelism; null takes the defaults
    /// (every rank chosen from the data).</param>
    /// <param name="progress">Receives the fraction done, growing from 0 to 1; null for none.</param>
    /// <param name="cancellationToken">Cancels the estimation.</param>
    /// <returns>
    /// The decomposition: four mutually orthogonal parts of dimensions summing to d, the signal ranks, the principal
    /// angles, the <see cref="Bounds"/> that chose the joint rank, and the variance shares. Cost: a thin SVD of each
    /// modality, O(N·d·min(N, d)), plus the resampled bounds, which grow with the sample counts of
    /// <paramref name="options"/>.
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count or dimension, or hold fewer than 2
    /// rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A given rank does not fit (signal rank above min(N − 1, d),
    /// joint rank above either signal rank), or <see cref="DecompositionOptions.MaxDegreeOfParallelism"/> is 0 or below
    /// −1.</exception>
    /// <exception cref="DecompositionConvergenceException">An eigenvalue or singular value iteration did not converge
    /// (degenerate data do not cause it).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// var decomposition = SubspaceDecomposition.Estimate(images, texts, new DecompositionOptions { Seed = 1 });
    /// Console.WriteLine($"dim Z_s = {decomposition.Shared.Rank}, "
    ///     + $"gap in Z_s: {decomposition.GapShare(SubspacePart.Shared):P0}");
    /// double imageShared = decomposition.VarianceShare(Modality.Images, SubspacePart.Shared);
    /// </code>
    /// </example>
    public static SubspaceDecomposition Estimate(EmbeddingSet images, EmbeddingSet texts,
        DecompositionOptions? options = null, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        options ??= new DecompositionOptions();
        var scope = new ExecutionScope(options.MaxDegreeOfParallelism, progress, cancellationToken);
        return Estimation.Converged(() => Ajive.Estimate(images, texts, options, scope), "Estimate", images);
    }

    /// <summary>
    /// Estimates the decomposition by regularised canonical correlation analysis, the alternative to
    /// <see cref="Estimate"/> that uses the pairing itself: within the two signal subspaces (as in
    /// <see cref="Estimate"/>), canonical pairs of directions maximise the correlation of the paired scores, the
    /// covariances ridged by <paramref name="regularization"/> × their mean eigenvalue (real data have d close to N).
    /// A canonical pair counts as joint when its correlation exceeds the chosen percentile of the largest correlation
    /// after shuffling the pairing (seeded, <see cref="DecompositionOptions.RandomDirectionSamples"/> shuffles), or by
    /// the given joint rank. Z_s is spanned by the bisectors of the joint pairs' image and text directions; the rest is
    /// built as in <see cref="Estimate"/>.
    /// </summary>
    /// <param name="images">The image embeddings f(P), N × d; row i is paired with row i of
    /// <paramref name="texts"/>.</param>
    /// <param name="texts">The text embeddings g(Q), N × d.</param>
    /// <param name="regularization">The ridge λ ≥ 0 added to each covariance, in units of its mean eigenvalue (0 is
    /// plain CCA; a small ridge such as 0.1 keeps it stable when d is close to N).</param>
    /// <param name="options">Signal and joint ranks, shuffle count, percentile, seed and parallelism; null takes the
    /// defaults.</param>
    /// <param name="progress">Receives the fraction done, growing from 0 to 1; null for none.</param>
    /// <param name="cancellationToken">Cancels the estimation.</param>
    /// <returns>
    /// The decomposition, with <see cref="CanonicalCorrelations"/> (each in [0, 1], descending) filled and
    /// <see cref="Bounds"/> null. Cost: as <see cref="Estimate"/> for the signal subspaces, plus one small
    /// CCA per shuffle.
    /// </returns>
    /// <exception cref="ArgumentException">The sets differ in count or dimension, or hold fewer than 2
    /// rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="regularization"/> is negative or not finite, a
    /// given rank does not fit, or <see cref="DecompositionOptions.MaxDegreeOfParallelism"/> is 0 or below
    /// −1.</exception>
    /// <exception cref="DecompositionConvergenceException">An eigenvalue or singular value iteration did not converge
    /// (degenerate data do not cause it).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// var cca = SubspaceDecomposition.EstimateByCca(images, texts, regularization: 0.1,
    ///     new DecompositionOptions { Seed = 1 });
    /// var rho = cca.CanonicalCorrelations;
    /// Console.WriteLine($"dim Z_s = {cca.Shared.Rank}, leading correlation {(rho.Length > 0 ? rho[0] : 0):F3}");
    /// </code>
    /// </example>
    public static SubspaceDecomposition EstimateByCca(EmbeddingSet images, EmbeddingSet texts, double regularization,
        DecompositionOptions? options = null, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        if (!(regularization >= 0 && double.IsFinite(regularization)))
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization,
                "The ridge must be a finite non-negative number.");
        options ??= new DecompositionOptions();
        var scope = new ExecutionScope(options.MaxDegreeOfParallelism, progress, cancellationToken);
        return Estimation.Converged(() => CanonicalCorrelation.Estimate(images, texts, regularization, options, scope),
            "EstimateByCca", images);
    }

    /// <summary>
    /// The shared-only fiber product F^s_ε = {(P, Q) : ‖Π_s(f(P) − g(Q))‖ ≤ ε} (T7) as an engine over the
    /// coordinates of both sets in Z_s; by Pythagoras it contains F_ε (up to the float32 rounding of the coordinates).
    /// </summary>
    /// <param name="images">The images, in R^d (the dimension of this decomposition).</param>
    /// <param name="texts">The texts, in R^d.</param>
    /// <param name="options">The engine's options; null takes its defaults.</param>
    /// <returns>An engine over the coordinates of both sets in Z_s, Euclidean metric; its ε is a distance
    /// in Z_s.</returns>
    /// <exception cref="InvalidOperationException">Z_s has dimension 0.</exception>
    /// <exception cref="ArgumentException">A set's dimension differs from the decomposition's.</exception>
    public ApproximateFiberProduct SharedFiberProduct(EmbeddingSet images, EmbeddingSet texts,
        FiberProductOptions? options = null) =>
        new(Shared.Coordinates(images), Shared.Coordinates(texts), FiberMetric.Euclidean, options);

    /// <summary>The fiber coordinates of a point: its coordinates in Z_I, Z_T and Z_⊥ (the position within the fiber
    /// over π(v)).</summary>
    /// <param name="vector">v, d values.</param>
    /// <returns>Bᵀv for the bases of Z_I, Z_T and Z_⊥: arrays of their ranks' lengths.</returns>
    /// <exception cref="ArgumentException"><paramref name="vector"/> does not have d values.</exception>
    public (double[] ImageSpecific, double[] TextSpecific,
        double[] Residual) FiberCoordinates(ReadOnlySpan<float> vector) =>
        (ImageSpecific.Coordinates(vector), TextSpecific.Coordinates(vector), Residual.Coordinates(vector));

    /// <summary>
    /// Closes the modality gap: shifts the images by −fraction·g/2 and the texts by +fraction·g/2 (g the gap;
    /// fraction 1 brings both means to their midpoint), then optionally scales every row back to unit norm.
    /// </summary>
    /// <param name="images">The images, in R^d.</param>
    /// <param name="texts">The texts, in R^d.</param>
    /// <param name="fraction">The share of the gap to close: 1 (default) meets at the midpoint, 0 leaves the means, 0.5
    /// halves the gap; any finite value, negative widens it.</param>
    /// <param name="renormalize">Whether to scale every shifted row back to unit norm (default true).</param>
    /// <returns>New float64 sets, same counts and dimension; the inputs are unchanged.</returns>
    /// <exception cref="ArgumentException">A set's dimension differs from the decomposition's.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not finite.</exception>
    public (EmbeddingSet Images, EmbeddingSet Texts) RemoveGap(EmbeddingSet images, EmbeddingSet texts,
        double fraction = 1, bool renormalize = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (!double.IsFinite(fraction))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be finite.");
        var gap = ModalityGap();
        return (Shift(images, gap.Select(g => -fraction * g / 2).ToArray(), renormalize, nameof(images)),
                Shift(texts, gap.Select(g => fraction * g / 2).ToArray(), renormalize, nameof(texts)));
    }

    /// <summary>
    /// Removes each modality's own mean (the centring offsets of this decomposition), which removes the gap together
    /// with everything else the means carry, then optionally scales every row back to unit norm.
    /// </summary>
    /// <param name="images">The images, in R^d.</param>
    /// <param name="texts">The texts, in R^d.</param>
    /// <param name="renormalize">Whether to scale every shifted row back to unit norm (default true).</param>
    /// <returns>New float64 sets, same counts and dimension; the inputs are unchanged.</returns>
    /// <exception cref="ArgumentException">A set's dimension differs from the decomposition's.</exception>
    public (EmbeddingSet Images, EmbeddingSet Texts) RemoveMeans(EmbeddingSet images, EmbeddingSet texts,
        bool renormalize = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        return (Shift(images, ImageMean.Select(m => -m).ToArray(), renormalize, nameof(images)),
            Shift(texts, TextMean.Select(m => -m).ToArray(), renormalize, nameof(texts)));
    }

    private EmbeddingSet Shift(EmbeddingSet set, double[] offset, bool renormalize, string name)
    {
        if (set.Dimension != Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Expected R^{Dimension}; got R^{set.Dimension}."), name);
        // Shifted in float64 and kept there: the result is a float64 set whatever the input's precision.
        var values = new double[set.Count * Dimension];
        var row = new double[Dimension];
        for (int i = 0; i < set.Count; i++)
        {
            set.CopyRow(i, row);
            for (int k = 0; k < Dimension; k++) values[i * Dimension + k] = row[k] + offset[k];
        }
        var shifted = new EmbeddingSet(values, set.Count, Dimension);
        return renormalize ? shifted.Normalize() : shifted;
    }

}
