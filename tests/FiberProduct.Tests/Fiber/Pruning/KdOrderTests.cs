using FiberProduct.Execution;
using FiberProduct.Fiber.Pruning;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber.Pruning;

/// <summary>The k-d order: a permutation, deterministic, and leaves that are tighter than the whole set.</summary>
public class KdOrderTests
{
    public sealed record Points(float[] Values, int Count, int Width, int Leaf)
    {
        public override string ToString() => $"{Count} points × {Width}, leaf {Leaf}";
    }

    /// <summary>Points on a small grid (many equal keys) or spread, around the leaf sizes the join uses.</summary>
    public static Arbitrary<Points> Sets() =>
        (from n in Gen.Choose(0, 700)
         from width in Gen.Elements(1, 2, 5, 16, 24)
         from leaf in Gen.Elements(4, 6, 12, 16)
         from grid in Gen.Elements(1, 2, 3, 1000)
         from seed in Gen.Choose(0, int.MaxValue)
         select Make(n, width, leaf, grid, new Random(seed))).ToArbitrary();

    private static Points Make(int n, int width, int leaf, int grid, Random random) =>
        new(Enumerable.Range(0, n * width).Select(_ => (float)random.Next(grid) / grid).ToArray(), n, width, leaf);

    [Property(Arbitrary = [typeof(KdOrderTests)], MaxTest = 200)]
    public bool Order_IsAPermutation_AndDeterministic(Points points)
    {
        var order = KdOrder.Of(points.Values, points.Count, points.Width, points.Leaf, ExecutionScope.Serial);
        var again = KdOrder.Of(points.Values, points.Count, points.Width, points.Leaf, ExecutionScope.Serial);
        return order.Order().SequenceEqual(Enumerable.Range(0, points.Count)) && order.SequenceEqual(again);
    }

    [Fact]
    public void Leaves_AreTighterThanTheSet()
    {
        // Points along a line: after the order, each leaf spans a short stretch of it.
        var random = new Random(4);
        const int N = 960, Leaf = 12;
        var values = Enumerable.Range(0, N).Select(_ => (float)random.NextDouble()).ToArray();
        var order = KdOrder.Of(values, N, 1, Leaf, ExecutionScope.Serial);
        double widest = 0;
        for (int leaf = 0; leaf < N / Leaf; leaf++)
        {
            var keys = order.Skip(leaf * Leaf).Take(Leaf).Select(i => values[i]).ToArray();
            widest = Math.Max(widest, keys.Max() - keys.Min());
        }
        Assert.True(widest < 0.05, $"a leaf of 12 of 960 uniform points spans {widest:F3}");
    }

    [Fact]
    public void ACancelledScope_Stops()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var scope = new ExecutionScope(1, null, source.Token);
        Assert.ThrowsAny<OperationCanceledException>(() => KdOrder.Of(new float[100], 100, 1, 4, scope));
    }
}
