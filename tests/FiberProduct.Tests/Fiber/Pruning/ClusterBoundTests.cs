using FiberProduct.Execution;
using FiberProduct.Fiber.Pruning;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber.Pruning;

/// <summary>The cluster bound never excludes a pair: every pair of a tile is at least its gap apart.</summary>
public class ClusterBoundTests
{
    public sealed record Heads(short[] X, short[] PackedY, int N, int M, int Stride, int Height)
    {
        public override string ToString() => $"{N} × {M} heads of {Stride}, micro-panels of {Height}";
    }

    /// <summary>
    /// Quantised heads in a few tight clusters (so that gaps are positive) or spread to the int16 limits.
    /// </summary>
    public static Arbitrary<Heads> Sets() =>
        (from n in Gen.Choose(1, 60)
         from m in Gen.Choose(1, 70)
         from stride in Gen.Elements(2, 4, 10, 34)
         from height in Gen.Elements(4, 6, 12)
         from spread in Gen.Elements(0, 3, 200, 4000)
         from seed in Gen.Choose(0, int.MaxValue)
         select Make(n, m, stride, height, spread, new Random(seed))).ToArbitrary();

    private static Heads Make(int n, int m, int stride, int height, int spread, Random random)
    {
        // Every head's norm stays within 2^14 + 9 quanta, as quantisation guarantees.
        int limit = ((1 << 14) + 9) / (int)Math.Ceiling(Math.Sqrt(stride));
        int reach = Math.Max(0, limit - spread);
        var centres = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, stride)
            .Select(_ => random.Next(-reach, reach + 1)).ToArray()).ToArray();
        short Value(int[] centre, int c) =>
            (short)Math.Clamp(centre[c] + random.Next(-spread, spread + 1), -limit, limit);
        var x = new short[n * stride];
        for (int i = 0; i < n; i++)
        {
            var centre = centres[i / height % centres.Length];
            for (int c = 0; c < stride; c++) x[i * stride + c] = Value(centre, c);
        }
        var packed = new short[(m + 15) / 16 * 16 * stride];
        for (int j = 0; j < m; j++)
        {
            var centre = centres[(j / 16 + 1) % centres.Length];
            for (int c = 0; c < stride; c++) packed[QuantizedHeads.PackedIndex(j, c, stride)] = Value(centre, c);
        }
        return new Heads(x, packed, n, m, stride, height);
    }

    [Property(Arbitrary = [typeof(ClusterBoundTests)], MaxTest = 200)]
    public bool NoPairOfATile_IsCloserThanItsGap(Heads heads)
    {
        var gaps = ClusterBound.Gaps(heads.X, heads.N, heads.Height, heads.PackedY, heads.M, heads.Stride,
            ExecutionScope.Serial)!;
        int panels = (heads.M + 15) / 16;
        for (int i = 0; i < heads.N; i++)
            for (int j = 0; j < heads.M; j++)
            {
                long squared = 0;
                for (int c = 0; c < heads.Stride; c++)
                {
                    long v = heads.X[i * heads.Stride + c]
                        - heads.PackedY[QuantizedHeads.PackedIndex(j, c, heads.Stride)];
                    squared += v * v;
                }
                if (Math.Sqrt(squared) < gaps[(long)(i / heads.Height) * panels + j / 16]) return false;
            }
        return true;
    }

    [Fact]
    public void TightClusters_HavePositiveGaps()
    {
        var heads = Make(48, 64, 10, 12, 3, new Random(1));
        var gaps = ClusterBound.Gaps(heads.X, heads.N, heads.Height, heads.PackedY, heads.M, heads.Stride,
            ExecutionScope.Serial)!;
        Assert.Contains(gaps, g => g > 100);
    }

    [Fact]
    public void TooManyTiles_BuildNoGaps()
    {
        var heads = ClusterBound.Gaps([], (int)Math.Sqrt(ClusterBound.MaxTiles) * 12 + 12, 12, [],
            (int)Math.Sqrt(ClusterBound.MaxTiles) * 16 + 16, 2, ExecutionScope.Serial);
        Assert.Null(heads);
    }
}
