using FiberProduct.Fiber.Pruning;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber.Pruning;

/// <summary>
/// The cost model on its table, with given survival fractions: no timing and no kernel enters, so every assertion holds
/// on every machine (the plan the library picks on given data depends on the micro-panel height of the kernel the
/// machine runs; the model that picks it does not).
/// </summary>
public class CostModelTests
{
    private static readonly CostTable Table = CostTable.Measured;

    [Fact]
    public void Table_HoldsTheMeasuredConstants_InIncreasingDimensions()
    {
        Assert.Equal(0.8, Table.Worthwhile);
        Assert.True(Table.QuantizedSpeedup > 1, "int16 heads are cheaper per coordinate than float32 ones");
        Assert.True(Table.HeadEfficiency >= 1);
        Assert.True(Table.TileOverhead >= 0);
        Assert.Equal(Table.Dimensions.Order(), Table.Dimensions);
        Assert.Equal(Table.Dimensions.Distinct().Count(), Table.Dimensions.Length);
    }

    [Theory]
    [InlineData(512, 0, 0.0)]
    [InlineData(512, 128, 0.05)]
    [InlineData(64, 8, 1.0)]
    public void Cost_IsTheHeadPassPlusTheSurvivingTiles(int d, int k, double survival)
    {
        var model = new CostModel(Table, d);
        double head = Table.HeadEfficiency * ((k + 1) / Table.QuantizedSpeedup + Table.TileOverhead) / d;
        Assert.Equal(head + survival, model.Cost(k, survival), 12);
    }

    [Property(MaxTest = 200)]
    public bool Cost_GrowsWithTheHeadAndTheSurvival(PositiveInt k, NormalFloat a, NormalFloat b)
    {
        var model = new CostModel(Table, 512);
        double s = Math.Abs(a.Get) % 1, t = Math.Abs(b.Get) % 1;
        var (low, high) = (Math.Min(s, t), Math.Max(s, t));
        return model.Cost(k.Get, low) <= model.Cost(k.Get, high) && model.Cost(k.Get, low) < model.Cost(k.Get + 1, low);
    }

    [Fact]
    public void WhenEveryTileSurvives_AutoDeclines_AndAlwaysStillPrunes()
    {
        var model = new CostModel(Table, 512);
        var candidates = model.Candidates(model.MaxAxes);
        var all = candidates.Select(_ => 1.0).ToArray();
        var auto = model.Best(candidates, all, all, always: false);
        Assert.Equal(0, auto.Dimension);
        Assert.True(auto.EstimatedCost > 1, "with every tile surviving the head pass is pure overhead");
        var always = model.Best(candidates, all, all, always: true);
        Assert.Equal(candidates[0], always.Dimension);
        Assert.Equal(0, always.Checkpoint);
    }

    [Fact]
    public void Declines_ExactlyAboveWorthwhile_AndNeverWhenAlways()
    {
        var model = new CostModel(Table, 512);
        Assert.False(model.Declines(Table.Worthwhile, always: false));
        Assert.True(model.Declines(Math.BitIncrement(Table.Worthwhile), always: false));
        Assert.False(model.Declines(double.PositiveInfinity, always: true));
    }

    [Theory]
    [InlineData(512, 384)]
    [InlineData(64, 48)]
    [InlineData(20, 15)]
    public void Candidates_AreTheTablesBelowTheAxes_ThenTheAxes(int d, int axes)
    {
        var model = new CostModel(Table, d);
        Assert.Equal(Math.Min(Table.Dimensions[^1], axes), model.MaxAxes);
        var candidates = model.Candidates(model.MaxAxes);
        Assert.Equal(model.MaxAxes, candidates[^1]);
        Assert.All(candidates[..^1], k => Assert.True(k < model.MaxAxes && Table.Dimensions.Contains(k)));
    }

    [Theory]
    [InlineData(40, 256, 40, 16)]
    [InlineData(300, 192, 192, 96)]
    [InlineData(1, 100, 1, 0)]
    [InlineData(0, 100, 0, 0)]
    public void Forced_CapsAtTheAxes_WithACheckpointAtMostHalf(int k, int axes, int dimension, int checkpoint)
    {
        var plan = new CostModel(Table, 512).Forced(k, axes);
        Assert.Equal(dimension, plan.Dimension);
        Assert.Equal(checkpoint, plan.Checkpoint);
        Assert.True(double.IsNaN(plan.EstimatedCost));
    }

    public sealed record Survival(int Dimension, double[] Within, double[] Leading);

    /// <summary>
    /// Survival fractions as sampling gives them: falling with k, the leading coordinates' above the head's.
    /// </summary>
    public static Arbitrary<Survival> Fractions() =>
        (from d in Gen.Elements(16, 64, 100, 512, 768)
         from seed in Gen.Choose(0, int.MaxValue)
         select Make(d, new Random(seed))).ToArbitrary();

    private static Survival Make(int d, Random random)
    {
        int count = new CostModel(Table, d).Candidates(new CostModel(Table, d).MaxAxes).Length;
        var within = new double[count];
        var leading = new double[count];
        double level = random.NextDouble();
        for (int c = 0; c < count; c++)
        {
            level *= random.NextDouble() < 0.3 ? 1 : random.NextDouble();
            within[c] = level;
            leading[c] = Math.Min(1, level + random.NextDouble() * (1 - level));
        }
        return new Survival(d, within, leading);
    }

    [Property(Arbitrary = [typeof(CostModelTests)], MaxTest = 300)]
    public bool Best_IsTheCheapestOfEveryPlan(Survival survival)
    {
        // Every plan written out: each candidate k alone, and each with a smaller candidate as checkpoint.
        var model = new CostModel(Table, survival.Dimension);
        var ks = model.Candidates(model.MaxAxes);
        var plans = new List<(int K, int Checkpoint, double Cost)>();
        for (int c = 0; c < ks.Length; c++)
        {
            plans.Add((ks[c], 0, model.Cost(ks[c], survival.Within[c])));
            for (int b = 0; b < c; b++)
                plans.Add((ks[c], ks[b],
                    model.Cost(ks[b], 0) + survival.Leading[b] * model.Cost(ks[c] - ks[b], 0) + survival.Within[c]));
        }
        double cheapest = plans.Min(p => p.Cost);
        var always = model.Best(ks, survival.Within, survival.Leading, always: true);
        var auto = model.Best(ks, survival.Within, survival.Leading, always: false);
        bool chosen = plans.Any(p => p.K == always.Dimension && p.Checkpoint == always.Checkpoint
            && p.Cost == always.EstimatedCost);
        return always.EstimatedCost == cheapest && chosen
            && (cheapest > Table.Worthwhile ? auto.Dimension == 0 : auto == always)
            && model.Cheapest(ks, survival.Within) == Enumerable.Range(0, ks.Length)
                .Min(c => model.Cost(ks[c], survival.Within[c]));
    }
}
