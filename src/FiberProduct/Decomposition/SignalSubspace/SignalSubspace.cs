using System.Numerics.Tensors;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FiberProduct.Decomposition;

/// <summary>
/// One modality's centring offset and signal subspace: the leading right singular vectors of its centred N × d data,
/// their rank, the singular values (descending, min(N − 1, d) of them), and the share of the centred variance inside
/// a subspace, tr(Bᵀ C B) / tr(C).
/// </summary>
internal sealed record SignalSubspace(double[] Mean, Matrix<double> Basis, int Rank, double[] SingularValues,
    Func<Matrix<double>, double> VarianceShare)
{
    /// <summary>The float32 machine epsilon 2^−23: the precision of the stored embeddings.</summary>
    internal const double StorageEpsilon = 1.0 / (1 << 23);

    /// <summary>
    /// The mean and the signal subspace of one modality, the rank given or chosen by
    /// <see cref="OptimalHardThreshold"/>. The right singular vectors come from the d × d covariance when N &gt; d,
    /// and from the N × N Gram matrix when N ≤ d (V = X_cᵀ U Σ⁻¹), so the eigendecomposition is always of the
    /// smaller side. The products, the only part that grows with N·d², run in the scope, a row of the
    /// triangle at a time.
    /// </summary>
    public static SignalSubspace Of(EmbeddingSet set, int? given, int maxRank, string name, ExecutionScope scope)
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
        scope.ThrowIfCancelled();
        double total = rows.Sum(r => TensorPrimitives.Dot<double>(r, r)) / n;
        double storedFrobenius = Math.Sqrt(Enumerable.Range(0, n).Sum(i => set.SquaredNorm(i)));
        return n > d ? FromCovariance(rows, mean, total, storedFrobenius, given, maxRank, name, scope)
            : FromGram(rows, mean, total, storedFrobenius, d, given, maxRank, name, scope);
    }

    private static SignalSubspace FromCovariance(double[][] rows, double[] mean, double total, double storedFrobenius,
        int? given, int maxRank, string name, ExecutionScope scope)
    {
        int n = rows.Length, d = mean.Length;
        // Centred columns, contiguous, so each covariance entry is one dot product of length N.
        var columns = new double[d][];
        for (int k = 0; k < d; k++)
        {
            columns[k] = new double[n];
            for (int i = 0; i < n; i++) columns[k][i] = rows[i][k];
        }
        var covariance = Symmetric(d, (j, k) => TensorPrimitives.Dot<double>(columns[j], columns[k]) / n, scope);
        var (evd, singular, rank) = Spectrum(covariance, n, d, storedFrobenius, given, maxRank, name, scope);
        var basis = Matrix<double>.Build.Dense(d, rank);
        for (int c = 0; c < rank; c++) basis.SetColumn(c, evd.EigenVectors.Column(d - 1 - c));
        return new SignalSubspace(mean, basis, rank, singular, b => total == 0
            || b.ColumnCount == 0 ? 0
            : DenseProducts.Times(DenseProducts.Times(b.Transpose(), covariance), b).Trace() / total);
    }

    private static SignalSubspace FromGram(double[][] rows, double[] mean, double total, double storedFrobenius, int d,
        int? given, int maxRank, string name, ExecutionScope scope)
    {
        int n = rows.Length;
        var gram = Symmetric(n, (i, j) => TensorPrimitives.Dot<double>(rows[i], rows[j]) / n, scope);
        var (evd, singular, rank) = Spectrum(gram, n, d, storedFrobenius, given, maxRank, name, scope);
        var basis = Matrix<double>.Build.Dense(d, rank);
        int supported = Math.Min(rank, singular.Count(sigma => sigma > 0));
        for (int c = 0; c < supported; c++)
        {
            var u = evd.EigenVectors.Column(n - 1 - c);
            var v = new double[d];
            for (int i = 0; i < n; i++) TensorPrimitives.MultiplyAdd(rows[i], u[i] / singular[c], v, v);
            basis.SetColumn(c, v);
        }
        // A given rank beyond the numerical rank: the data have no spread there, so V = X_cᵀ U Σ⁻¹ is undefined;
        // any orthonormal directions orthogonal to the supported ones serve (as the covariance route's null
        // eigenvectors do).
        if (supported < rank)
        {
            var complement = supported == 0 ? Matrix<double>.Build.DenseIdentity(d)
                : Factorizations.OrthonormalQ(basis.SubMatrix(0, d, 0, supported), QRMethod.Full, scope);
            for (int c = supported; c < rank; c++) basis.SetColumn(c, complement.Column(c));
        }
        var data = Matrix<double>.Build.Dense(n, d, (i, k) => rows[i][k]);
        return new SignalSubspace(mean, basis, rank, singular, b =>
        {
            if (total == 0 || b.ColumnCount == 0) return 0;
            var scores = DenseProducts.Times(data, b);
            return scores.Enumerate().Sum(x => x * x) / n / total;
        });
    }

    /// <summary>
    /// The eigendecomposition of the covariance or Gram matrix (O(min(N, d)³), abandoned at once on a cancel), the
    /// singular values it gives and the signal rank.
    /// </summary>
    private static (Evd<double> Evd, double[] Singular, int Rank) Spectrum(Matrix<double> symmetric, int n, int d,
        double storedFrobenius, int? given, int maxRank, string name, ExecutionScope scope)
    {
        var evd = Factorizations.SymmetricEvd(symmetric, scope);
        var singular = NumericalSingularValues(evd, n, d, maxRank, storedFrobenius);
        return (evd, singular, OptimalHardThreshold.Rank(singular, n, d, given, maxRank, name));
    }

    /// <summary>
    /// The singular values of the centred data (descending, <paramref name="count"/> of them) from the eigenvalues of
    /// its covariance or Gram matrix, with those that are zero to working precision set to exactly 0: σ_k
    /// ≤ ε·max(max(N, d)·σ_max, ‖X‖_F), ε = 2^−23 the float32 epsilon of the stored values and X the
    /// stored, uncentred rows. Why both terms: storing exactly rank-r rows in float32 adds an error E with |E_ij|
    /// ≤ ε/2·|X_ij|, and centring is a projection, so by Weyl's inequality every singular value beyond the r-th is
    /// at most ‖E‖₂ ≤ ε/2·‖X‖_F, which for rows far from their mean exceeds ε·σ_max by far; the eigen
    /// route itself adds an error of order √(max(N, d)·ε_double)·σ_max, below max(N, d)·ε·σ_max (NumPy's
    /// matrix_rank rule) for every N and d. Without this, the median of Gavish and Donoho's rule was a rounding residue
    /// and exactly rank-1 data got rank 15.
    /// </summary>
    internal static double[] NumericalSingularValues(Evd<double> evd, int n, int d, int count, double storedFrobenius)
    {
        var singular = evd.EigenValues.Select(e => Math.Sqrt(n * Math.Max(0, e.Real))).Reverse().Take(count).ToArray();
        double tolerance = singular.Length == 0 ? 0 : StorageEpsilon
            * Math.Max(Math.Max(n, d) * singular[0], storedFrobenius);
        for (int k = 0; k < singular.Length; k++)
            if (singular[k] <= tolerance) singular[k] = 0;
        return singular;
    }

    /// <summary>A symmetric matrix from its upper triangle, a row at a time in the scope (each entry computed
    /// once).</summary>
    private static Matrix<double> Symmetric(int size, Func<int, int, double> entry, ExecutionScope scope)
    {
        var values = new double[size, size];
        scope.For(0, size, j =>
        {
            for (int k = j; k < size; k++) values[j, k] = values[k, j] = entry(j, k);
        }, reportEvery: Math.Max(1, size / 32));
        return Matrix<double>.Build.DenseOfArray(values);
    }
}
