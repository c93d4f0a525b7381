using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// FsCheck properties of the engine on adversarial inputs: coordinates drawn from a small grid of values (so that
/// duplicates, ties and pairs at exactly the same distance are common), magnitudes from 2^-60 to 2^60, shapes
/// around the tile widths, and tolerances taken from the pair distances themselves (pairs exactly on the boundary).
/// </summary>
public class FiberProductProperties
{
    public sealed record Instance(EmbeddingSet Images, EmbeddingSet Texts, double[] Epsilons)
    {
        public override string ToString() =>
            $"{Images.Count}×{Texts.Count}×{Images.Dimension}, ε ∈ [{string.Join(", ", Epsilons)}]";
    }

    public static Arbitrary<Instance> Instances() =>
        (from n in Gen.Choose(0, 30)
         from m in Gen.Choose(0, 35)
         from d in Gen.Elements(1, 2, 3, 8, 15, 16, 17, 33, 100)
         from exponent in Gen.Elements(0, 0, 0, -60, 60, -20, 20)
         from grid in Gen.Elements(2, 3, 5, 1000)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(n, m, d, Math.ScaleB(1, exponent), grid, seed)).ToArbitrary();

    private static Instance Build(int n, int m, int d, double scale, int grid, int seed)
    {
        var random = new Random(seed);
        float Value() => (float)(scale * (random.Next(grid) - grid / 2) / grid);
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++) x[i] = Value();
        var y = new float[m * d];
        for (int j = 0; j < m; j++)
            for (int k = 0; k < d; k++)
                // every fourth text duplicates an image
                y[j * d + k] = n > 0 && j % 4 == 0 ? x[random.Next(n) * d + k] : Value();
        var images = new EmbeddingSet(x, n, d);
        var texts = new EmbeddingSet(y, m, d);
        var distances = BruteForce.AllDistances(images, texts);
        var epsilons = new List<double> { 0, scale * 0.3 };
        for (int t = 0; t < 3 && distances.Length > 0; t++) epsilons.Add(distances[random.Next(distances.Length)]);
        return new Instance(images, texts, [.. epsilons]);
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 150)]
    public bool Pairs_EqualFloat64BruteForce(Instance instance)
    {
        // With pruning forced off, forced on and at fixed head dimensions: the answer never depends on it.
        return PruningTests.Variants(instance.Images, instance.Texts).All(product => instance.Epsilons.All(e =>
            BruteForce.Pairs(instance.Images, instance.Texts, e).SequenceEqual(product.Pairs(e))
            && product.Count(e) == product.Pairs(e).PairCount)
            && PruningTests.PruningRan(product, instance.Epsilons[^1]));
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 100)]
    public bool Degrees_CountEachImagesAndEachTextsPairs(Instance instance)
    {
        // Against the brute force's exact pairs, with pruning off and on (it joins rows and columns in its own order).
        return PruningTests.Variants(instance.Images, instance.Texts).All(product => instance.Epsilons.All(e =>
        {
            var pairs = BruteForce.Pairs(instance.Images, instance.Texts, e);
            var (perImage, perText) = product.Degrees(e);
            return perImage.SequenceEqual(Enumerable.Range(0, instance.Images.Count)
                .Select(i => pairs.Count(p => p.Image == i)))
                && perText.SequenceEqual(Enumerable.Range(0, instance.Texts.Count)
                    .Select(j => pairs.Count(p => p.Text == j)));
        }));
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 60)]
    public bool Query_EqualsTheJoinOfTheQueries(Instance instance)
    {
        // New vectors against the prepared texts: the images themselves (the shared packing), the images widened to
        // float64 (another precision: prepared again), and scaled by 2^40 (another working scale: prepared again).
        var scaled = new EmbeddingSet(instance.Images.Values.ToArray().Select(v => v * (float)Math.ScaleB(1, 40))
            .ToArray(), instance.Images.Count, instance.Images.Dimension);
        foreach (var metric in new[] { FiberMetric.Euclidean, FiberMetric.Cosine })
        {
            if (metric == FiberMetric.Cosine && HasZeroRow(instance)) continue;
            var product = new ApproximateFiberProduct(instance.Images, instance.Texts, metric);
            _ = product.Count(0); // prepare the texts first, so Query reuses them
            foreach (var queries in new[] { instance.Images, instance.Images.ToDouble(), scaled })
            {
                var direct = new ApproximateFiberProduct(queries, instance.Texts, metric);
                foreach (double e in instance.Epsilons)
                {
                    var expected = BruteForce.Pairs(queries, instance.Texts, e, metric);
                    if (!expected.SequenceEqual(product.Query(queries, e))) return false;
                    if (product.QueryCount(queries, e) != expected.Count) return false;
                    if (!direct.NearestWithin(e, 2).SequenceEqual(product.QueryNearest(queries, e, 2))) return false;
                }
                var profile = direct.Profile(instance.Epsilons, includeDistances: true);
                var queried = product.QueryProfile(queries, instance.Epsilons, includeDistances: true);
                if (!profile.Counts.SequenceEqual(queried.Counts)
                    || !profile.SortedDistances.SequenceEqual(queried.SortedDistances)) return false;
            }
        }
        return true;
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 100)]
    public bool FiberProduct_IsMonotoneInEpsilon(Instance instance)
    {
        // T1: ε ≤ ε' ⇒ F_ε ⊆ F_ε'.
        var product = new ApproximateFiberProduct(instance.Images, instance.Texts);
        var sorted = instance.Epsilons.Order().ToArray();
        for (int t = 1; t < sorted.Length; t++)
        {
            var smaller = product.Pairs(sorted[t - 1]);
            var larger = product.Pairs(sorted[t]);
            if (!smaller.All(p => larger.Contains(p.Image, p.Text))) return false;
        }
        return true;
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 100)]
    public bool Profile_AgreesWithCount(Instance instance)
    {
        var product = new ApproximateFiberProduct(instance.Images, instance.Texts);
        var profile = product.Profile(instance.Epsilons);
        return instance.Epsilons.Select((e, t) => profile.Counts[t] == product.Count(e)).All(ok => ok);
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 100)]
    public bool Profile_WithInfiniteZeroAndOverflowingTolerances_IsExact(Instance instance, int seed)
    {
        // ∞, 0 and tolerances whose squares overflow (after the join's scaling too) mixed into the list in random
        // order: every count equals the exact count, on every metric.
        var random = new Random(seed);
        double[] special = [0, double.PositiveInfinity, 1e155, 1e300, double.MaxValue, double.Epsilon];
        var list = instance.Epsilons.Concat(special.Where(_ => random.Next(3) > 0))
            .OrderBy(_ => random.Next()).ToArray();
        var metric = (FiberMetric)random.Next(3);
        if (metric != FiberMetric.Euclidean && HasZeroRow(instance)) metric = FiberMetric.Euclidean;
        var counts = new ApproximateFiberProduct(instance.Images, instance.Texts, metric)
            .Profile(list).Counts.ToArray();
        return list.Select((e, t) => counts[t] == BruteForce.Count(instance.Images, instance.Texts, e, metric))
            .All(ok => ok);
    }

    private static bool HasZeroRow(Instance instance) =>
        Enumerable.Range(0, instance.Images.Count).Any(i => instance.Images.SquaredNorm(i) == 0)
        || Enumerable.Range(0, instance.Texts.Count).Any(j => instance.Texts.SquaredNorm(j) == 0);

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 100)]
    public bool ClassicalFiberProduct_IsTheHashJoin(Instance instance)
    {
        // T2 on finite families: F_0 consists of the exactly equal pairs.
        var product = new ApproximateFiberProduct(instance.Images, instance.Texts);
        var hashed = ApproximateFiberProduct.ExactMatches(instance.Images, instance.Texts);
        return product.ClassicalFiberProduct().Select(p => (p.Image, p.Text))
            .SequenceEqual(hashed.Select(p => (p.Image, p.Text)));
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 100)]
    public bool BelowTheSmallestPositiveDistance_FEpsilonIsF0(Instance instance)
    {
        // T2 on finite families: F_ε = F_0 for every ε below the smallest positive distance.
        var positive = BruteForce.AllDistances(instance.Images, instance.Texts).Where(x => x > 0).ToArray();
        var product = new ApproximateFiberProduct(instance.Images, instance.Texts);
        var f0 = product.Pairs(0).ToList();
        if (positive.Length == 0) return product.Pairs(1e300).SequenceEqual(f0);
        // The float64 distances are within 1e-12 (relative) of the exact ones.
        double smallest = positive.Min();
        return product.Pairs(smallest * (1 - 1e-12)).SequenceEqual(f0)
            && product.Pairs(smallest / 2).SequenceEqual(f0)
            && product.Count(smallest * (1 + 1e-12)) > f0.Count;
    }

    [Property(Arbitrary = [typeof(FiberProductProperties)], MaxTest = 100)]
    public bool LargestDistance_SaturatesTheProduct(Instance instance)
    {
        // T3: F_ε = 𝒫 × 𝒬 exactly when ε ≥ the largest distance.
        var distances = BruteForce.AllDistances(instance.Images, instance.Texts);
        var product = new ApproximateFiberProduct(instance.Images, instance.Texts);
        long all = (long)instance.Images.Count * instance.Texts.Count;
        if (distances.Length == 0) return product.Count(1) == 0;
        // The float64 distances are within 1e-12 (relative) of the exact ones.
        double max = distances.Max();
        return product.Count(max * (1 + 1e-12)) == all && (max == 0 || product.Count(max * (1 - 1e-12)) < all);
    }
}
