using FiberProduct.Algebra;
using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Algebra;
using FiberProduct.Datasets;
using FiberProduct.Encoding;
using FiberProduct.Imaging;
using FiberProduct.Tokenizers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Analysis;

/// <summary>T4: Lipschitz embedding maps move F_ε by at most L_f δ_I + L_g δ_T, and the bound is attained.</summary>
public class RobustnessTests
{
    private const int Length = 24;
    private static readonly PolynomialRing Images = PolynomialRing.Z256;
    private static readonly PolynomialRing Texts = PolynomialRing.ForVocabulary(32000);
    private static readonly LinearEmbeddingMap F = LinearEmbeddingMap.RandomProjection(Images, Length, 16, seed: 1);
    private static readonly LinearEmbeddingMap G = LinearEmbeddingMap.RandomProjection(Texts, Length, 16, seed: 2);

    private static ZnPolynomial Poly(PolynomialRing ring, uint[] raw) =>
        Residues.Polynomial(ring, (raw ?? []).Take(Length).ToArray());

    private static double Distance(double[] x, double[] y) => Math.Sqrt(x.Zip(y, (a, b) => (a - b) * (a - b)).Sum());

    /// <summary>‖x − y‖ ≤ bound, decided exactly (no tolerance: a certified bound must hold for the returned
    /// values).</summary>
    private static bool Within(double[] x, double[] y, double bound) =>
        Fiber.ExactRational.Within(FiberMetric.Euclidean, x, y, bound);

    /// <summary>x moved by <paramref name="length"/> straight away from y (the perturbation that hurts the pair
    /// most).</summary>
    private static double[] Pushed(double[] x, double[] y, double length)
    {
        double distance = Distance(x, y);
        return distance == 0 ? x : x.Select((v, k) => v + length * (v - y[k]) / distance).ToArray();
    }

    /// <summary>The smallest double ε with (x, y) exactly within ε, starting from the float64 distance.</summary>
    private static double OwnTolerance(double[] x, double[] y)
    {
        double epsilon = Distance(x, y);
        while (!Within(x, y, epsilon)) epsilon = Math.BitIncrement(epsilon);
        return epsilon;
    }

    /// <summary>L·δ + 2ρ rounded upwards, for a constant of another metric than the map's own.</summary>
    private static double Movement(EmbeddingMap map, double lipschitz, double delta) =>
        (lipschitz * delta + 2 * map.RoundingBound) * (1 + Math.ScaleB(1, -48)) + double.Epsilon;

    [Property(MaxTest = 300)]
    public bool Maps_AreLipschitz_ForTheReturnedValues(uint[] p, uint[] q, byte metric)
    {
        var m = (RingMetric)(metric % 3);
        var (x, y) = (Poly(Images, p), Poly(Images, q));
        return Within(F.Map(x), F.Map(y), Movement(F, F.LipschitzConstant(m), RingDistance.Between(m, x, y)));
    }

    [Property(MaxTest = 300)]
    public bool PerturbedPairs_StayWithinTheWidenedTolerance(uint[] p, uint[] q, uint[] p2, uint[] q2)
    {
        // (P, Q) ∈ F_ε exactly; (P', Q') must lie in F at PerturbedTolerance, exactly, for the returned
        // float64 values.
        var (image, text) = (Poly(Images, p), Poly(Texts, q));
        var (image2, text2) = (Poly(Images, p2), Poly(Texts, q2));
        double epsilon = OwnTolerance(F.Map(image), GHamming.Map(text));
        double deltaImage = RingDistance.Between(RingMetric.Euclidean, image, image2);
        double deltaText = RingDistance.Between(RingMetric.Hamming, text, text2);
        double widened = Robustness.PerturbedTolerance(epsilon, F, deltaImage, GHamming, deltaText);
        return Within(F.Map(image2), GHamming.Map(text2), widened);
    }

    private static readonly LinearEmbeddingMap GHamming =
        LinearEmbeddingMap.RandomProjection(Texts, Length, 16, seed: 2, RingMetric.Hamming);

