using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FiberProduct.Embedding;

/// <summary>
/// Sums over the d coordinates of float32 or float64 vectors, in float64 and in one fixed order that defines every
/// reference value of the library (squared norms, distances, cosines). float32 inputs are widened to float64 (exact)
/// and the terms split into eight interleaved partial sums: s_l accumulates the terms of coordinates k ≡ l (mod 8)
/// below 8⌊d/8⌋ in increasing k; they combine as ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)); the last d mod
/// 8 terms are then added in order. Products and sums are separate IEEE operations (never fused). The order is as
/// accurate as plain sequential summation (the same γ_d error bound, usually better), gives the same bits on every
/// machine with or without SIMD, and runs a vector at a time.
/// </summary>
internal static class ReferenceSums
{
    /// <summary>Σ (x_k − y_k)² in the reference order.</summary>
    public static double SquaredEuclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y) =>
        Sum<float, Widened, Difference>(x, y);

    /// <summary>Σ (x_k − y_k)² of float64 vectors in the reference order.</summary>
    public static double SquaredEuclidean(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        Sum<double, AsIs, Difference>(x, y);

    /// <summary>Σ x_k·y_k in the reference order.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Sum<float, Widened, Product>(x, y);

    /// <summary>Σ x_k·y_k of float64 vectors in the reference order.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Sum<double, AsIs, Product>(x, y);

    /// <summary>The eight lanes k … k + 7 as float64, and one coordinate.</summary>
    private interface ILanes<T>
    {
        static abstract (Vector256<double> Low, Vector256<double> High) Load(ReadOnlySpan<T> v, int k);
        static abstract double At(ReadOnlySpan<T> v, int k);
    }

    private readonly struct Widened : ILanes<float>
    {
        public static (Vector256<double> Low, Vector256<double> High) Load(ReadOnlySpan<float> v, int k)
        {
            var lanes = Vector256.Create(v.Slice(k, 8));
            return (Vector256.WidenLower(lanes), Vector256.WidenUpper(lanes));
        }

        public static double At(ReadOnlySpan<float> v, int k) => v[k];
    }

    private readonly struct AsIs : ILanes<double>
    {
        public static (Vector256<double> Low, Vector256<double> High) Load(ReadOnlySpan<double> v, int k) =>
            (Vector256.Create(v.Slice(k, 4)), Vector256.Create(v.Slice(k + 4, 4)));

        public static double At(ReadOnlySpan<double> v, int k) => v[k];
    }

    /// <summary>The term of one coordinate: (x − y)² or x·y.</summary>
    private interface ITerm
    {
        static abstract Vector256<double> Of(Vector256<double> x, Vector256<double> y);
        static abstract double Of(double x, double y);
    }

    private readonly struct Difference : ITerm
    {
        public static Vector256<double> Of(Vector256<double> x, Vector256<double> y) { var d = x - y; return d * d; }
        public static double Of(double x, double y) { double d = x - y; return d * d; }
    }

    private readonly struct Product : ITerm
    {
        public static Vector256<double> Of(Vector256<double> x, Vector256<double> y) => x * y;
        public static double Of(double x, double y) => x * y;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Sum<T, TLanes, TTerm>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where TLanes : ILanes<T> where TTerm : ITerm
    {
        int k = 0, blocked = x.Length & ~7;
        double total;
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256<double>.Zero;
            var high = Vector256<double>.Zero;
            for (; k < blocked; k += 8)
            {
                var (x0, x1) = TLanes.Load(x, k);
                var (y0, y1) = TLanes.Load(y, k);
                low += TTerm.Of(x0, y0);
                high += TTerm.Of(x1, y1);
            }
            var v = low + high; // (s0 + s4, s1 + s5, s2 + s6, s3 + s7)
            total = (v[0] + v[1]) + (v[2] + v[3]);
        }
        else
        {
            Span<double> s = stackalloc double[8];
            s.Clear();
            for (; k < blocked; k += 8)
                for (int l = 0; l < 8; l++) s[l] += TTerm.Of(TLanes.At(x, k + l), TLanes.At(y, k + l));
            total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        }
        for (; k < x.Length; k++) total += TTerm.Of(TLanes.At(x, k), TLanes.At(y, k));
        return total;
    }
}
