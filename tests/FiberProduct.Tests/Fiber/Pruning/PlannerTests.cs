using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Fiber.Pruning;

namespace FiberProduct.Tests.Fiber.Pruning;

/// <summary>
/// The principal axes, and the planner's decisions: when it prunes, when Auto declines, and what it refuses.
/// </summary>
public class PlannerTests
{
    /// <summary>Rows near a rank-r subspace of R^d (noise 10^-3), shifted apart by a modality gap.</summary>
    private static (EmbeddingSet Images, EmbeddingSet Texts, double[] Subspace) LowRank(int n,
        int d, int rank, int seed)
    {
        var random = new Random(seed);
        var subspace = new double[rank * d];
        for (int i = 0; i < subspace.Length; i++) subspace[i] = Sets.Gaussian(random);
        DenseRows.Orthonormalize(subspace, rank, d);
        EmbeddingSet Make()
        {
            var values = new float[n * d];
            for (int i = 0; i < n; i++)
                for (int a = 0; a < rank; a++)
                {
                    double w = Sets.Gaussian(random);
                    for (int c = 0; c < d; c++)
                        values[i * d + c] += (float)(w * subspace[a * d + c] + 1e-3 * Sets.Gaussian(random) / rank);
                }
            return new EmbeddingSet(values, n, d);
        }
        return (Make(), Make(), subspace);
    }

    [Fact]
    public void PrincipalAxes_AreOrthonormal_AndSpanTheData()
    {
        var (images, texts, subspace) = LowRank(400, 96, 5, 1);
        var axes = PrincipalAxes.Fit(images, texts, PrincipalAxes.SampledSpan(images, texts)!, 40,
            ExecutionScope.Serial)!;
        Assert.InRange(axes.Orthogonality, 0, 1e-6);
        Assert.Equal(axes.Orthogonality, DenseRows.Orthogonality(axes.Rows, axes.Count, axes.Dimension));
        // The leading five axes span the planted subspace: each of its vectors keeps all but 10^-4 of its norm there.
        for (int s = 0; s < 5; s++)
        {
            double kept = 0;
            for (int a = 0; a < 5; a++)
                kept += Math.Pow(DenseRows.Dot(subspace.AsSpan(s * 96, 96), axes.Rows.AsSpan(a * 96, 96)), 2);
            Assert.InRange(kept, 1 - 1e-4, 1 + 1e-9);
        }
    }

    [Theory]
    [InlineData(15, 1.0)] // below the dimension where heads gain
    [InlineData(16, 2e9)] // magnitudes past 2^30: float32 heads could overflow
    public void Create_Refuses_WhatItCannotBound(int d, double scale)
    {
        var random = new Random(d);
        var (images, texts) = (Sets.Random(random, 30, d, (float)scale), Sets.Random(random, 30, d, (float)scale));
        Assert.Null(PruningPlanner.Create(images, texts, FiberMetric.Euclidean, ExecutionScope.Serial));
        Assert.NotNull(PruningPlanner.Create(Sets.Random(random, 30, 16), Sets.Random(random, 30, 16),
            FiberMetric.Euclidean, ExecutionScope.Serial));
    }

    [Fact]
    public void OnLowRankData_AutoPrunes()
    {
        var (images, texts, _) = LowRank(600, 64, 3, 2);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        var planner = PruningPlanner.Create(images, texts, FiberMetric.Euclidean, ExecutionScope.Serial)!;
        var plan = planner.Choose(distances[distances.Length / 1000], always: false, forced: null,
            ExecutionScope.Serial);
        Assert.True(plan.Dimension > 0, $"declined at estimated cost {plan.EstimatedCost}");
        Assert.InRange(plan.EstimatedCost, 0, CostTable.Measured.Worthwhile);
    }

    [Fact]
    public void OrderedSets_PackTheOperands_OnlyWhenAsked_AndOnce()
    {
        // The tile sample needs the k-d order only: a plan declined after it must not have packed the texts again.
        var (images, texts, _) = LowRank(200, 32, 3, 4);
        var projector = new HeadProjector(PrincipalAxes.SampledSpan(images, texts)!, 1.0 / 1024, 0);
        var sets = new OrderedSets(projector, images, texts, images, texts, FiberMetric.Euclidean,
            ExecutionScope.Serial);
        Assert.Equal(0, sets.PackSeconds);
        var operands = sets.Operands(ExecutionScope.Serial);
        Assert.True(sets.PackSeconds > 0, "the operands were not packed");
        Assert.Same(operands, sets.Operands(ExecutionScope.Serial));
        Assert.Equal(sets.RowOrder, operands.RowOrder);
        Assert.Equal(images.Count, sets.RowOrder.Distinct().Count());
    }

    [Fact]
    public void ACancelledPreparation_IsNotKept()
    {
        // A query cancelled while pruning prepares fails with the cancel; the next query prepares again and answers.
        var (images, texts, _) = LowRank(300, 48, 4, 3);
        var product = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { Pruning = PruningMode.Always });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => product.Count(0.5, cancellationToken: cancelled.Token));
        Assert.Null(product.LastPruning);
        Assert.Equal(BruteForce.Count(images, texts, 0.5), product.Count(0.5));
        Assert.True(product.LastPruning is { Pruned: true }, "the second query did not prune");
    }
}