    [Fact]
    public void TheBound_HoldsAlongTheWorstDirection_AtEveryScale()
    {
        // The reported case, W = diag(5.1, 1), P = 12 → 13 (a float32 output moved 5.1000022888 > 5.1), and random
        // maps, at scales from 1e-12 to 1e12, perturbed along integer roundings of the top singular vector:
        // zero violations.
        var random = new Random(21);
        int cases = 0;
        foreach (double scale in new[] { 1e-12, 1e-6, 1e-3, 1, 7.3, 1e3, 1e6, 1e12 })
        {
            var diagonal = new LinearEmbeddingMap(Images, new[,] { { 5.1 * scale, 0 }, { 0, scale } });
            for (uint a = 0; a < 255; a++)
            {
                var (p, q) = (Images.Create(a, 7), Images.Create(a + 1, 7));
                Assert.True(Within(diagonal.Map(p), diagonal.Map(q),
                    diagonal.MovementBound(RingDistance.Between(RingMetric.Euclidean, p, q))));
                cases++;
            }
            var w = new double[6, 5];
            for (int i = 0; i < 6; i++) for (int j = 0; j < 5; j++) w[i, j] = scale * Fiber.Sets.Gaussian(random);
            var map = new LinearEmbeddingMap(Images, w);
            var v = map.MostSensitiveDirection();
            for (int trial = 0; trial < 60; trial++)
            {
                var c = Enumerable.Range(0, 5).Select(_ => (uint)random.Next(40, 216)).ToArray();
                double t = random.Next(1, 40);
                var moved = c.Select((x, k) => (uint)Math.Clamp(Math.Round(x + t * v[k]), 0, 255)).ToArray();
                var (p, q) = (Images.Create(c), Images.Create(moved));
                Assert.True(Within(map.Map(p), map.Map(q),
                    map.MovementBound(RingDistance.Between(RingMetric.Euclidean, p, q))));
                cases++;
            }
        }
        Assert.True(cases > 2000);
    }

    [Fact]
    public void PerturbedPairs_StayInTheCertifiedProduct_ThroughTheEngine()
    {
        // End to end: each pair is in F_ε at its own exact tolerance; the perturbed pair is in F at the widened
        // tolerance as the engine decides it on the float64 sets MapAll returns.
        var random = new Random(22);
        var diagonal = new LinearEmbeddingMap(Images, new[,] { { 5.1, 0 }, { 0, 1 } });
        var texts = new LinearEmbeddingMap(Texts, new[,] { { 1.0, 0 }, { 0, 3.3 } });
        for (int trial = 0; trial < 250; trial++)
        {
            var p = Images.Create((uint)random.Next(255), (uint)random.Next(256));
            var q = Texts.Create((uint)random.Next(300), (uint)random.Next(300));
            var p2 = Images.Create(p[0] + 1, p[1]);
            var q2 = Texts.Create(q[0], q[1] + (uint)random.Next(0, 2));
            var before = new ApproximateFiberProduct(diagonal.MapAll([p]), texts.MapAll([q]));
            double epsilon = OwnTolerance(diagonal.Map(p), texts.Map(q));
            Assert.Equal(1, before.Count(epsilon));
            double widened = Robustness.PerturbedTolerance(epsilon, diagonal,
                RingDistance.Between(RingMetric.Euclidean, p, p2), texts,
                RingDistance.Between(RingMetric.Euclidean, q, q2));
            Assert.Equal(1, new ApproximateFiberProduct(diagonal.MapAll([p2]), texts.MapAll([q2])).Count(widened));
        }
    }

    // Real polynomials: 16 × 16 patches of real photographs in Z_256[x] (256 coefficients) and the COCO captions
    // through cl100k_base in Z_100277[x] (at most 48 tokens; every caption fits).
    private const int PatchLength = 256, CaptionLength = 48;
    private static readonly Lazy<(IReadOnlyList<ZnPolynomial> Patches, IReadOnlyList<ZnPolynomial> Captions)> Real =
        new(() =>
    {
        var encoder = new ImageEncoder(16, 16);
        var patches = new[] { "camera.png", "chelsea.png" }
            .SelectMany(name => encoder.Encode(
                ImageFile.Load(Path.Combine(AppContext.BaseDirectory, "Data", "images", name), ColorMode.Grayscale)))
            .ToList();
        var text = new TextEncoder(TokenizerAdapter.Cl100kBase());
        var captions = CocoClip500.Pretrained().Captions.Select(c => text.Encode(c).Polynomial).ToList();
        return (patches, captions);
    });
    private static readonly PolynomialRing Tokens = PolynomialRing.ForVocabulary(100277);
    private static readonly LinearEmbeddingMap RealF =
        LinearEmbeddingMap.RandomProjection(Images, PatchLength, 32, seed: 11);
    private static readonly LinearEmbeddingMap RealG =
        LinearEmbeddingMap.RandomProjection(Tokens, CaptionLength, 32, seed: 12, RingMetric.Hamming);

