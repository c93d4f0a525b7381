using FiberProduct.Analysis;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Analysis;

public class NullModelTests
{
    /// <summary>Texts that are the images moved by Gaussian noise of the given size: a planted alignment.</summary>
    private static EmbeddingSet Noisy(Random random, EmbeddingSet images, double noise)
    {
        var values = images.Values.ToArray();
        for (int i = 0; i < values.Length; i++) values[i] += (float)(noise * Sets.Gaussian(random));
        return new EmbeddingSet(values, images.Count, images.Dimension);
    }

    /// <summary>Kolmogorov distance between the p-values and the uniform law, read at the p-values' own grid
    /// (b+1)/(B+1).</summary>
    private static double DistanceFromUniform(double[] pValues, int draws)
    {
        double worst = 0;
        for (int b = 1; b <= draws + 1; b++)
        {
            double level = (double)b / (draws + 1);
            double share = pValues.Count(p => p <= level + 1e-12) / (double)pValues.Length;
            worst = Math.Max(worst, Math.Abs(share - level));
        }
        return worst;
    }

    [Fact]
    public void UnderATrueNull_PermutationPValuesAreUniform()
    {
        // 300 data sets with no alignment (images and texts independent), a continuous statistic of the pairing (the
        // mean true-pair distance, small = aligned), B = 19. Exchangeability makes p uniform on {1/20, …, 1}; the
        // Kolmogorov distance of 300 draws exceeds 0.08 with probability below 5 %. A shuffle that leaves the pairing
        // in place, or a reversed tail, moves it far beyond; the exact formula is pinned by
        // PValue_IsBPlusOneOverBPlusOne.
        var random = new Random(21);
        var pValues = new double[300];
        for (int r = 0; r < pValues.Length; r++)
        {
            var product = new ApproximateFiberProduct(Sets.Random(random, 12, 3), Sets.Random(random, 12, 3));
            var test = PairingPermutationNull.Test(product, Pairing.Diagonal(12),
                p => p.Pairs.Average(x => BruteForce.Distance(FiberMetric.Euclidean, product.Images.Row(x.Image),
                    product.Texts.Row(x.Text))), "mean true-pair distance", NullTail.Lower, permutations: 19, seed: r);
            pValues[r] = test.PValue;
        }
        Assert.True(DistanceFromUniform(pValues, 19) < 0.08,
            $"Kolmogorov distance {DistanceFromUniform(pValues, 19):F3}");
    }

    [Fact]
    public void PValue_IsBPlusOneOverBPlusOne_AndTheBandIsTheCentralPercentiles()
    {
        var product = new ApproximateFiberProduct(Sets.Random(new Random(20), 4, 2), Sets.Random(new Random(21), 4, 2));
        foreach (var (tail, expected) in new[] { (NullTail.Upper, 5.0 / 10), (NullTail.Lower, 7.0 / 10) })
        {
            int call = 0;
            // Observed 5 (the first call), then the draws 0, 1, …, 8: four are ≥ 5, six are ≤ 5.
            var test = PairingPermutationNull.Test(product, Pairing.Diagonal(4), _ => call++ == 0 ? 5 : call - 2,
                "counter", tail, permutations: 9);
            Assert.Equal(expected, test.PValue);
            Assert.Equal(4, test.NullMean);
            // 95 % of 9 draws: ⌊0.025·8⌋ = 0, ⌈0.975·8⌉ = 8
            Assert.Equal((0, 8), (test.BandLower, test.BandUpper));
        }
    }

