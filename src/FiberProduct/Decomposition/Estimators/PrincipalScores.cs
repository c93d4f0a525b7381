using System.Numerics.Tensors;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Decomposition;

/// <summary>The scores ⟨x_i − μ, b_j⟩ of a set's rows on an orthonormal basis, for the estimators that read the
/// pairing.</summary>
internal static class PrincipalScores
{
    /// <summary>The N × r scores by columns (each contiguous), the rows computed in chunks on the scope's
    /// threads.</summary>
    public static double[][] Of(EmbeddingSet set, IReadOnlyList<double> mean, Matrix<double> basis,
        ExecutionScope scope)
    {
        int n = set.Count, d = set.Dimension, r = basis.ColumnCount;
        var directions = basis.ToColumnArrays();
        var scores = new double[r][];
        for (int j = 0; j < r; j++) scores[j] = new double[n];
        const int Chunk = 256;
        scope.For(0, (n + Chunk - 1) / Chunk, c =>
        {
            var row = new double[d];
            for (int i = c * Chunk, end = Math.Min(n, i + Chunk); i < end; i++)
            {
                set.CopyRow(i, row);
                for (int k = 0; k < d; k++) row[k] -= mean[k];
                for (int j = 0; j < r; j++) scores[j][i] = TensorPrimitives.Dot<double>(row, directions[j]);
            }
        });
        return scores;
    }
}
