using System.Globalization;
using FiberProduct.Algebra;
using FiberProduct.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Embedding;

/// <summary>
/// A linear embedding map f: Z_n[x] → R^d on polynomials of degree below L: the coefficients lifted to 0 … n − 1
/// form a vector c ∈ R^L and f(P) = W c for a d × L matrix W. Its Lipschitz constant is exact for the Euclidean ring
/// metric (the spectral norm ‖W‖₂, computed) and a valid bound for the others: √L·‖W‖₂ for the max
/// metric, and (n − 1) times the largest column norm of W for the Hamming metric (one changed token moves one
/// coefficient by at most n − 1).
/// </summary>
public sealed class LinearEmbeddingMap : EmbeddingMap
{
    private readonly Matrix<double> weights; // d × L

    /// <summary>
    /// The map with the given weights (d rows, L columns), measured against the given ring metric. The weights are
    /// copied; the norms behind the Lipschitz constant are computed once here, the spectral norm by an SVD
    /// (O(d·L·min(d, L))).
    /// </summary>
    /// <param name="source">Z_n[x]; polynomials of degree below L are accepted.</param>
    /// <param name="weights">W, d × L, finite values: <c>weights[i, j]</c> multiplies coefficient j into
    /// output i.</param>
    /// <param name="metric">The ring metric <see cref="EmbeddingMap.Lipschitz"/> refers to.</param>
    /// <exception cref="ArgumentException">The matrix is empty or holds a non-finite value.</exception>
    public LinearEmbeddingMap(PolynomialRing source, double[,] weights, RingMetric metric = RingMetric.Euclidean)
        : this(source, Weights.Of(weights), metric) { }

    private LinearEmbeddingMap(PolynomialRing source, Weights prepared, RingMetric metric)
        : base(source, prepared.Matrix.RowCount, metric, Constant(source, prepared, metric), Rounding(source, prepared))
    {
        weights = prepared.Matrix;
        SpectralNorm = prepared.SpectralNorm;
        MaxColumnNorm = prepared.MaxColumnNorm;
    }

    /// <summary>The checked weight matrix with its norms, computed once (the spectral norm needs an SVD).</summary>
    private sealed record Weights(Matrix<double> Matrix, double SpectralNorm, double MaxColumnNorm,
        double FrobeniusNorm)
    {
        public static Weights Of(double[,] weights)
        {
            ArgumentNullException.ThrowIfNull(weights);
            if (weights.Length == 0) throw new ArgumentException("The weight matrix is empty.", nameof(weights));
            foreach (double w in weights)
                if (!double.IsFinite(w)) throw new ArgumentException("Every weight must be finite.", nameof(weights));
            var m = Matrix<double>.Build.DenseOfArray(weights);
            // Certified upper bounds: the computed largest singular value is within p(d, L)·u·σ_max of the true one
            // for a backward-stable SVD (p a low-degree polynomial of the sizes), far inside 2^-30 for any size that
            // fits memory, and never above the Frobenius norm; column norms are float64 sums rounded a few times.
            double frobenius = Upward.Of(m.FrobeniusNorm());
            double spectral = Math.Min(frobenius, m.L2Norm() * (1 + Math.ScaleB(1, -30)));
            return new Weights(m, spectral, Upward.Of(Enumerable.Range(0, m.ColumnCount)
                .Max(c => m.Column(c).L2Norm())), frobenius);
        }
    }

    private static double Constant(PolynomialRing source, Weights w, RingMetric metric) => metric switch
    {
        RingMetric.Euclidean => w.SpectralNorm,
        RingMetric.Max => Upward.Of(Math.Sqrt(w.Matrix.ColumnCount) * w.SpectralNorm),
        _ => Upward.Of((source.Modulus - 1.0) * w.MaxColumnNorm),
    };

    /// <summary>
    /// ρ for coefficients in 0 … n − 1: each output Σ_j w_ij c_j is summed in order, within γ_L Σ_j |w_ij| c_j
    /// of the real value (Higham, Thm 3.1), so the error vector is at most γ_L ‖|W|‖_F ‖c‖ ≤ γ_L
    /// ‖W‖_F (n − 1) √L.
    /// </summary>
    private static double Rounding(PolynomialRing source, Weights w)
    {
        int length = w.Matrix.ColumnCount;
        double gamma = length * Math.ScaleB(1, -53) / (1 - length * Math.ScaleB(1, -53));
        return Upward.Of(gamma * w.FrobeniusNorm * (source.Modulus - 1.0) * Math.Sqrt(length));
    }