    [Fact]
    public void UnderATrueNull_HeadlinePValuesAreValid()
    {
        // Discrete statistics (ties with the observation count against it): P(p ≤ α) ≤ α up to sampling noise.
        // 200 data sets; a binomial(200, 0.2) count exceeds 53 (26.5 %) with probability below 1 %.
        var random = new Random(22);
        int smallF1 = 0, smallRecall = 0, smallWithin = 0;
        for (int r = 0; r < 200; r++)
        {
            var product = new ApproximateFiberProduct(Sets.Random(random, 15, 2), Sets.Random(random, 15, 2));
            var truth = Pairing.Diagonal(15);
            if (PairingPermutationNull.BestF1(product, truth, permutations: 19, seed: r).PValue <= 0.2) smallF1++;
            if (PairingPermutationNull.RecallAt(product, truth, 3, RetrievalDirection.ImageToText, permutations: 19,
                seed: r).PValue <= 0.2) smallRecall++;
            if (PairingPermutationNull.TruePairsWithin(product, truth, 0.8, permutations: 19, seed: r).PValue <= 0.2)
                smallWithin++;
        }
        Assert.True(smallF1 <= 53, $"best F1: {smallF1} of 200 below 0.2");
        Assert.True(smallRecall <= 53, $"recall@3: {smallRecall} of 200 below 0.2");
        Assert.True(smallWithin <= 53, $"true pairs within ε: {smallWithin} of 200 below 0.2");
        Assert.True(smallF1 + smallRecall + smallWithin >= 40,
            "The p-values never fall low: the test has no power to be wrong in the other direction either.");
    }

    [Fact]
    public void PlantedAlignment_GivesTheSmallestPValue()
    {
        var random = new Random(23);
        var images = Sets.Random(random, 80, 6);
        var product = new ApproximateFiberProduct(images, Noisy(random, images, 0.05));
        var truth = Pairing.Diagonal(80);
        foreach (var test in new[]
        {
            PairingPermutationNull.BestF1(product, truth, permutations: 49),
            PairingPermutationNull.RecallAt(product, truth, 1, RetrievalDirection.TextToImage, permutations: 99),
            PairingPermutationNull.TruePairsWithin(product, truth, 0.2, permutations: 99),
        })
        {
            Assert.Equal(1.0 / (test.Draws + 1), test.PValue);
            Assert.True(test.Observed > test.BandUpper,
                $"{test.Statistic}: {test.Observed} inside the band [{test.BandLower}, {test.BandUpper}]");
        }
    }

    [Theory]
    [InlineData(1)] // one draw a pass
    [InlineData(150)] // two draws a pass, the truth with the first draw
    [InlineData(1 << 16)] // every draw in one pass
    public void BestF1_OnePassForManyDraws_EqualsAPassPerDraw(int thresholdsPerPass)
    {
        // The batched null against the generic one with product.BestF1 per draw: the same permutations, the same
        // values, draw by draw. Grid values make many true-pair distances tie, and a truth with repeated images and
        // texts makes the shuffled pairings' tolerances collide across draws.
        var random = new Random(31);
        var images = new EmbeddingSet([.. Enumerable.Range(0, 60 * 5).Select(_ => (float)random.Next(-3, 4))], 60, 5);
        var texts = new EmbeddingSet([.. images.Values.ToArray().Select(v => v + random.Next(-1, 2))], 60, 5);
        var product = new ApproximateFiberProduct(images, texts);
        var truth = Pairing.FromPairs(Enumerable.Range(0, 60).Select(i => (i, i)).Concat([(0, 1), (1, 0), (5, 5)])
            .Distinct());
        var generic = PairingPermutationNull.Test(product, truth, p => product.BestF1(p).F1, "best F1",
            NullTail.Upper, permutations: 30, seed: 4);
        var batched = PairingPermutationNull.BestF1(product, truth, permutations: 30, seed: 4, bandCoverage: 0.95,
            new FiberProduct.Execution.ExecutionScope(), thresholdsPerPass);
        Assert.Equal(generic.Observed, batched.Observed);
        Assert.Equal(generic.NullDraws.ToArray(), batched.NullDraws.ToArray());
        Assert.Equal(generic.PValue, batched.PValue);
        Assert.True(generic.NullDraws.ToArray().Distinct().Count() > 3, "the draws should differ");
    }

