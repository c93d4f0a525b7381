using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FiberProduct.Decomposition;

/// <summary>
/// What both estimators share: the validated inputs, the two signal subspaces and their principal angles
/// (<see cref="Prepare"/>), and the decomposition built around a chosen Z_s (<see cref="Assemble"/>).
/// </summary>
internal sealed record Estimation(int Dimension, int Count, SignalSubspace Image, SignalSubspace Text,
    double[] PrincipalAngles)
{
    /// <summary>Validates the inputs and options and estimates both signal subspaces in the scope.</summary>
    public static Estimation Prepare(EmbeddingSet images, EmbeddingSet texts, DecompositionOptions options,
        ExecutionScope scope)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (images.Dimension != texts.Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The images live in R^{images.Dimension} but the texts in R^{texts.Dimension}."), nameof(texts));
        if (images.Count != texts.Count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Paired data need as many texts as images; got {images.Count} images and {texts.Count} texts."),
                nameof(texts));
        if (images.Count < 2)
            throw new ArgumentException("At least 2 pairs are needed to estimate a spread.", nameof(images));
        if (options.RandomDirectionSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.RandomDirectionSamples,
                "RandomDirectionSamples must be at least 1.");
        if (options.WedinSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.WedinSamples,
                "WedinSamples must be at least 1.");
        if (!(options.Percentile > 0 && options.Percentile < 100))
            throw new ArgumentOutOfRangeException(nameof(options), options.Percentile,
                "Percentile must lie in (0, 100).");

        int d = images.Dimension;
        int maxRank = Math.Min(images.Count - 1, d);
        var image = SignalSubspace.Of(images, options.ImageSignalRank, maxRank,
            nameof(DecompositionOptions.ImageSignalRank), scope.Part(0, 0.5));
        scope.ThrowIfCancelled();
        var text = SignalSubspace.Of(texts, options.TextSignalRank, maxRank,
            nameof(DecompositionOptions.TextSignalRank), scope.Part(0.5, 1));
        scope.ThrowIfCancelled();
        if (options.JointRank is int given && (given < 0 || given > Math.Min(image.Rank, text.Rank)))
            throw new ArgumentOutOfRangeException(nameof(options), given, string.Create(CultureInfo.InvariantCulture,
                $"The joint rank must lie in 0 … min({image.Rank}, {text.Rank})."));

        // Principal angles between the signal subspaces: cos θ_k are the singular values of V_Iᵀ V_T.
        var cosines = image.Rank == 0 || text.Rank == 0 ? []
            : DenseProducts.Times(image.Basis.Transpose(), text.Basis).Svd(computeVectors: false).S.ToArray();
        var angles = cosines.Select(c => Math.Acos(Math.Clamp(c, -1, 1))).Order().ToArray();
        return new Estimation(d, images.Count, image, text, angles);
    }

    /// <summary>
    /// Z_I, Z_T and Z_⊥ around a given Z_s, made orthonormal together, and the variance table. Z_I is the part of the
    /// image signal subspace orthogonal to Z_s, Z_T the part of the text signal subspace orthogonal to Z_s and Z_I.
    /// </summary>
    public SubspaceDecomposition Assemble(Matrix<double> shared, JointRankBounds? bounds, double[] correlations,
        ExecutionScope scope)
    {
        int d = Dimension, rs = shared.ColumnCount;
        var imageSpecific = OrthogonalPart(Image.Basis, [shared], Image.Rank - rs, scope);
        var textSpecific = OrthogonalPart(Text.Basis, [shared, imageSpecific], Text.Rank - rs, scope);

        // One QR of [B_s B_I B_T] orthonormalises the three bases against each other and yields Z_⊥ as
        // the complement.
        var all = shared.Append(imageSpecific).Append(textSpecific);
        var q = all.ColumnCount == 0 ? Matrix<double>.Build.DenseIdentity(d)
            : Factorizations.OrthonormalQ(all, QRMethod.Full, scope);
        int a = shared.ColumnCount, b = imageSpecific.ColumnCount, c = textSpecific.ColumnCount;
        var parts = new[]
        {
            new Subspace(q.SubMatrix(0, d, 0, a)),
            new Subspace(q.SubMatrix(0, d, a, b)),
            new Subspace(q.SubMatrix(0, d, a + b, c)),
            new Subspace(q.SubMatrix(0, d, a + b + c, d - a - b - c)),
        };

        var shares = new double[2, 4];
        foreach (var (modality, signal) in new[] { (Modality.Images, Image), (Modality.Texts, Text) })
            for (int p = 0; p < 4; p++) shares[(int)modality, p] = signal.VarianceShare(parts[p].Basis);
        return new SubspaceDecomposition(parts, Image.Mean, Text.Mean, PrincipalAngles, Image.Rank, Text.Rank, bounds,
            shares, correlations);
    }

    /// <summary>An empty Z_s (d × 0).</summary>
    public Matrix<double> NoSharedDirections => Matrix<double>.Build.Dense(Dimension, 0);

    /// <summary>
    /// Runs an estimator, reporting MathNet's NonConvergenceException (also from parallel resampling) as the library's
    /// <see cref="DecompositionConvergenceException"/>, so callers need not know the linear algebra library.
    /// </summary>
    public static T Converged<T>(Func<T> estimate, string operation, EmbeddingSet? images)
    {
        try { return estimate(); }
        catch (MathNet.Numerics.NonConvergenceException e) { throw NotConverged(operation, images, e); }
        catch (AggregateException e)
            when (e.Flatten()
                .InnerExceptions.FirstOrDefault(x => x is MathNet.Numerics.NonConvergenceException) is { } inner)
        {
            throw NotConverged(operation, images, inner);
        }
    }

    private static DecompositionConvergenceException NotConverged(string operation,
        EmbeddingSet? images, Exception inner) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{operation}: an eigenvalue or singular value iteration did not converge on {images?.Count} pairs in "
            + $"R^{images?.Dimension}."), inner);

    /// <summary>An orthonormal basis of the part of span(V) orthogonal to the given bases, of at most
    /// <paramref name="rank"/> directions.</summary>
    private static Matrix<double> OrthogonalPart(Matrix<double> v, Matrix<double>[] against, int rank,
        ExecutionScope scope)
    {
        int d = v.RowCount;
        if (rank <= 0 || v.ColumnCount == 0) return Matrix<double>.Build.Dense(d, 0);
        var residual = v.Clone();
        foreach (var basis in against)
            if (basis.ColumnCount > 0)
                residual -= DenseProducts.Times(basis, DenseProducts.Times(basis.Transpose(), residual));
        var (u, singular) = Factorizations.ThinLeftSvd(residual, scope);
        int kept = Math.Min(rank, singular.Count(s => s > 1e-8));
        return u.SubMatrix(0, d, 0, kept);
    }
}
