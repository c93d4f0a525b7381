using System.Runtime.Intrinsics;

namespace FiberProduct.Embedding;

/// <summary>
/// Sums over the d coordinates of float32 vectors, in float64 and in one fixed order that defines every reference
/// value of the library (squared norms, distances, cosines). The inputs are widened to float64 and the terms split
/// into eight interleaved partial sums: s_l accumulates the terms of coordinates k ≡ l (mod 8) below 8⌊d/8⌋ in
/// increasing k; they combine as ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)); the last d mod 8 terms are then
/// added in order. Products and sums are separate IEEE operations (never fused). The order is as accurate as plain
/// sequential summation (the same γ_d error bound, usually better), gives the same bits on every machine with or
/// without SIMD, and runs a vector at a time.
/// </summary>
internal static class ReferenceSums
{
    /// <summary>Σ (x_k − y_k)² in the reference order.</summary>
    public static double SquaredEuclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int k = 0, blocked = x.Length & ~7;
        double total;
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256<double>.Zero;
            var high = Vector256<double>.Zero;
            for (; k < blocked; k += 8)
            {
                var xv = Vector256.Create(x.Slice(k, 8));
                var yv = Vector256.Create(y.Slice(k, 8));
                var d0 = Vector256.WidenLower(xv) - Vector256.WidenLower(yv);
                var d1 = Vector256.WidenUpper(xv) - Vector256.WidenUpper(yv);
                low += d0 * d0;
                high += d1 * d1;
            }
            var v = low + high; // (s0 + s4, s1 + s5, s2 + s6, s3 + s7)
            total = (v[0] + v[1]) + (v[2] + v[3]);
        }
        else
        {
            Span<double> s = stackalloc double[8];
            s.Clear();
            for (; k < blocked; k += 8)
                for (int l = 0; l < 8; l++)
                {
                    double diff = (double)x[k + l] - y[k + l];
                    s[l] += diff * diff;
                }
            total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        }
        for (; k < x.Length; k++)
        {
            double diff = (double)x[k] - y[k];
            total += diff * diff;
        }
        return total;
    }

    /// <summary>Σ x_k·y_k in the reference order.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int k = 0, blocked = x.Length & ~7;
        double total;
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256<double>.Zero;
            var high = Vector256<double>.Zero;
            for (; k < blocked; k += 8)
            {
                var xv = Vector256.Create(x.Slice(k, 8));
                var yv = Vector256.Create(y.Slice(k, 8));
                low += Vector256.WidenLower(xv) * Vector256.WidenLower(yv);
                high += Vector256.WidenUpper(xv) * Vector256.WidenUpper(yv);
            }
            var v = low + high;
            total = (v[0] + v[1]) + (v[2] + v[3]);
        }
        else
        {
            Span<double> s = stackalloc double[8];
            s.Clear();
            for (; k < blocked; k += 8)
                for (int l = 0; l < 8; l++) s[l] += (double)x[k + l] * y[k + l];
            total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        }
        for (; k < x.Length; k++) total += (double)x[k] * y[k];
        return total;
    }

    /// <summary>Σ (x_k − y_k)² of float64 vectors in the reference order.</summary>
    public static double SquaredEuclidean(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int k = 0, blocked = x.Length & ~7;
        double total;
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256<double>.Zero;
            var high = Vector256<double>.Zero;
            for (; k < blocked; k += 8)
            {
                var d0 = Vector256.Create(x.Slice(k, 4)) - Vector256.Create(y.Slice(k, 4));
                var d1 = Vector256.Create(x.Slice(k + 4, 4)) - Vector256.Create(y.Slice(k + 4, 4));
                low += d0 * d0;
                high += d1 * d1;
            }
            var v = low + high;
            total = (v[0] + v[1]) + (v[2] + v[3]);
        }
        else
        {
            Span<double> s = stackalloc double[8];
            s.Clear();
            for (; k < blocked; k += 8)
                for (int l = 0; l < 8; l++)
                {
                    double diff = x[k + l] - y[k + l];
                    s[l] += diff * diff;
                }
            total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        }
        for (; k < x.Length; k++)
        {
            double diff = x[k] - y[k];
            total += diff * diff;
        }
        return total;
    }

    /// <summary>Σ x_k·y_k of float64 vectors in the reference order.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int k = 0, blocked = x.Length & ~7;
        double total;
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256<double>.Zero;
            var high = Vector256<double>.Zero;
            for (; k < blocked; k += 8)
            {
                low += Vector256.Create(x.Slice(k, 4)) * Vector256.Create(y.Slice(k, 4));
                high += Vector256.Create(x.Slice(k + 4, 4)) * Vector256.Create(y.Slice(k + 4, 4));
            }
            var v = low + high;
            total = (v[0] + v[1]) + (v[2] + v[3]);
        }
        else
        {
            Span<double> s = stackalloc double[8];
            s.Clear();
            for (; k < blocked; k += 8)
                for (int l = 0; l < 8; l++) s[l] += x[k + l] * y[k + l];
            total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        }
        for (; k < x.Length; k++) total += x[k] * y[k];
        return total;
    }
}