    [Fact]
    public void ObservedValues_AreTheHeadlineNumbers()
    {
        var random = new Random(24);
        var images = Sets.Random(random, 50, 4);
        var product = new ApproximateFiberProduct(images, Noisy(random, images, 0.3));
        var truth = Pairing.FromPairs(Enumerable.Range(0, 50).Select(i => (i, (i + i % 3) % 50)).Distinct());
        foreach (var direction in Enum.GetValues<RetrievalDirection>())
            Assert.Equal(Retrieval.Evaluate(product, truth, direction).RecallAt(4),
                PairingPermutationNull.RecallAt(product, truth, 4, direction, permutations: 5).Observed);
        Assert.Equal(product.Score(0.7, truth).TruePositives,
            PairingPermutationNull.TruePairsWithin(product, truth, 0.7, permutations: 5).Observed);
        Assert.Equal(product.BestF1(truth).F1, PairingPermutationNull.BestF1(product, truth, permutations: 2).Observed);
    }

    [Fact]
    public void ModalityGap_SwapTest_IsUniformUnderExchangeability_AndDetectsAPlantedGap()
    {
        var random = new Random(25);
        var pValues = new double[200];
        for (int r = 0; r < pValues.Length; r++)
            pValues[r] = PairingPermutationNull.ModalityGap(Sets.Random(random, 20, 3), Sets.Random(random, 20, 3),
                permutations: 19, seed: r).PValue;
        Assert.True(DistanceFromUniform(pValues, 19) < 0.1,
            $"Kolmogorov distance {DistanceFromUniform(pValues, 19):F3}");

        var images = Sets.Random(random, 40, 5);
        var shifted = new EmbeddingSet(images.Values.ToArray()
            .Select((v, i) => i % 5 == 0 ? v + 0.8f : v).ToArray(), 40, 5);
        var gap = PairingPermutationNull.ModalityGap(shifted, Noisy(random, images, 0.1), permutations: 199);
        Assert.Equal(1.0 / 200, gap.PValue);
        Assert.Equal(SubspaceDecomposition.Estimate(shifted, Noisy(new Random(25), images, 0.1),
            new DecompositionOptions { JointRank = 0 }).ModalityGapLength,
            gap.Observed, 0.05); // the same gap up to the noise draw
    }

    [Fact]
    public void SharedRank_CcaSeesThePairing_AjiveDoesNot()
    {
        // Planted: 3 shared, 2 image-only, 2 text-only directions in R^12, 150 pairs (the decomposition
        // tests' generator).
        var planted = FiberProduct.Tests.Decomposition.Planted.Make(150, 12, 3, 2, 2, seed: 26);
        var (images, texts) = (planted.Images, planted.Texts);
        var cca = PairingPermutationNull.SharedRank(images, texts,
            (x, y) => SubspaceDecomposition.EstimateByCca(x, y, 0.1,
                new DecompositionOptions { RandomDirectionSamples = 20, Seed = 1 }), permutations: 9);
        Assert.Equal(0.1, cca.PValue);
        Assert.True(cca.Observed > cca.BandUpper);
        // AJIVE reads each modality's signal subspace without the pairing: shuffling changes nothing, p = 1.
        var ajive = PairingPermutationNull.SharedRank(images, texts, (x, y) => SubspaceDecomposition.Estimate(x, y,
            new DecompositionOptions { RandomDirectionSamples = 20, WedinSamples = 20, Seed = 1 }), permutations: 4);
        Assert.Equal(1, ajive.PValue);
        Assert.All(ajive.NullDraws.ToArray(), draw => Assert.Equal(ajive.Observed, draw));
    }

    [Fact]
    public void SphereNull_PairCount_MatchesTheClosedForm_AndIsUniformOnUniformData()
    {
        var random = new Random(27);
        var images = Sets.Clustered(random, 60, 8, 100); // spread 100: essentially uniform directions
        var product = new ApproximateFiberProduct(images, Sets.Clustered(random, 50, 8, 100));
        var (mean, sd) = SphereNull.PairCountMoments(product, 1.2);
        var test = SphereNull.PairCount(product, 1.2, draws: 400, seed: 3);
        // The Monte Carlo mean of 400 draws lies within 4 standard errors of N·M·p.
        Assert.True(Math.Abs(test.NullMean - mean) < 4 * sd / Math.Sqrt(400),
            $"{test.NullMean} against {mean} ± {sd}");
        double draws = test.NullDraws.ToArray().Select(x => (x - test.NullMean) * (x - test.NullMean)).Sum() / 399;
        Assert.InRange(Math.Sqrt(draws), 0.8 * sd, 1.2 * sd);

        var pValues = new double[150];
        for (int r = 0; r < pValues.Length; r++)
        {
            var uniform = new ApproximateFiberProduct(Sets.Clustered(random, 15, 4, 1e4),
                Sets.Clustered(random, 15, 4, 1e4));
            pValues[r] = SphereNull.Test(uniform, p => p.Count(1.0), "|F_1|",
                NullTail.Upper, draws: 19, seed: r).PValue;
        }
        Assert.True(DistanceFromUniform(pValues, 19) < 0.12,
            $"Kolmogorov distance {DistanceFromUniform(pValues, 19):F3}");
    }

