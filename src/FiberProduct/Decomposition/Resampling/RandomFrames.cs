using System.Numerics.Tensors;
using FiberProduct.Numerics;

namespace FiberProduct.Decomposition;

/// <summary>
/// Uniformly random orthonormal frames, sampled through what the resampled bounds need of them (a norm, a largest
/// cosine) rather than as d × r matrices: a frame is G (GᵀG)^(−1/2) for a Gaussian G, so every quantity reduces to
/// small Gram matrices of G.
/// </summary>
internal static class RandomFrames
{
    /// <summary>The columns of a rows × columns matrix of independent standard normal entries, drawn a column at a
    /// time.</summary>
    public static double[][] GaussianColumns(Random random, int rows, int columns)
    {
        var g = new double[columns][];
        for (int j = 0; j < columns; j++)
        {
            g[j] = new double[rows];
            StandardNormal.Fill(random, g[j]);
        }
        return g;
    }

    /// <summary>
    /// ‖diag(s) Z₁‖₂ for Z a uniformly random orthonormal k × r frame (r reduced to k when the complement is
    /// smaller) and Z₁ its first m = |s| rows. With Z = G (GᵀG)^(−1/2), G Gaussian, the squared norm is the
    /// largest eigenvalue of L⁻¹ (G₁ᵀ diag(s²) G₁) L⁻ᵀ where GᵀG = LLᵀ; the k − m rows below
    /// contribute to GᵀG only, as a Wishart matrix.
    /// </summary>
    public static double FrameNorm(Random random, double[] s, int k, int r)
    {
        int m = Math.Min(s.Length, k);
        r = Math.Min(r, k);
        if (r == 0 || m == 0) return 0;
        // The m Gaussian rows are drawn row by row into columns, and also scaled by s (H = diag(s) G₁), so that
        // both Gram matrices are column dot products: W₁ = G₁ᵀG₁ and A = HᵀH = G₁ᵀ diag(s²) G₁.
        var drawn = new double[m * r];
        StandardNormal.Fill(random, drawn);
        double[][] g = new double[r][], h = new double[r][];
        for (int j = 0; j < r; j++) (g[j], h[j]) = (new double[m], new double[m]);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < r; j++)
            {
                g[j][i] = drawn[i * r + j];
                h[j][i] = s[i] * g[j][i];
            }
        var gram = DenseProducts.Gram(g, m);
        var weighted = DenseProducts.Gram(h, m);
        int rest = k - m;
        if (rest > 0)
        {
            var wishart = Wishart(random, rest, r);
            for (int a = 0; a < r * r; a++) gram[a] += wishart[a];
        }
        double largest = GeneralizedEigenvalue.Largest(weighted, gram, r);
        return Math.Sqrt(Math.Max(0, largest));
    }

    /// <summary>
    /// The largest squared cosine between the first <paramref name="ri"/> coordinate axes of R^d and a uniformly random
    /// r_T-dimensional subspace. The subspace is spanned by a Gaussian d × r_T matrix G, whose orthonormal frame is
    /// G W^(−1/2) with W = GᵀG; the squared cosines are then the eigenvalues of L⁻¹ W₁ L⁻ᵀ, with W₁
    /// = G₁ᵀG₁ over the first r_I rows and W = LLᵀ: no d × r_T factorisation needed.
    /// </summary>
    public static double LargestSquaredCosine(Random random, int d, int ri, int rt)
    {
        var g = GaussianColumns(random, d, rt);
        return GeneralizedEigenvalue.Largest(DenseProducts.Gram(g, ri), DenseProducts.Gram(g, d), rt);
    }

    /// <summary>
    /// HᵀH (r × r, row-major) for a df × r Gaussian H: directly when df is small, else by Bartlett's decomposition
    /// (A Aᵀ, A lower triangular).
    /// </summary>
    private static double[] Wishart(Random random, int df, int r)
    {
        if (df <= 2 * r) return DenseProducts.Gram(GaussianColumns(random, df, r), df);
        var a = new double[r * r]; // lower triangular, row-major
        for (int i = 0; i < r; i++)
        {
            // χ²_k = 2·Gamma(k/2, 1), sampled by Marsaglia and Tsang's method (MathNet's χ² sampler sums k
            // squared normals).
            a[i * r + i] = Math.Sqrt(2 * MathNet.Numerics.Distributions.Gamma.Sample(random, (df - i) / 2.0, 1.0));
            for (int j = 0; j < i; j++) a[i * r + j] = StandardNormal.Sample(random);
        }
        var product = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j <= i; j++)
                product[i * r + j] = product[j * r + i] =
                    TensorPrimitives.Dot<double>(a.AsSpan(i * r, j + 1), a.AsSpan(j * r, j + 1));
        return product;
    }
}
