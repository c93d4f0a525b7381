using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FiberProduct.Decomposition;

/// <summary>
/// The decomposition Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥ of the shared space estimated from paired embeddings
///: Z_s the directions both modalities vary along, Z_I and Z_T those only the images or only the
/// texts vary along, Z_⊥ the rest; mutually orthogonal (T8). Read as a bundle, π = Π_s is the projection and the fiber
/// over a point z is z + (Z_I ⊕ Z_T ⊕ Z_⊥).
/// </summary>
/// <remarks>
/// <para>Estimation (<see cref="Estimate"/>) follows AJIVE (Feng, Jiang, Hannig and Marron 2018) in feature space: each
/// modality is centred; its signal subspace is spanned by the leading right singular vectors of the centred data
/// (rank given, or by Gavish and Donoho's optimal hard threshold on the singular values); the principal angles between the two
/// signal subspaces are computed; the joint directions are the leading left singular vectors of [V_I V_T] whose squared
/// singular value 1 + cos θ exceeds both bounds of <see cref="JointRankBounds"/> (the random-direction bound and the
/// Wedin bound, both by seeded resampling: the same seed gives the same ranks), or the given joint rank.</para>
/// <para>Orthogonality is enforced by construction: Z_I is the part of the image signal subspace orthogonal to Z_s, Z_T
/// the part of the text signal subspace orthogonal to Z_s and to Z_I (so Z_T, not Z_I, gives way where the two
/// modality-specific parts overlap: the order is a choice, and it costs Z_T the directions it shares with Z_I), and a
/// final QR factorisation of [B_s B_I B_T] makes the bases orthonormal to rounding and yields Z_⊥ as the complement.</para>
/// <para>Degenerate data have a defined result. Singular values at most max(N, d)·2^−23·σ_max (the float32 precision of
/// the stored rows) count as zero, so a modality's signal rank is at most its numerical rank: exactly rank-1 data give
/// rank 1, constant data rank 0. A modality of rank 0 gives a joint rank of 0 (both estimators; CCA then reports no
/// canonical correlations), all of its variance shares 0, and Z_⊥ takes what no signal uses.</para>
/// </remarks>
public sealed class SubspaceDecomposition
{
    private readonly Subspace[] parts;