    [Fact]
    public void SphereNull_MomentsFollowTheMetric()
    {
        var random = new Random(28);
        var (x, y) = (Sets.Clustered(random, 10, 16, 1), Sets.Clustered(random, 12, 16, 1));
        double chord = 1.1;
        var euclid = SphereNull.PairCountMoments(new ApproximateFiberProduct(x, y), chord);
        var cosine = SphereNull.PairCountMoments(
            new ApproximateFiberProduct(x, y, FiberMetric.Cosine), chord * chord / 2);
        var angular = SphereNull.PairCountMoments(new ApproximateFiberProduct(x, y, FiberMetric.Angular),
            2 * Math.Asin(chord / 2));
        Assert.Equal(euclid.Mean, cosine.Mean, 1e-9);
        Assert.Equal(euclid.Mean, angular.Mean, 1e-9);
        Assert.Equal(120 * SphereDistances.ProbabilityWithin(16, chord), euclid.Mean, 1e-12);
    }

    [Fact]
    public void SphereNull_RefusesNonUnitRowsUnderTheEuclideanMetric()
    {
        var random = new Random(29);
        var raw = Sets.Random(random, 10, 3);
        var product = new ApproximateFiberProduct(raw, raw);
        var ex = Assert.Throws<ArgumentException>(() => SphereNull.PairCount(product, 0.5, draws: 3));
        Assert.Contains("unit vectors", ex.Message, StringComparison.Ordinal);
        // normalising metric: applies
        _ = SphereNull.PairCount(new ApproximateFiberProduct(raw, raw, FiberMetric.Cosine), 0.5, draws: 3);
        Assert.Throws<ArgumentException>(() => SphereNull.TestSets(raw, raw, (a, b) => 0, "zero",
            NullTail.Upper, draws: 2));
    }

    [Fact]
    public void Draws_AreSeeded_AndArgumentsChecked()
    {
        var random = new Random(30);
        var images = Sets.Random(random, 20, 3);
        var product = new ApproximateFiberProduct(images, Noisy(random, images, 0.5));
        var truth = Pairing.Diagonal(20);
        var a = PairingPermutationNull.TruePairsWithin(product, truth, 0.5, permutations: 50, seed: 4);
        var b = PairingPermutationNull.TruePairsWithin(product, truth, 0.5, permutations: 50, seed: 4);
        Assert.Equal(a.NullDraws.ToArray(), b.NullDraws.ToArray());
        Assert.True(a.BandLower <= a.BandUpper);
        Assert.Equal("permutations",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => PairingPermutationNull.BestF1(product, truth, permutations: 0)).ParamName);
        Assert.Equal("bandCoverage",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => PairingPermutationNull.BestF1(product, truth, bandCoverage: 1)).ParamName);
        Assert.Equal("epsilon",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => PairingPermutationNull.TruePairsWithin(product, truth, double.NaN)).ParamName);
        Assert.Equal("truth",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => PairingPermutationNull.TruePairsWithin(product, Pairing.FromPairs([(0, 20)]), 0.5)).ParamName);
        Assert.Equal("draws",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => SphereNull.Test(new ApproximateFiberProduct(images, images, FiberMetric.Cosine), p => 0, "zero",
                    NullTail.Upper, draws: 0)).ParamName);
        Assert.Throws<ArgumentException>(() => PairingPermutationNull.ModalityGap(images, Sets.Random(random, 19, 3)));
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => PairingPermutationNull.BestF1(product, truth,
            cancellationToken: source.Token));
    }
}