    [Property(MaxTest = 200)]
    public Property PerturbedRealPairs_StayWithinTheWidenedTolerance(NonNegativeInt patchIndex,
        NonNegativeInt captionIndex, int seed, byte pixelsChanged, byte tokensChanged)
    {
        var (patches, captions) = Real.Value;
        var image = patches[patchIndex.Get % patches.Count];
        var text = captions[captionIndex.Get % captions.Count];
        // Perturb: change some intensities by up to ±40 (kept in 0 … 255) and replace some tokens by random ids.
        var random = new Random(seed);
        var pixels = new uint[PatchLength];
        image.Coefficients.CopyTo(pixels);
        for (int k = 0; k < pixelsChanged % 64; k++)
        {
            int at = random.Next(PatchLength);
            pixels[at] = (uint)Math.Clamp((int)pixels[at] + random.Next(-40, 41), 0, 255);
        }
        var tokens = new uint[Math.Max(text.Length, 1)];
        text.Coefficients.CopyTo(tokens);
        for (int k = 0; k < tokensChanged % 6; k++) tokens[random.Next(tokens.Length)] = (uint)random.Next(100277);
        var (image2, text2) = (Images.Create(pixels), Tokens.Create(tokens));

        double epsilon = OwnTolerance(RealF.Map(image), RealG.Map(text));
        double deltaImage = RingDistance.Between(RingMetric.Euclidean, image, image2);
        double deltaText = RingDistance.Between(RingMetric.Hamming, text, text2);
        double widened = Robustness.PerturbedTolerance(epsilon, RealF, deltaImage, RealG, deltaText);
        return Within(RealF.Map(image2), RealG.Map(text2), widened)
            .Label($"ε = {epsilon}, δ_I = {deltaImage}, δ_T = {deltaText}, widened {widened}");
    }

    [Fact]
    public void RealPolynomials_FitTheMaps()
    {
        var (patches, captions) = Real.Value;
        Assert.Equal(32 * 32 + 29 * 19, patches.Count); // camera 512 × 512 and chelsea 451 × 300 in 16 × 16 patches
        Assert.All(captions, c => Assert.InRange(c.Length, 1, CaptionLength));
        Assert.True(patches.Count(p => p.Length > 200) > patches.Count / 2, "most patches are not dark");
    }

    [Fact]
    public void TheBound_IsAttained_AlongTheTopSingularVector()
    {
        // For a linear map the Euclidean Lipschitz constant is attained: moving the lifted coefficients by t·v, v the
        // top right singular vector, moves f by exactly t·‖W‖₂.
        var direction = F.MostSensitiveDirection();
        var baseline = Enumerable.Range(0, Length).Select(i => (double)(i * 7 % 256)).ToArray();
        foreach (double t in new[] { 0.5, 3.0, 40.0 })
        {
            var moved = baseline.Zip(direction, (c, v) => c + t * v).ToArray();
            double shift = Distance(F.MapLifted(baseline), F.MapLifted(moved));
            Assert.Equal(t * F.SpectralNorm, shift, t * F.SpectralNorm * 1e-5);
        }
        // column-major: rows (3,0), (0,4), (0,0)
        var w = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 2, [3, 0, 0, 0, 4, 0]);
        // a certified upper bound
        Assert.InRange(new LinearEmbeddingMap(Images, w.ToArray()).SpectralNorm, 4, 4 * (1 + 1e-9));
    }

    [Fact]
    public void CertifiedRadii_CountTheSurvivingPairs()
    {
        var random = new Random(4);
        var images = Enumerable.Range(0, 60).Select(_ => Images.Create(Residues.Random(random, Length, 256))).ToList();
        // token ids below 256: comparable scales
        var texts = Enumerable.Range(0, 50).Select(_ => Texts.Create(Residues.Random(random, Length, 256))).ToList();
        var product = new ApproximateFiberProduct(F.MapAll(images), G.MapAll(texts));
        double epsilon = 700;
        var pairs = product.Pairs(epsilon);
        Assert.True(pairs.PairCount > 20, $"only {pairs.PairCount} pairs within ε");
        var radii = Robustness.CertifiedRadii(pairs, epsilon);
        Assert.All(radii, r => Assert.InRange(r, 0, epsilon));
        // Each radius is a lower bound of ε minus the exact distance: ε − radius holds the pair exactly.
        var (x, y) = (F.MapAll(images), G.MapAll(texts));
        int at = 0;
        foreach (var pair in pairs)
            Assert.True(Within(x.DoubleRow(pair.Image).ToArray(), y.DoubleRow(pair.Text).ToArray(),
                epsilon - radii[at++]));
        // SurvivingPairs, checked by what it claims rather than by its formula: every pair it counts stays within ε
        // when its image is pushed straight away from its text by the whole budget (the worst perturbation), and it
        // counts every pair whose exact distance leaves room for the budget (up to the radii's rounding).
        Assert.Equal(pairs.PairCount, Robustness.SurvivingPairs(pairs, epsilon, 0));
        var sorted = radii.Order().ToArray();
        int informative = 0;
        foreach (double budget in new[] { 1.0, sorted[sorted.Length / 4], sorted[sorted.Length / 2], sorted[^1] * 0.999,
            sorted[^1] * 1.001 })
        {
            long surviving = Robustness.SurvivingPairs(pairs, epsilon, budget);
            long roomy = pairs.LongCount(
                p => Within(x.DoubleRow(p.Image).ToArray(), y.DoubleRow(p.Text).ToArray(),
                    (epsilon - budget) * (1 - 1e-12)));
            long pushedAndHeld = pairs.LongCount(
                p => Within(Pushed(x.DoubleRow(p.Image).ToArray(), y.DoubleRow(p.Text).ToArray(), budget * (1 - 1e-12)),
                    y.DoubleRow(p.Text).ToArray(), epsilon));
            Assert.InRange(surviving, roomy, pushedAndHeld);
            if (roomy > 0 && roomy < pairs.PairCount) informative++;
        }
        Assert.True(informative >= 2, "Too few budgets separate the pairs: the check proves little.");
        Assert.Throws<ArgumentOutOfRangeException>(() => Robustness.PerturbedTolerance(-1, 1, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => F.Map(Texts.One));
        Assert.Throws<ArgumentException>(() => F.Map(Images.Monomial(1, Length)));
    }
}