    /// <summary>
    /// A seeded Johnson–Lindenstrauss projection: Gaussian weights with variance 1/d, so squared distances are
    /// preserved in expectation.
    /// </summary>
    /// <param name="source">Z_n[x].</param>
    /// <param name="inputLength">L: polynomials of degree below L are accepted; at least 1.</param>
    /// <param name="dimension">d, the dimension of Z; at least 1.</param>
    /// <param name="seed">The seed: the same seed, sizes and runtime give the same weights.</param>
    /// <param name="metric">The ring metric <see cref="EmbeddingMap.Lipschitz"/> refers to.</param>
    /// <returns>The map, with a d × L weight matrix (d·L·8 bytes) and its certified Lipschitz constant.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputLength"/> or <paramref name="dimension"/> is
    /// below 1.</exception>
    /// <example>
    /// <code>
    /// // 8 × 8 grayscale patches (64 coefficients over Z_256) into R^32
    /// var f = LinearEmbeddingMap.RandomProjection(PolynomialRing.Z256, 64, 32, seed: 1);
    /// var patches = new ImageEncoder(8, 8).Encode(ImageFile.Load("photo.png", ColorMode.Grayscale));
    /// EmbeddingSet images = f.MapAll(patches);                 // one row per patch, float64
    /// double? lipschitz = f.Lipschitz;                         // ‖W‖₂ for the Euclidean ring metric
    /// double moved = f.MovementBound(3.0);                     // how far f moves under a ring perturbation of norm 3
    /// </code>
    /// </example>
    public static LinearEmbeddingMap RandomProjection(PolynomialRing source, int inputLength, int dimension, int seed,
        RingMetric metric = RingMetric.Euclidean)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var random = new Random(seed);
        var w = new double[dimension, inputLength];
        double scale = 1 / Math.Sqrt(dimension);
        for (int i = 0; i < dimension; i++)
            for (int j = 0; j < inputLength; j++)
                w[i, j] = scale * StandardNormal.Sample(random);
        return new LinearEmbeddingMap(source, w, metric);
    }

    /// <summary>L: polynomials of degree below L are accepted.</summary>
    public int InputLength => weights.ColumnCount;

    /// <summary>‖W‖₂, the largest singular value, as a certified upper bound (see
    /// <see cref="Weights"/>).</summary>
    public double SpectralNorm { get; }

    private double MaxColumnNorm { get; }

    /// <summary>A Lipschitz constant for the given ring metric (exact for Euclidean, an upper bound
    /// otherwise).</summary>
    /// <param name="metric">Euclidean, Max or Hamming.</param>
    /// <returns>‖W‖₂, √L·‖W‖₂ or (n − 1)·max_j ‖W e_j‖, each a certified upper bound (rounded
    /// upwards).</returns>
    public double LipschitzConstant(RingMetric metric) =>
        Constant(Source, new Weights(weights, SpectralNorm, MaxColumnNorm, 0), metric);

    /// <summary>f(P) = W c(P); P must have degree below L.</summary>
    protected override double[] MapCore(ZnPolynomial polynomial)
    {
        if (polynomial.Length > InputLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The map accepts degree below {InputLength}; the polynomial has degree {polynomial.Degree}."),
                nameof(polynomial));
        var lifted = new double[InputLength];
        for (int i = 0; i < polynomial.Length; i++) lifted[i] = polynomial[i];
        return MapLifted(lifted);
    }

    /// <summary>W c for any real vector c ∈ R^L (the linear map on lifted coefficients), in float64.</summary>
    /// <param name="coefficients">c, L values.</param>
    /// <returns>A new array of d values, each Σ_j w_ij c_j summed in order in float64 (O(d·L)).</returns>
    /// <exception cref="ArgumentException"><paramref name="coefficients"/> does not hold exactly L values.</exception>
    public double[] MapLifted(ReadOnlySpan<double> coefficients)
    {
        if (coefficients.Length != InputLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Expected {InputLength} coefficients; got {coefficients.Length}."), nameof(coefficients));
        var result = new double[Dimension];
        for (int i = 0; i < Dimension; i++)
        {
            double s = 0;
            for (int j = 0; j < InputLength; j++) s += weights[i, j] * coefficients[j];
            result[i] = s;
        }
        return result;
    }

    /// <summary>The top right singular vector of W: the direction of perturbation that attains the Lipschitz
    /// constant.</summary>
    /// <returns>A new unit vector of L values (its sign is arbitrary); computed by a full SVD on each call.</returns>
    public double[] MostSensitiveDirection() => weights.Svd(computeVectors: true).VT.Row(0).ToArray();
}
