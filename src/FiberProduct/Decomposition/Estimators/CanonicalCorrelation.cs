using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FiberProduct.Decomposition;

/// <summary>
/// The pairing-aware estimator: regularised canonical correlation analysis within the two signal subspaces, the joint
/// rank chosen against the largest canonical correlation under shuffled pairings.
/// </summary>
internal static class CanonicalCorrelation
{
    /// <summary>The decomposition of paired sets; progress 0.3 after the signal subspaces, then per shuffle.</summary>
    public static SubspaceDecomposition Estimate(EmbeddingSet images, EmbeddingSet texts, double regularization,
        DecompositionOptions options, ExecutionScope scope)
    {
        var context = Estimation.Prepare(images, texts, options, scope.Part(0, 0.3));
        var (vi, ri, vt, rt) = (context.Image.Basis, context.Image.Rank, context.Text.Basis, context.Text.Rank);
        int d = context.Dimension, n = context.Count;
        if (ri == 0 || rt == 0)
            return context.Assemble(context.NoSharedDirections, null, [], scope);

        var a = PrincipalScores.Of(images, context.Image.Mean, vi, scope);
        var b = PrincipalScores.Of(texts, context.Text.Mean, vt, scope);
        scope.ThrowIfCancelled();
        var whitenA = InverseSquareRoot(DenseProducts.TransposeTimes(a, a) / n, regularization, scope);
        var whitenB = InverseSquareRoot(DenseProducts.TransposeTimes(b, b) / n, regularization, scope);
        var svd = Factorizations.Svd(Whitened(whitenA, DenseProducts.TransposeTimes(a, b) / n, whitenB),
            computeVectors: true, scope);
        var correlations = svd.S.ToArray();
        scope.ThrowIfCancelled();

        int rs;
        if (options.JointRank is int given) rs = given;
        else
        {
            var shuffled = new double[options.RandomDirectionSamples];
            scope.Part(0.3, 0.95).For(0, shuffled.Length, t =>
            {
                var random = new Random(unchecked(options.Seed * 1_000_003 + 3 * 7_919 + t));
                var order = Enumerable.Range(0, n).ToArray();
                random.Shuffle(order);
                var permuted = new double[rt][];
                for (int j = 0; j < rt; j++)
                {
                    permuted[j] = new double[n];
                    for (int i = 0; i < n; i++) permuted[j][i] = b[j][order[i]];
                }
                var cross = Whitened(whitenA, DenseProducts.TransposeTimes(a, permuted) / n, whitenB);
                shuffled[t] = Factorizations.Svd(cross, computeVectors: false, scope).S[0];
            }, reportEvery: 1);
            double threshold = Quantiles.Percentile(shuffled, options.Percentile);
            rs = Math.Min(Math.Min(ri, rt), correlations.Count(c => c > threshold));
        }

        // Canonical directions in Z: u_k = V_I W_A p_k, v_k = V_T W_B q_k; Z_s spanned by the normalised bisectors.
        var u = DenseProducts.Times(DenseProducts.Times(vi, whitenA), svd.U.SubMatrix(0, ri, 0, rs));
        var v = DenseProducts.Times(DenseProducts.Times(vt, whitenB), svd.VT.Transpose().SubMatrix(0, rt, 0, rs));
        var bisectors = Matrix<double>.Build.Dense(d, rs,
            (k, j) => u[k, j] / u.Column(j).L2Norm() + v[k, j] / v.Column(j).L2Norm());
        var shared = rs == 0 ? context.NoSharedDirections
            : Factorizations.OrthonormalQ(bisectors, QRMethod.Thin, scope);
        var result = context.Assemble(shared, null, correlations, scope);
        scope.Report(1);
        return result;
    }

    /// <summary>W_A C W_B, the cross-covariance in whitened coordinates (r × r, on the calling thread).</summary>
    private static Matrix<double> Whitened(Matrix<double> whitenA, Matrix<double> cross, Matrix<double> whitenB) =>
        DenseProducts.Times(DenseProducts.Times(whitenA, cross), whitenB);

    /// <summary>(S + λ·mean eigenvalue·I)^(−1/2) for a symmetric positive semidefinite S.</summary>
    private static Matrix<double> InverseSquareRoot(Matrix<double> covariance, double regularization,
        ExecutionScope scope)
    {
        var evd = Factorizations.SymmetricEvd(covariance, scope);
        var values = evd.EigenValues.Select(e => Math.Max(0, e.Real)).ToArray();
        double ridge = regularization * values.Average();
        var scale = Matrix<double>.Build.DiagonalOfDiagonalArray(
            values.Select(e => e + ridge > 0 ? 1 / Math.Sqrt(e + ridge) : 0).ToArray());
        return DenseProducts.Times(DenseProducts.Times(evd.EigenVectors, scale), evd.EigenVectors.Transpose());
    }
}