public class EmbeddingMapTests
{
    private static readonly PolynomialRing Texts = PolynomialRing.ForVocabulary(32000);

    [Property(MaxTest = 200)]
    public bool EvaluationFeatures_RespectTheirBound(uint[] p, uint[] q, byte metric)
    {
        var m = (RingMetric)(metric % 3);
        var map = new EvaluationFeatureMap(Texts, [0, 1, 2, 7, 31999], m);
        var (x, y) = (Residues.Polynomial(Texts, p), Residues.Polynomial(Texts, q));
        var (fx, fy) = (map.Map(x), map.Map(y));
        return fx.All(v => v >= 0 && v < 1) && Fiber.ExactRational.Within(FiberMetric.Euclidean, fx, fy,
            map.MovementBound(RingDistance.Between(m, x, y)));
    }

    [Fact]
    public void LookupMaps_AndSampledLowerBounds()
    {
        var a = Texts.Create(1, 2);
        var b = Texts.Create(1, 3);
        var c = Texts.Create(5);
        var lookup = new LookupEmbeddingMap(
            new Dictionary<ZnPolynomial, float[]> { [a] = [0, 0], [b] = [3, 4], [c] = [0, 1] }, RingMetric.Hamming);
        Assert.Null(lookup.Lipschitz);
        Assert.Equal([3.0, 4.0], lookup.Map(b));
        Assert.Throws<ArgumentException>(() => lookup.Map(Texts.Create(9)));
        var bound = LipschitzLowerBound.Sample(lookup, [a, b, c], maxPairs: 100, seed: 1);
        Assert.Equal(5, bound.LowerBound, 6); // a and b differ in one position and lie 5 apart
        Assert.True(bound.PairsSampled > 0);
        Assert.Throws<ArgumentException>(
            () => new LookupEmbeddingMap(new Dictionary<ZnPolynomial, float[]>(), RingMetric.Hamming));
        Assert.Throws<ArgumentException>(
            () => new LookupEmbeddingMap(new Dictionary<ZnPolynomial, float[]> { [a] = [0], [b] = [1, 2] },
                RingMetric.Hamming));

        // The sampled ratio never exceeds a certified constant.
        var random = new Random(3);
        var linear = LinearEmbeddingMap.RandomProjection(Texts, 8, 4, seed: 5, RingMetric.Hamming);
        var family = Enumerable.Range(0, 40).Select(_ => Texts.Create(Residues.Random(random, 8, 32000))).ToList();
        Assert.True(LipschitzLowerBound.Sample(linear, family).LowerBound <= linear.Lipschitz!.Value);
        Assert.Equal(linear.LipschitzConstant(RingMetric.Hamming), linear.Lipschitz!.Value);
    }
}
