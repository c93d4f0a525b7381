using FiberProduct.Embedding;
using FiberProduct.Tests.Fiber;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Tests.Decomposition;

/// <summary>
/// Planted multimodal embeddings with a known Z = Zs ⊕ ZI ⊕ ZT and a modality gap, generated as
/// benchmarks/scripts/make_planted.py does: shared scores s, modality-specific scores at 0.6 scale, noise, a gap of 1.5
/// along two further orthogonal directions, rows normalised to unit length.
/// </summary>
internal sealed record Planted(EmbeddingSet Images, EmbeddingSet Texts, Matrix<double> Shared,
    Matrix<double> ImageSpecific, Matrix<double> TextSpecific)
{
    public static Planted Make(int n, int d, int ks, int ki, int kt, double noise = 0.02, int seed = 0)
    {
        var random = new Random(seed);
        var q = Matrix<double>.Build.Dense(d, ks + ki + kt + 2, (_, _) => Sets.Gaussian(random)).QR().Q;
        var bs = q.SubMatrix(0, d, 0, ks);
        var bi = q.SubMatrix(0, d, ks, ki);
        var bt = q.SubMatrix(0, d, ks + ki, kt);
        var gap = q.SubMatrix(0, d, ks + ki + kt, 2);
        var s = Matrix<double>.Build.Dense(n, ks, (_, _) => Sets.Gaussian(random));
        var ui = Matrix<double>.Build.Dense(n, ki, (_, _) => 0.6 * Sets.Gaussian(random));
        var ut = Matrix<double>.Build.Dense(n, kt, (_, _) => 0.6 * Sets.Gaussian(random));
        var img = s * bs.Transpose() + ui * bi.Transpose()
            + Matrix<double>.Build.Dense(n, d, (i, k) => 1.5 * gap[k, 0] + noise * Sets.Gaussian(random));
        var txt = s * bs.Transpose() + ut * bt.Transpose()
            + Matrix<double>.Build.Dense(n, d, (i, k) => 1.5 * gap[k, 1] + noise * Sets.Gaussian(random));
        return new Planted(ToSet(img), ToSet(txt), bs, bi, bt);
    }

    private static EmbeddingSet ToSet(Matrix<double> m)
    {
        var values = new float[m.RowCount * m.ColumnCount];
        for (int i = 0; i < m.RowCount; i++)
        {
            double norm = m.Row(i).L2Norm();
            for (int k = 0; k < m.ColumnCount; k++) values[i * m.ColumnCount + k] = (float)(m[i, k] / norm);
        }
        return new EmbeddingSet(values, m.RowCount, m.ColumnCount);
    }

    /// <summary>The largest principal angle (degrees) between two subspaces given by orthonormal bases of equal
    /// rank.</summary>
    public static double LargestAngleDegrees(Matrix<double> a, Matrix<double> b)
    {
        var cosines = a.TransposeThisAndMultiply(b).Svd(computeVectors: false).S;
        return Math.Acos(Math.Clamp(cosines.Minimum(), -1, 1)) * 180 / Math.PI;
    }
}
