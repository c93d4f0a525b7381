using FiberProduct.Embedding;
using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// Seeded samples of manifolds of known intrinsic dimension k placed in R^D by a random rotation (an orthonormal
/// D × m frame, m the dimension of the manifold's own coordinates): the known truth the intrinsic-dimension estimators
/// are validated on (docs/theorems.md, T6). The rotation hides the manifold from the coordinate axes; distances are
/// those of the manifold's own coordinates, up to float32 rounding.
/// </summary>
public static class ManifoldSamples
{
    /// <summary>Points uniform in the unit cube [0, 1]^k (m = k): flat, with a boundary.</summary>
    /// <param name="count">The number of points N ≥ 0.</param>
    /// <param name="dimension">k ≥ 1.</param>
    /// <param name="ambient">D ≥ k.</param>
    /// <param name="seed">Seed of the points and the rotation.</param>
    /// <returns>N points in R^D (float32), of intrinsic dimension k.</returns>
    /// <exception cref="ArgumentOutOfRangeException">N negative, k below 1, or D below k.</exception>
    public static EmbeddingSet Cube(int count, int dimension, int ambient, int seed) =>
        Rotated(count, dimension, dimension, ambient, seed, (random, u) =>
        {
            for (int j = 0; j < u.Length; j++) u[j] = random.NextDouble();
        });

    /// <summary>Points uniform on the unit sphere S^k ⊂ R^{k+1} (m = k + 1): curved, without a boundary.</summary>
    /// <inheritdoc cref="Cube" path="/param"/>
    /// <exception cref="ArgumentOutOfRangeException">N negative, k below 1, or D below k + 1.</exception>
    public static EmbeddingSet Sphere(int count, int dimension, int ambient, int seed) =>
        Rotated(count, dimension, dimension + 1, ambient, seed, (random, u) =>
        {
            double norm;
            do
            {
                norm = 0;
                for (int j = 0; j < u.Length; j++) { u[j] = StandardNormal.Sample(random); norm += u[j] * u[j]; }
            } while (norm == 0);
            norm = Math.Sqrt(norm);
            for (int j = 0; j < u.Length; j++) u[j] /= norm;
        });

    /// <summary>
    /// A swiss roll of dimension k (m = k + 1): the spiral (t cos t, t sin t), t uniform in [1.5π, 4.5π] (the density
    /// along the spiral is therefore not uniform, as in scikit-learn's make_swiss_roll), times the cube [0,
    /// 21]^{k−1}; k = 2 is the classic roll, k = 1 the spiral alone.
    /// </summary>
    /// <inheritdoc cref="Cube" path="/param"/>
    /// <exception cref="ArgumentOutOfRangeException">N negative, k below 1, or D below k + 1.</exception>
    public static EmbeddingSet SwissRoll(int count, int dimension, int ambient, int seed) =>
        Rotated(count, dimension, dimension + 1, ambient, seed, (random, u) =>
        {
            double t = 1.5 * Math.PI * (1 + 2 * random.NextDouble());
            u[0] = t * Math.Cos(t);
            u[1] = t * Math.Sin(t);
            for (int j = 2; j < u.Length; j++) u[j] = 21 * random.NextDouble();
        });

    private static EmbeddingSet Rotated(int count, int dimension, int own, int ambient, int seed,
        Action<Random, double[]> draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ambient, own);
        var random = new Random(seed);
        var frame = Frame(random, ambient, own);
        var values = new float[(long)count * ambient];
        var u = new double[own];
        for (int i = 0; i < count; i++)
        {
            draw(random, u);
            for (int c = 0; c < ambient; c++)
            {
                double s = 0;
                for (int j = 0; j < own; j++) s += frame[j][c] * u[j];
                values[(long)i * ambient + c] = (float)s;
            }
        }
        return new EmbeddingSet(values, count, ambient);
    }

    /// <summary>m orthonormal vectors of R^D: Gaussian vectors, Gram–Schmidt twice (reorthogonalised for
    /// rounding).</summary>
    private static double[][] Frame(Random random, int ambient, int own)
    {
        var frame = new double[own][];
        for (int j = 0; j < own; j++)
        {
            var v = new double[ambient];
            double norm;
            do
            {
                for (int c = 0; c < ambient; c++) v[c] = StandardNormal.Sample(random);
                for (int pass = 0; pass < 2; pass++)
                    for (int p = 0; p < j; p++)
                    {
                        double dot = 0;
                        for (int c = 0; c < ambient; c++) dot += frame[p][c] * v[c];
                        for (int c = 0; c < ambient; c++) v[c] -= dot * frame[p][c];
                    }
                norm = Math.Sqrt(v.Sum(x => x * x));
            } while (norm < 1e-6);
            for (int c = 0; c < ambient; c++) v[c] /= norm;
            frame[j] = v;
        }
        return frame;
    }
}
