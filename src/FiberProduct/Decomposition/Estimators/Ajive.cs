using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FiberProduct.Decomposition;

/// <summary>
/// The AJIVE estimator (Feng, Jiang, Hannig and Marron 2018) in feature space: the joint directions are the leading
/// left singular vectors of [V_I V_T] whose squared singular value 1 + cos θ exceeds both bounds of
/// <see cref="JointRankBounds"/>, or the given joint rank.
/// </summary>
internal static class Ajive
{
    /// <summary>
    /// Rounding margin of the comparison s² &gt; threshold that chooses the joint rank (s² ≤ 2 is a sum of cosines
    /// of orthonormal frames).
    /// </summary>
    internal const double JointMargin = 1e-10;

    /// <summary>
    /// The decomposition of paired sets; progress 0.3 after the signal subspaces, 0.5 after the random-direction bound,
    /// 0.9 after both Wedin bounds.
    /// </summary>
    public static SubspaceDecomposition Estimate(EmbeddingSet images, EmbeddingSet texts, DecompositionOptions options,
        ExecutionScope scope)
    {
        var context = Estimation.Prepare(images, texts, options, scope.Part(0, 0.3));
        var (vi, ri, vt, rt) = (context.Image.Basis, context.Image.Rank, context.Text.Basis, context.Text.Rank);
        int d = context.Dimension;

        // Joint directions: left singular vectors of [V_I V_T] with s² = 1 + cos θ above the threshold.
        var stacked = vi.Append(vt);
        var (stackedU, stackedS) = stacked.ColumnCount == 0 ? (stacked, [])
            : Factorizations.ThinLeftSvd(stacked, scope);
        scope.ThrowIfCancelled();
        JointRankBounds? bounds = null;
        int rs;
        if (options.JointRank is int given) rs = given;
        else
        {
            double random = RandomDirectionBound.Of(d, ri, rt, options, scope.Part(0.3, 0.5));
            double imageSine = WedinBound.Sine(context.Image, context.Count, d, options,
                stream: 1, scope.Part(0.5, 0.7));
            double textSine = WedinBound.Sine(context.Text, context.Count, d, options, stream: 2, scope.Part(0.7, 0.9));
            bounds = new JointRankBounds(random, WedinBound.Threshold(imageSine, textSine), imageSine, textSine);
            // The margin absorbs the rounding of the stacked SVD: noiseless data make both Wedin sines 0 and the
            // threshold exactly 2, which an exactly shared direction (s² = 2) reaches only up to rounding.
            rs = ri == 0 || rt == 0 ? 0
                : Math.Min(Math.Min(ri, rt), stackedS.Count(s => s * s > bounds.Threshold - JointMargin));
        }
        var shared = rs == 0 ? context.NoSharedDirections : stackedU.SubMatrix(0, d, 0, rs);
        var result = context.Assemble(shared, bounds, [], scope);
        scope.Report(1);
        return result;
    }
}