    private SubspaceDecomposition(Subspace[] parts, double[] imageMean, double[] textMean, double[] principalAngles,
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

    /// <summary>The canonical correlations, descending, when estimated by <see cref="EstimateByCca"/>; empty otherwise.</summary>
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

    /// <summary>The bounds that selected the joint rank (<see cref="Estimate"/>), or null when the joint rank was given or CCA chose it.</summary>
    public JointRankBounds? Bounds { get; }

    /// <summary>The principal angles (radians, ascending) between the two estimated signal subspaces.</summary>
    public ReadOnlySpan<double> PrincipalAngles => principalAngles;

    /// <summary>The centring offset of the images: their mean.</summary>
    public IReadOnlyList<double> ImageMean { get; }

    /// <summary>The centring offset of the texts: their mean.</summary>
    public IReadOnlyList<double> TextMean { get; }

    /// <summary>The modality gap: mean of the images minus mean of the texts.</summary>
    public double[] ModalityGap() => ImageMean.Zip(TextMean, (a, b) => a - b).ToArray();

    /// <summary>‖mean(images) − mean(texts)‖.</summary>
    public double ModalityGapLength => Math.Sqrt(ModalityGap().Sum(g => g * g));

    /// <summary>The share ‖Π_a g‖² / ‖g‖² of the modality gap g in a part (the four shares sum to 1).</summary>
    public double GapShare(SubspacePart part)
    {
        var gap = ModalityGap();
        double total = gap.Sum(g => g * g);
        if (total == 0) return 0;
        var coordinates = this[part].Coordinates((ReadOnlySpan<double>)gap); // in float64: the gap is never narrowed
        return coordinates.Sum(c => c * c) / total;
    }

    /// <summary>
    /// The share of a modality's centred variance that lies in a part: tr(Bᵀ C B) / tr(C), C the modality's covariance;
    /// for each modality the four shares sum to 1.
    /// </summary>
    public double VarianceShare(Modality modality, SubspacePart part) => varianceShares[(int)modality, (int)part];

    /// <summary>Estimates the decomposition from paired embeddings (row i of each set is a pair; only the rows' spread is used).</summary>
    /// <exception cref="ArgumentException">The sets differ in count or dimension, or hold fewer than 2 rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A given rank does not fit (signal rank above min(N − 1, d), joint rank above either signal rank).</exception>
    /// <exception cref="DecompositionConvergenceException">An eigenvalue or singular value iteration did not converge (degenerate data do not cause it).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static SubspaceDecomposition Estimate(EmbeddingSet images, EmbeddingSet texts, DecompositionOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        Converged(() => EstimateCore(images, texts, options, progress, cancellationToken), "Estimate", images);

    private static SubspaceDecomposition EstimateCore(EmbeddingSet images, EmbeddingSet texts, DecompositionOptions? options,
        IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var context = Prepare(images, texts, ref options, cancellationToken);
        progress?.Report(0.3);
        var (vi, ri, vt, rt) = (context.Image.Basis, context.Image.Rank, context.Text.Basis, context.Text.Rank);
        int d = context.Dimension;

        // Joint directions: left singular vectors of [V_I V_T] with s² = 1 + cos θ above the threshold.
        var stacked = vi.Append(vt);
        Svd<double>? stackedSvd = stacked.ColumnCount == 0 ? null : stacked.Svd(computeVectors: true);
        JointRankBounds? bounds = null;
        int rs;
        if (options.JointRank is int given) rs = given;
        else
        {
            double random = RandomDirectionBound(d, ri, rt, options, cancellationToken);
            progress?.Report(0.5);
            double imageSine = WedinSine(context.Image, images.Count, d, options, stream: 1, cancellationToken);
            progress?.Report(0.7);
            double textSine = WedinSine(context.Text, texts.Count, d, options, stream: 2, cancellationToken);
            progress?.Report(0.9);
            // A truly joint direction is seen by each modality through a perturbation of angle at most arcsin(bound); the
            // two estimates then meet at an angle at most the sum, so 1 + cos θ stays above 1 + cos(θ_I + θ_T).
            double angle = Math.Min(Math.PI / 2, Math.Asin(Math.Min(1, imageSine)) + Math.Asin(Math.Min(1, textSine)));
            bounds = new JointRankBounds(random, 1 + Math.Cos(angle), imageSine, textSine);
            // The margin absorbs the rounding of the stacked SVD: noiseless data make both Wedin sines 0 and the threshold
            // exactly 2, which an exactly shared direction (s² = 2) reaches only up to rounding.
            rs = ri == 0 || rt == 0 ? 0 : Math.Min(Math.Min(ri, rt), stackedSvd!.S.Count(s => s * s > bounds.Threshold - JointMargin));
        }
        var shared = rs == 0 ? Matrix<double>.Build.Dense(d, 0) : stackedSvd!.U.SubMatrix(0, d, 0, rs);
        var result = Assemble(context, shared, bounds, []);
        progress?.Report(1);
        return result;
    }

    /// <summary>
    /// Estimates the decomposition by regularised canonical correlation analysis, the alternative to
    /// <see cref="Estimate"/> that uses the pairing itself: within the two signal subspaces (as in <see cref="Estimate"/>),
    /// canonical pairs of directions maximise the correlation of the paired scores, the covariances ridged by
    /// <paramref name="regularization"/> × their mean eigenvalue (real data have d close to N). A canonical pair counts as
    /// joint when its correlation exceeds the chosen percentile of the largest correlation after shuffling the pairing
    /// (seeded, <see cref="DecompositionOptions.RandomDirectionSamples"/> shuffles), or by the given joint rank. Z_s is
    /// spanned by the bisectors of the joint pairs' image and text directions; the rest is built as in <see cref="Estimate"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The sets differ in count or dimension, or hold fewer than 2 rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="regularization"/> is negative or not finite, or a given rank does not fit.</exception>
    /// <exception cref="DecompositionConvergenceException">An eigenvalue or singular value iteration did not converge (degenerate data do not cause it).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static SubspaceDecomposition EstimateByCca(EmbeddingSet images, EmbeddingSet texts, double regularization, DecompositionOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!(regularization >= 0 && double.IsFinite(regularization)))
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "The ridge must be a finite non-negative number.");
        return Converged(() => EstimateByCcaCore(images, texts, regularization, options, progress, cancellationToken), "EstimateByCca", images);
    }

    private static SubspaceDecomposition EstimateByCcaCore(EmbeddingSet images, EmbeddingSet texts, double regularization,
        DecompositionOptions? options, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var context = Prepare(images, texts, ref options, cancellationToken);
        progress?.Report(0.3);
        var (vi, ri, vt, rt) = (context.Image.Basis, context.Image.Rank, context.Text.Basis, context.Text.Rank);
        int d = context.Dimension, n = images.Count;
        if (ri == 0 || rt == 0)
            return Assemble(context, Matrix<double>.Build.Dense(d, 0), null, []);

        var a = Scores(images, context.ImageMean, vi);
        var b = Scores(texts, context.TextMean, vt);
        var whitenA = InverseSquareRoot(a.TransposeThisAndMultiply(a) / n, regularization);
        var whitenB = InverseSquareRoot(b.TransposeThisAndMultiply(b) / n, regularization);
        var svd = (whitenA * (a.TransposeThisAndMultiply(b) / n) * whitenB).Svd(computeVectors: true);
        var correlations = svd.S.ToArray();

        int rs;
        if (options.JointRank is int given) rs = given;
        else
        {
            var shuffled = new double[options.RandomDirectionSamples];
            Parallel.For(0, shuffled.Length, new ParallelOptions { CancellationToken = cancellationToken }, t =>
            {
                var random = new Random(unchecked(options.Seed * 1_000_003 + 3 * 7_919 + t));
                var order = Enumerable.Range(0, n).ToArray();
                random.Shuffle(order);
                var permuted = Matrix<double>.Build.Dense(n, rt, (i, j) => b[order[i], j]);
                shuffled[t] = (whitenA * (a.TransposeThisAndMultiply(permuted) / n) * whitenB).Svd(computeVectors: false).S[0];
            });
            double threshold = Percentile(shuffled, options.Percentile);
            rs = Math.Min(Math.Min(ri, rt), correlations.Count(c => c > threshold));
        }

        // Canonical directions in Z: u_k = V_I W_A p_k, v_k = V_T W_B q_k; Z_s spanned by the normalised bisectors.
        var u = vi * whitenA * svd.U.SubMatrix(0, ri, 0, rs);
        var v = vt * whitenB * svd.VT.Transpose().SubMatrix(0, rt, 0, rs);
        var bisectors = Matrix<double>.Build.Dense(d, rs, (k, j) => u[k, j] / u.Column(j).L2Norm() + v[k, j] / v.Column(j).L2Norm());
        var shared = rs == 0 ? Matrix<double>.Build.Dense(d, 0) : bisectors.QR(QRMethod.Thin).Q;
        var result = Assemble(context, shared, null, correlations);
        progress?.Report(1);
        return result;
    }

    /// <summary>
    /// Runs an estimator, reporting MathNet's NonConvergenceException (also from parallel resampling) as the library's
    /// <see cref="DecompositionConvergenceException"/>, so callers need not know the linear algebra library.
    /// </summary>
    internal static T Converged<T>(Func<T> estimate, string operation, EmbeddingSet? images)
    {
        try { return estimate(); }
        catch (MathNet.Numerics.NonConvergenceException e) { throw NotConverged(operation, images, e); }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.FirstOrDefault(x => x is MathNet.Numerics.NonConvergenceException) is { } inner)
        {
            throw NotConverged(operation, images, inner);
        }
    }

    private static DecompositionConvergenceException NotConverged(string operation, EmbeddingSet? images, Exception inner) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{operation}: an eigenvalue or singular value iteration did not converge on {images?.Count} pairs in R^{images?.Dimension}."), inner);

    /// <summary>The validated inputs, centring offsets, covariances, signal subspaces and principal angles both estimators share.</summary>
    private sealed record Context(int Dimension, double[] ImageMean, double[] TextMean, Signal Image, Signal Text, double[] PrincipalAngles);

    private static Context Prepare(EmbeddingSet images, EmbeddingSet texts, [System.Diagnostics.CodeAnalysis.NotNull] ref DecompositionOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new DecompositionOptions();
        if (images.Dimension != texts.Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The images live in R^{images.Dimension} but the texts in R^{texts.Dimension}."), nameof(texts));
        if (images.Count != texts.Count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Paired data need as many texts as images; got {images.Count} images and {texts.Count} texts."), nameof(texts));
        if (images.Count < 2) throw new ArgumentException("At least 2 pairs are needed to estimate a spread.", nameof(images));
        if (options.RandomDirectionSamples < 1) throw new ArgumentOutOfRangeException(nameof(options), options.RandomDirectionSamples, "RandomDirectionSamples must be at least 1.");
        if (options.WedinSamples < 1) throw new ArgumentOutOfRangeException(nameof(options), options.WedinSamples, "WedinSamples must be at least 1.");
        if (!(options.Percentile > 0 && options.Percentile < 100)) throw new ArgumentOutOfRangeException(nameof(options), options.Percentile, "Percentile must lie in (0, 100).");

        int d = images.Dimension;
        int maxRank = Math.Min(images.Count - 1, d);
        var (imageMean, image) = Analyse(images, options.ImageSignalRank, maxRank, nameof(DecompositionOptions.ImageSignalRank));
        cancellationToken.ThrowIfCancellationRequested();
        var (textMean, text) = Analyse(texts, options.TextSignalRank, maxRank, nameof(DecompositionOptions.TextSignalRank));
        cancellationToken.ThrowIfCancellationRequested();
        if (options.JointRank is int given && (given < 0 || given > Math.Min(image.Rank, text.Rank)))
            throw new ArgumentOutOfRangeException(nameof(options), given, string.Create(CultureInfo.InvariantCulture, $"The joint rank must lie in 0 … min({image.Rank}, {text.Rank})."));

        // Principal angles between the signal subspaces: cos θ_k are the singular values of V_Iᵀ V_T.
        var cosines = image.Rank == 0 || text.Rank == 0 ? [] : image.Basis.TransposeThisAndMultiply(text.Basis).Svd(computeVectors: false).S.ToArray();
        var angles = cosines.Select(c => Math.Acos(Math.Clamp(c, -1, 1))).Order().ToArray();
        return new Context(d, imageMean, textMean, image, text, angles);
    }

    /// <summary>Z_I, Z_T and Z_⊥ around a given Z_s, made orthonormal together, and the variance table.</summary>
    private static SubspaceDecomposition Assemble(Context context, Matrix<double> shared, JointRankBounds? bounds, double[] correlations)
    {
        int d = context.Dimension, rs = shared.ColumnCount;
        var imageSpecific = OrthogonalPart(context.Image.Basis, [shared], context.Image.Rank - rs);
        var textSpecific = OrthogonalPart(context.Text.Basis, [shared, imageSpecific], context.Text.Rank - rs);

        // One QR of [B_s B_I B_T] orthonormalises the three bases against each other and yields Z_⊥ as the complement.
        var all = shared.Append(imageSpecific).Append(textSpecific);
        var q = all.ColumnCount == 0 ? Matrix<double>.Build.DenseIdentity(d) : all.QR(QRMethod.Full).Q;
        int a = shared.ColumnCount, b = imageSpecific.ColumnCount, c = textSpecific.ColumnCount;
        var parts = new[]
        {
            new Subspace(q.SubMatrix(0, d, 0, a)),
            new Subspace(q.SubMatrix(0, d, a, b)),
            new Subspace(q.SubMatrix(0, d, a + b, c)),
            new Subspace(q.SubMatrix(0, d, a + b + c, d - a - b - c)),
        };

        var shares = new double[2, 4];
        foreach (var (modality, signal) in new[] { (Modality.Images, context.Image), (Modality.Texts, context.Text) })
            for (int p = 0; p < 4; p++) shares[(int)modality, p] = signal.VarianceShare(parts[p].Basis);
        return new SubspaceDecomposition(parts, context.ImageMean, context.TextMean, context.PrincipalAngles,
            context.Image.Rank, context.Text.Rank, bounds, shares, correlations);
    }

    /// <summary>The centred rows projected on a signal basis: the N × r principal scores.</summary>
    private static Matrix<double> Scores(EmbeddingSet set, double[] mean, Matrix<double> basis)
    {
        var centred = Matrix<double>.Build.Dense(set.Count, set.Dimension, (i, k) => set[i, k] - mean[k]);
        return centred * basis;
    }

    /// <summary>(S + λ·mean eigenvalue·I)^(−1/2) for a symmetric positive semidefinite S.</summary>
    private static Matrix<double> InverseSquareRoot(Matrix<double> covariance, double regularization)
    {
        var evd = covariance.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(e => Math.Max(0, e.Real)).ToArray();
        double ridge = regularization * values.Average();
        var scale = Matrix<double>.Build.DiagonalOfDiagonalArray(values.Select(e => e + ridge > 0 ? 1 / Math.Sqrt(e + ridge) : 0).ToArray());
        return evd.EigenVectors * scale * evd.EigenVectors.Transpose();
    }

    /// <summary>
    /// The shared-only fiber product F^s_ε = {(P, Q) : ‖Π_s(f(P) − g(Q))‖ ≤ ε} (T7) as an engine over the coordinates of
    /// both sets in Z_s; by Pythagoras it contains F_ε (up to the float32 rounding of the coordinates).
    /// </summary>
    /// <exception cref="InvalidOperationException">Z_s has dimension 0.</exception>
    public ApproximateFiberProduct SharedFiberProduct(EmbeddingSet images, EmbeddingSet texts, FiberProductOptions? options = null) =>
        new(Shared.Coordinates(images), Shared.Coordinates(texts), FiberMetric.Euclidean, options);

    /// <summary>The fiber coordinates of a point: its coordinates in Z_I, Z_T and Z_⊥ (the position within the fiber over π(v)).</summary>
    public (double[] ImageSpecific, double[] TextSpecific, double[] Residual) FiberCoordinates(ReadOnlySpan<float> vector) =>
        (ImageSpecific.Coordinates(vector), TextSpecific.Coordinates(vector), Residual.Coordinates(vector));

    /// <summary>
    /// Closes the modality gap: shifts the images by −fraction·g/2 and the texts by +fraction·g/2 (g the gap; fraction 1
    /// brings both means to their midpoint), then optionally scales every row back to unit norm.
    /// </summary>
    /// <exception cref="ArgumentException">A set's dimension differs from the decomposition's.</exception>
    public (EmbeddingSet Images, EmbeddingSet Texts) RemoveGap(EmbeddingSet images, EmbeddingSet texts, double fraction = 1, bool renormalize = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (!double.IsFinite(fraction)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be finite.");
        var gap = ModalityGap();
        return (Shift(images, gap.Select(g => -fraction * g / 2).ToArray(), renormalize, nameof(images)),
                Shift(texts, gap.Select(g => fraction * g / 2).ToArray(), renormalize, nameof(texts)));
    }

    /// <summary>
    /// Removes each modality's own mean (the centring offsets of this decomposition), which removes the gap together with
    /// everything else the means carry, then optionally scales every row back to unit norm.
    /// </summary>
    /// <exception cref="ArgumentException">A set's dimension differs from the decomposition's.</exception>
    public (EmbeddingSet Images, EmbeddingSet Texts) RemoveMeans(EmbeddingSet images, EmbeddingSet texts, bool renormalize = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        return (Shift(images, ImageMean.Select(m => -m).ToArray(), renormalize, nameof(images)), Shift(texts, TextMean.Select(m => -m).ToArray(), renormalize, nameof(texts)));
    }

    private EmbeddingSet Shift(EmbeddingSet set, double[] offset, bool renormalize, string name)
    {
        if (set.Dimension != Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Expected R^{Dimension}; got R^{set.Dimension}."), name);
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

    /// <summary>
    /// A modality's signal subspace, its rank, the singular values of its centred data (descending, min(N − 1, d) of them),
    /// and the share of its centred variance inside a subspace, tr(Bᵀ C B) / tr(C).
    /// </summary>
    private sealed record Signal(Matrix<double> Basis, int Rank, double[] SingularValues, Func<Matrix<double>, double> VarianceShare);

    /// <summary>
    /// The mean and the signal subspace of one modality. The right singular vectors of the centred N × d data come from
    /// the d × d covariance when N > d, and from the N × N Gram matrix when N ≤ d (V = X_cᵀ U Σ⁻¹), so the
    /// eigendecomposition is always of the smaller side. Products are vectorised dot products, in parallel.
    /// </summary>
    private static (double[] Mean, Signal Signal) Analyse(EmbeddingSet set, int? given, int maxRank, string name)
    {
        int n = set.Count, d = set.Dimension;
        var mean = new double[d];
        var row = new double[d];
        for (int i = 0; i < n; i++)
        {
            set.CopyRow(i, row);
            for (int k = 0; k < d; k++) mean[k] += row[k];
        }
        for (int k = 0; k < d; k++) mean[k] /= n;
        var rows = new double[n][];
        for (int i = 0; i < n; i++)
        {
            set.CopyRow(i, row);
            rows[i] = new double[d];
            for (int k = 0; k < d; k++) rows[i][k] = row[k] - mean[k];
        }
        double total = rows.Sum(r => System.Numerics.Tensors.TensorPrimitives.Dot<double>(r, r)) / n;
        double storedFrobenius = Math.Sqrt(Enumerable.Range(0, n).Sum(i => set.SquaredNorm(i)));

        if (n > d)
        {
            // Centred columns, contiguous, so each covariance entry is one dot product of length N.
            var columns = new double[d][];
            for (int k = 0; k < d; k++) { columns[k] = new double[n]; for (int i = 0; i < n; i++) columns[k][i] = rows[i][k]; }
            var covariance = Symmetric(d, (j, k) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(columns[j], columns[k]) / n);
            var evd = covariance.Evd(Symmetricity.Symmetric);
            var singular = NumericalSingularValues(evd, n, d, maxRank, storedFrobenius);
            int rank = ChooseRank(singular, n, d, given, maxRank, name);
            var basis = Matrix<double>.Build.Dense(d, rank);
            for (int c = 0; c < rank; c++) basis.SetColumn(c, evd.EigenVectors.Column(d - 1 - c));
            return (mean, new Signal(basis, rank, singular,
                b => total == 0 || b.ColumnCount == 0 ? 0 : (b.TransposeThisAndMultiply(covariance) * b).Trace() / total));
        }
        else
        {
            var gram = Symmetric(n, (i, j) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(rows[i], rows[j]) / n);
            var evd = gram.Evd(Symmetricity.Symmetric);
            var singular = NumericalSingularValues(evd, n, d, maxRank, storedFrobenius);
            int rank = ChooseRank(singular, n, d, given, maxRank, name);
            var basis = Matrix<double>.Build.Dense(d, rank);
            int supported = Math.Min(rank, singular.Count(sigma => sigma > 0));
            for (int c = 0; c < supported; c++)
            {
                var u = evd.EigenVectors.Column(n - 1 - c);
                var v = new double[d];
                for (int i = 0; i < n; i++) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(rows[i], u[i] / singular[c], v, v);
                basis.SetColumn(c, v);
            }
            // A given rank beyond the numerical rank: the data have no spread there, so V = X_cᵀ U Σ⁻¹ is undefined; any
            // orthonormal directions orthogonal to the supported ones serve (as the covariance route's null eigenvectors do).
            if (supported < rank)
            {
                var complement = supported == 0 ? Matrix<double>.Build.DenseIdentity(d)
                    : basis.SubMatrix(0, d, 0, supported).QR(QRMethod.Full).Q;
                for (int c = supported; c < rank; c++) basis.SetColumn(c, complement.Column(c));
            }
            var data = Matrix<double>.Build.Dense(n, d, (i, k) => rows[i][k]);
            return (mean, new Signal(basis, rank, singular, b =>
            {
                if (total == 0 || b.ColumnCount == 0) return 0;
                var scores = data * b;
                return scores.Enumerate().Sum(x => x * x) / n / total;
            }));
        }
    }

    /// <summary>Rounding margin of the comparison s² &gt; threshold that chooses the joint rank (s² ≤ 2 is a sum of cosines of orthonormal frames).</summary>
    internal const double JointMargin = 1e-10;

    /// <summary>The float32 machine epsilon 2^−23: the precision of the stored embeddings.</summary>
    internal const double StorageEpsilon = 1.0 / (1 << 23);

    /// <summary>
    /// The singular values of the centred data (descending, <paramref name="count"/> of them) from the eigenvalues of its
    /// covariance or Gram matrix, with those that are zero to working precision set to exactly 0:
    /// σ_k ≤ ε·max(max(N, d)·σ_max, ‖X‖_F), ε = 2^−23 the float32 epsilon of the stored values and X the stored,
    /// uncentred rows. Why both terms: storing exactly rank-r rows in float32 adds an error E with |E_ij| ≤ ε/2·|X_ij|,
    /// and centring is a projection, so by Weyl's inequality every singular value beyond the r-th is at most
    /// ‖E‖₂ ≤ ε/2·‖X‖_F, which for rows far from their mean exceeds ε·σ_max by far; the eigen route itself adds an error
    /// of order √(max(N, d)·ε_double)·σ_max, below max(N, d)·ε·σ_max (NumPy's matrix_rank rule) for every N and d.
    /// Without this, the median of Gavish and Donoho's rule was a rounding residue and exactly rank-1 data got rank 15.
    /// </summary>
    internal static double[] NumericalSingularValues(Evd<double> evd, int n, int d, int count, double storedFrobenius)
    {
        var singular = evd.EigenValues.Select(e => Math.Sqrt(n * Math.Max(0, e.Real))).Reverse().Take(count).ToArray();
        double tolerance = singular.Length == 0 ? 0 : StorageEpsilon * Math.Max(Math.Max(n, d) * singular[0], storedFrobenius);
        for (int k = 0; k < singular.Length; k++)
            if (singular[k] <= tolerance) singular[k] = 0;
        return singular;
    }

    /// <summary>A symmetric matrix from its upper triangle, rows in parallel.</summary>
    private static Matrix<double> Symmetric(int size, Func<int, int, double> entry)
    {
        var values = new double[size, size];
        Parallel.For(0, size, j =>
        {
            for (int k = j; k < size; k++) values[j, k] = values[k, j] = entry(j, k);
        });
        return Matrix<double>.Build.DenseOfArray(values);
    }

    /// <summary>The given rank, checked, or Gavish and Donoho's threshold rank.</summary>
    private static int ChooseRank(double[] singular, int samples, int d, int? given, int maxRank, string name)
    {
        if (given is int r)
        {
            if (r < 0 || r > maxRank)
                throw new ArgumentOutOfRangeException(name, r, string.Create(CultureInfo.InvariantCulture, $"A signal rank must lie in 0 … min(N − 1, d) = {maxRank}."));
            return r;
        }
        // Gavish and Donoho's hard threshold for singular values under unknown white noise (IEEE Trans. Inf. Theory
        // 2014): keep σ > ω(β)·median(σ), β the aspect ratio of the centred data, ω(β) ≈ 0.56β³ − 0.95β² + 1.82β + 1.43.
        // Only the min(N − 1, d) singular values that centring leaves can be non-zero. Values zero to working precision are
        // exactly 0 here (NumericalSingularValues), so degenerate data get their numerical rank: when more than half of the
        // values vanish the median, and the threshold, is 0 and every non-zero value counts (rank-1 data give 1, constant
        // data 0). Exactly low-rank data of a rank at or above half of min(N − 1, d) have a signal value in the median, and
        // the rule then treats part of the signal as noise (with min(N − 1, d) = 1 it keeps nothing): give the rank then.
        double beta = (double)Math.Min(samples - 1, d) / Math.Max(samples - 1, d);
        double omega = 0.56 * beta * beta * beta - 0.95 * beta * beta + 1.82 * beta + 1.43;
        var sorted = singular.Order().ToArray();
        double median = sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return singular.Count(sigma => sigma > omega * median && sigma > 0);
    }

    /// <summary>
    /// The random-direction bound: the given percentile of the largest 1 + cos θ between a uniformly random r_I-dimensional
    /// and a uniformly random r_T-dimensional subspace of R^d (seeded). A direction more aligned than that is not chance.
    /// </summary>
    private static double RandomDirectionBound(int d, int ri, int rt, DecompositionOptions options, CancellationToken cancellationToken)
    {
        if (ri == 0 || rt == 0) return 2;
        // By rotational invariance one subspace can be fixed to the first r_I coordinate axes; the other is spanned by a
        // Gaussian d × r_T matrix G, whose orthonormal frame is G W^(−1/2) with W = GᵀG. The squared cosines are then the
        // eigenvalues of L⁻¹ W₁ L⁻ᵀ, with W₁ = G₁ᵀG₁ over the first r_I rows and W = LLᵀ: no d × r_T factorisation needed.
        // Each sample has its own seeded generator, so the bound does not depend on how samples are spread over threads.
        var samples = new double[options.RandomDirectionSamples];
        Parallel.For(0, samples.Length, new ParallelOptions { CancellationToken = cancellationToken }, s =>
        {
            var random = new Random(unchecked(options.Seed * 1_000_003 + s));
            var g = Matrix<double>.Build.Dense(d, rt, (_, _) => Gaussian(random));
            var g1 = g.SubMatrix(0, ri, 0, rt);
            double largest = LargestGeneralizedEigenvalue(g1.TransposeThisAndMultiply(g1).ToRowMajorArray(), g.TransposeThisAndMultiply(g).ToRowMajorArray(), rt);
            samples[s] = 1 + Math.Sqrt(Math.Clamp(largest, 0, 1)); // a squared cosine; rounding can leave it a hair outside [0, 1]
        });
        return Percentile(samples, options.Percentile);
    }

    /// <summary>The p-th percentile with linear interpolation between order statistics.</summary>
    private static double Percentile(double[] samples, double p)
    {
        Array.Sort(samples);
        double position = p / 100 * (samples.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(samples.Length - 1, lower + 1);
        return samples[lower] + (position - lower) * (samples[upper] - samples[lower]);
    }

    /// <summary>
    /// The Wedin bound on sin of the angle between a modality's estimated and true signal subspaces (AJIVE, Feng et al.
    /// 2018): max(‖E V‖, ‖Eᵀ U‖) / σ_r, E the residual of the rank-r approximation, with V and U uniformly random
    /// r-frames in the complements of the signal's right and left singular spaces (the residual annihilates the signal's
    /// own), at the chosen percentile over the resampled frames. ‖E V‖ depends only on the residual singular values s
    /// and the coordinates Z of V in the residual's singular basis, so it is sampled as ‖diag(s) Z‖ without touching E.
    /// </summary>
    private static double WedinSine(Signal signal, int n, int d, DecompositionOptions options, int stream, CancellationToken cancellationToken)
    {
        int r = signal.Rank;
        if (r == 0) return 0;
        double smallestSignal = signal.SingularValues[r - 1];
        if (smallestSignal == 0) return 1;
        var residual = signal.SingularValues.Skip(r).ToArray();
        if (residual.All(s => s == 0)) return 0;
        var right = new double[options.WedinSamples];
        var left = new double[options.WedinSamples];
        Parallel.For(0, options.WedinSamples, new ParallelOptions { CancellationToken = cancellationToken }, s =>
        {
            var random = new Random(unchecked(options.Seed * 1_000_003 + stream * 7_919 + s));
            right[s] = FrameNorm(random, residual, d - r, r);   // right singular space: the complement in R^d
            left[s] = FrameNorm(random, residual, n - 1 - r, r); // left: the complement in the (N − 1)-dimensional centred sample space
        });
        return Math.Max(Percentile(right, options.Percentile), Percentile(left, options.Percentile)) / smallestSignal;
    }

    /// <summary>
    /// ‖diag(s) Z₁‖₂ for Z a uniformly random orthonormal k × r frame (r reduced to k when the complement is smaller) and
    /// Z₁ its first m = |s| rows. With Z = G (GᵀG)^(−1/2), G Gaussian, the squared norm is the largest eigenvalue of
    /// L⁻¹ (G₁ᵀ diag(s²) G₁) L⁻ᵀ where GᵀG = LLᵀ; the k − m rows below contribute to GᵀG only, as a Wishart matrix.
    /// </summary>
    internal static double FrameNorm(Random random, double[] s, int k, int r)
    {
        int m = Math.Min(s.Length, k);
        r = Math.Min(r, k);
        if (r == 0 || m == 0) return 0;
        // One pass over the m Gaussian rows g builds both W₁ = Σ g gᵀ and A = Σ s_i² g gᵀ (upper triangles, then mirrored).
        var gram = new double[r * r];
        var weighted = new double[r * r];
        var g = new double[r];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < r; j++) g[j] = Gaussian(random);
            double w = s[i] * s[i];
            for (int a = 0; a < r; a++)
            {
                double ga = g[a];
                var rowGram = gram.AsSpan(a * r + a, r - a);
                var rowWeighted = weighted.AsSpan(a * r + a, r - a);
                var tail = g.AsSpan(a, r - a);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(tail, ga, rowGram, rowGram);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(tail, ga * w, rowWeighted, rowWeighted);
            }
        }
        for (int a = 0; a < r; a++)
            for (int b = 0; b < a; b++) { gram[a * r + b] = gram[b * r + a]; weighted[a * r + b] = weighted[b * r + a]; }
        int rest = k - m;
        if (rest > 0)
        {
            var wishart = Wishart(random, rest, r);
            for (int a = 0; a < r; a++)
                for (int b = 0; b < r; b++) gram[a * r + b] += wishart[a, b];
        }
        double largest = LargestGeneralizedEigenvalue(weighted, gram, r);
        return Math.Sqrt(Math.Max(0, largest));
    }

    /// <summary>
    /// The largest λ with A v = λ W v, for A symmetric positive semidefinite and W symmetric positive definite (r × r,
    /// row-major): the largest eigenvalue of M = L⁻¹ A L⁻ᵀ with W = LLᵀ, by power iteration on M with the Rayleigh
    /// quotient, which converges fast enough for a percentile of resampled values (relative change below 1e-10).
    /// </summary>
    internal static double LargestGeneralizedEigenvalue(double[] a, double[] w, int r)
    {
        // Cholesky factor L of W (lower, row-major).
        var l = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = w[i * r + j];
                for (int k = 0; k < j; k++) sum -= l[i * r + k] * l[j * r + k];
                l[i * r + j] = i == j ? Math.Sqrt(Math.Max(sum, double.Epsilon)) : sum / l[j * r + j];
            }
        // X = L⁻¹ A (forward substitution, column by column of A), then M = L⁻¹ Xᵀ.
        var x = ForwardSolve(l, a, r);
        var xt = new double[r * r];
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) xt[i * r + j] = x[j * r + i];
        var m = ForwardSolve(l, xt, r);
        var v = new double[r];
        var next = new double[r];
        for (int i = 0; i < r; i++) v[i] = 1 / Math.Sqrt(r) * (1 + 0.01 * i); // generic start, not orthogonal to the top eigenvector
        double lambda = 0;
        for (int iteration = 0; iteration < 500; iteration++)
        {
            for (int i = 0; i < r; i++) next[i] = System.Numerics.Tensors.TensorPrimitives.Dot<double>(m.AsSpan(i * r, r), v);
            double rayleigh = System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, next);
            double norm = System.Numerics.Tensors.TensorPrimitives.Norm<double>(next);
            if (norm == 0) return 0;
            for (int i = 0; i < r; i++) v[i] = next[i] / norm;
            if (Math.Abs(rayleigh - lambda) <= 1e-10 * Math.Abs(rayleigh)) return rayleigh;
            lambda = rayleigh;
        }
        return lambda;
    }

    /// <summary>Solves L X = B for X (all r × r, row-major), L lower triangular.</summary>
    private static double[] ForwardSolve(double[] l, double[] b, int r)
    {
        var x = new double[r * r];
        for (int i = 0; i < r; i++)
        {
            var row = x.AsSpan(i * r, r);
            b.AsSpan(i * r, r).CopyTo(row);
            for (int k = 0; k < i; k++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x.AsSpan(k * r, r), -l[i * r + k], row, row);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, l[i * r + i], row);
        }
        return x;
    }

    /// <summary>HᵀH for a df × r Gaussian H: directly when df is small, else by Bartlett's decomposition (A Aᵀ, A lower triangular).</summary>
    private static Matrix<double> Wishart(Random random, int df, int r)
    {
        if (df <= 2 * r)
        {
            var h = Matrix<double>.Build.Dense(df, r, (_, _) => Gaussian(random));
            return h.TransposeThisAndMultiply(h);
        }
        var a = Matrix<double>.Build.Dense(r, r);
        for (int i = 0; i < r; i++)
        {
            // χ²_k = 2·Gamma(k/2, 1), sampled by Marsaglia and Tsang's method (MathNet's χ² sampler sums k squared normals).
            a[i, i] = Math.Sqrt(2 * MathNet.Numerics.Distributions.Gamma.Sample(random, (df - i) / 2.0, 1.0));
            for (int j = 0; j < i; j++) a[i, j] = Gaussian(random);
        }
        return a * a.Transpose();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>An orthonormal basis of the part of span(V) orthogonal to the given bases, of at most <paramref name="rank"/> directions.</summary>
    private static Matrix<double> OrthogonalPart(Matrix<double> v, Matrix<double>[] against, int rank)
    {
        int d = v.RowCount;
        if (rank <= 0 || v.ColumnCount == 0) return Matrix<double>.Build.Dense(d, 0);
        var residual = v.Clone();
        foreach (var basis in against)
            if (basis.ColumnCount > 0) residual -= basis * basis.TransposeThisAndMultiply(residual);
        var svd = residual.Svd(computeVectors: true);
        int kept = Math.Min(rank, svd.S.Count(s => s > 1e-8));
        return svd.U.SubMatrix(0, d, 0, kept);
    }
}

/// <summary>The two modalities of paired data.</summary>
public enum Modality
{
    /// <summary>The images f(𝒫).</summary>
    Images,

    /// <summary>The texts g(𝒬).</summary>
    Texts,
}
