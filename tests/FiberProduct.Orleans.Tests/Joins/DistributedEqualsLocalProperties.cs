using FiberProduct.Fiber;
using FiberProduct.Orleans.Tests.Cluster;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Orleans.Tests.Joins;

/// <summary>
/// Each operation across three silos equals the single-machine join on the same rows, to the bit: any cut of the
/// images into blocks and of the texts into shards, float32 and wide, the three metrics, and tolerances on ties.
/// Fails if a block result is shifted to the wrong rows or columns, if a block or shard is dropped or counted twice,
/// if the top-k merge breaks ties differently from the core, or if the profile's counts or distances do not add up.
/// </summary>
public sealed class DistributedEqualsLocalProperties(ClusterFixture cluster)
{
    public static Arbitrary<Instance> Instances() =>
        (from n in Gen.Choose(0, 24)
         from m in Gen.Choose(0, 24)
         from d in Gen.Elements(1, 2, 3, 5, 17)
         from grid in Gen.Elements(1, 2)
         from wide in Gen.Elements(false, true)
         from metric in Gen.Elements(
             FiberMetric.Euclidean, FiberMetric.Euclidean, FiberMetric.Cosine, FiberMetric.Angular)
         from blockRows in Gen.Choose(1, Math.Max(1, n + 1))
         from shardRows in Gen.Choose(1, Math.Max(1, m + 1))
         from epsilonIndex in Gen.Choose(0, Instance.Tolerances.Length - 1)
         from k in Gen.Choose(1, 4)
         from seed in Gen.Choose(0, int.MaxValue)
         from pruning in Gen.Elements(PruningMode.Auto, PruningMode.Always)
         select Instance.Build(n, m, d, grid, wide, metric, blockRows, shardRows, epsilonIndex, k, seed) with
         {
             Pruning = pruning,
         }).ToArbitrary();

    [Property(Arbitrary = [typeof(DistributedEqualsLocalProperties)], MaxTest = 25)]
    public bool EveryOperation_EqualsTheSingleMachineJoin(Instance instance)
    {
        using var files = new TempFiles();
        var local = new ApproximateFiberProduct(instance.Images, instance.Texts, instance.Metric);
        var distributed = new DistributedFiberProduct(cluster.Client, files.Write(instance.Images),
            files.Write(instance.Texts), instance.Metric,
            new DistributedJoinOptions
            {
                ImageBlockRows = instance.BlockRows, TextShardRows = instance.ShardRows,
                // Always: each piece is joined on its own, with its own pruning plan; Auto: against the prepared
                // shard.
                Join = new FiberProductOptions { Pruning = instance.Pruning },
            });
        double[] epsilons = [instance.Epsilon, instance.Epsilon / 2, 1, instance.Epsilon];
        bool count = local.Count(instance.Epsilon) == Wait(distributed.CountAsync(instance.Epsilon));
        bool pairs = Same.Pairs(local.Pairs(instance.Epsilon), Wait(distributed.PairsAsync(instance.Epsilon)));
        bool nearest = Same.Pairs(local.NearestWithin(instance.Epsilon, instance.K),
            Wait(distributed.NearestWithinAsync(instance.Epsilon, instance.K)));
        var finite = epsilons.Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        bool profile = Same.Profile(local.Profile(epsilons), Wait(distributed.ProfileAsync(epsilons)))
            && Same.Profile(local.Profile(finite, includeDistances: true),
                Wait(distributed.ProfileAsync(finite, includeDistances: true)));
        Assert.True(count, "count");
        Assert.True(pairs, "pairs");
        Assert.True(nearest, "top-k within ε");
        Assert.True(profile, "profile");
        return true;
    }

    private static T Wait<T>(Task<T> task) => task.WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
}
