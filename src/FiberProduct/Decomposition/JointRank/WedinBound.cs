using FiberProduct.Execution;
using FiberProduct.Numerics;

namespace FiberProduct.Decomposition;

/// <summary>
/// AJIVE's Wedin bound (Feng, Jiang, Hannig and Marron 2018, eq. (7); its resampling as in their Python package
/// py_jive, <c>jive/wedin_bound.py</c>): how far noise can tilt a modality's estimated signal subspace
/// from the true one.
/// </summary>
/// <remarks>
/// <para>Wedin's theorem bounds sin θ between the estimated and true signal subspaces by
/// max(‖E Ṽ‖, ‖Eᵀ Ũ‖) / σ_r, E the noise and σ_r the smallest kept singular value. The noise is unknown;
/// the residual of the rank-r approximation stands in for it, applied to uniformly random r-frames Ṽ, Ũ in the
/// complements of the signal's right and left singular spaces (the residual annihilates the signal's own). ‖E Ṽ‖
/// depends only on the residual singular values s and the coordinates Z of Ṽ in the residual's singular basis, so it
/// is sampled as ‖diag(s) Z‖ without touching E (<see cref="RandomFrames.FrameNorm"/>).</para>
/// <para>Two choices differ from py_jive, both towards a larger threshold (the bound binds at least as often):
/// the percentile is taken of each norm apart, then the larger is divided by σ_r; and the two modalities' angles are
/// combined by the triangle inequality for angles, 1 + cos(θ_I + θ_T), where AJIVE uses 2 − sin²θ_I
/// − sin²θ_T, which is never larger (equal when θ_I = θ_T). Why the bound rarely binds on real embeddings:
/// docs/theorems.md, T8.</para>
/// </remarks>
internal static class WedinBound
{
    /// <summary>
    /// The bound on sin θ for one modality at the chosen percentile over the resampled frames: 0 for a rank-0 signal
    /// or a noiseless residual, 1 when the smallest kept singular value is 0.
    /// </summary>
    /// <param name="signal">The modality's signal subspace and singular values.</param>
    /// <param name="n">The number of rows N (the left complement lies in the (N − 1)-dimensional centred sample
    /// space).</param>
    /// <param name="d">The dimension d (the right complement lies in R^d).</param>
    /// <param name="options">Samples, percentile and seed.</param>
    /// <param name="stream">Separates the modalities' generators (1 images, 2 texts).</param>
    /// <param name="scope">Workers, token and progress.</param>
    public static double Sine(SignalSubspace signal, int n, int d, DecompositionOptions options, int stream,
        ExecutionScope scope)
    {
        int r = signal.Rank;
        if (r == 0) return 0;
        double smallestSignal = signal.SingularValues[r - 1];
        if (smallestSignal == 0) return 1;
        var residual = signal.SingularValues.Skip(r).ToArray();
        if (residual.All(s => s == 0)) return 0;
        var right = new double[options.WedinSamples];
        var left = new double[options.WedinSamples];
        scope.For(0, options.WedinSamples, s =>
        {
            var random = new Random(unchecked(options.Seed * 1_000_003 + stream * 7_919 + s));
            // right singular space: the complement in R^d
            right[s] = RandomFrames.FrameNorm(random, residual, d - r, r);
            // left: the complement in the centred sample space
            left[s] = RandomFrames.FrameNorm(random, residual, n - 1 - r, r);
        }, reportEvery: 1);
        return Math.Max(Quantiles.Percentile(right, options.Percentile), Quantiles.Percentile(left, options.Percentile))
            / smallestSignal;
    }

    /// <summary>
    /// The threshold on 1 + cos θ that the Wedin sines imply: a truly joint direction is seen by each modality through
    /// a perturbation of angle at most arcsin(sine); the two estimates then meet at an angle at most the sum, so 1
    /// + cos θ stays above 1 + cos(θ_I + θ_T) (the sum capped at π/2, so the threshold is at least 1).
    /// </summary>
    public static double Threshold(double imageSine, double textSine)
    {
        double angle = Math.Min(Math.PI / 2, Math.Asin(Math.Min(1, imageSine)) + Math.Asin(Math.Min(1, textSine)));
        return 1 + Math.Cos(angle);
    }
}
