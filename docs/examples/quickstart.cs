// FiberProduct quickstart: dotnet run docs/examples/quickstart.cs
// An end-to-end tour that grows as the library does: the polynomial rings Z_n[x] in which the paper
// (arXiv 2412.00373) models images (Z_256[x]) and texts (Z_|V|[x]), then the ε-approximate fiber product
// of real CLIP embeddings of 500 COCO image–caption pairs.
#:project ../../src/FiberProduct/FiberProduct.csproj

using System.Diagnostics;
using FiberProduct.Algebra;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Fiber;

Console.WriteLine("== The rings");

// An 8-pixel grayscale patch as a polynomial over Z_256: intensities are the coefficients, in scan order.
var images = PolynomialRing.Z256;
var patch = images.Create(12, 200, 255, 0, 37, 90, 90, 4);
Console.WriteLine($"image ring     {images}");
Console.WriteLine($"patch P(x)     {patch}");
Console.WriteLine($"P(3)           {patch.Evaluate(3)}");
Console.WriteLine($"P'(x)          {patch.Derivative()}");

// A caption as a polynomial over Z_|V|: token ids are the coefficients (|V| = 100277, the cl100k_base vocabulary).
var texts = PolynomialRing.ForVocabulary(100277);
var caption = texts.Create([32, 8415, 11961, 389, 264, 3363, 13]);
Console.WriteLine($"text ring      {texts}");
Console.WriteLine($"caption Q(x)   {caption}");

// Ring arithmetic: Z_256 has zero divisors, so degrees can drop.
var a = images.Create(1, 128);
var b = images.Create(0, 2);
Console.WriteLine($"(128x + 1)(2x) = {a * b}   (256x^2 vanishes in Z_256)");

// Division with remainder needs a unit leading coefficient; 3 is a unit of Z_256, 2 is not.
var divisor = images.Create(4, 2, 3);
var (q, r) = ZnPolynomial.DivRem(patch, divisor);
Console.WriteLine($"P = q·D + r    q = {q}; r = {r}; check {q * divisor + r == patch}");
try { ZnPolynomial.DivRem(patch, images.Create(1, 2)); }
catch (ArgumentException e) { Console.WriteLine($"non-unit lead  {e.Message.Split(';')[0]}"); }

// The quotient ring Z_256[x]/(x^8 − 1): patches of 8 pixels multiply by cyclic convolution.
Console.WriteLine($"P·x in Z_256[x]/(x^8 − 1) = {patch.MultiplyCyclic(images.X, 8)}");

// T9: reduce mod 4 and evaluate at 1 on both sides (4 divides gcd(256, 32000)); the pairs with equal images form a subring.
var tokens32k = PolynomialRing.ForVocabulary(32000);
var algebraic = new AlgebraicFiberProduct(RingHomomorphism.ReductionThenEvaluation(images, 4, 1), RingHomomorphism.ReductionThenEvaluation(tokens32k, 4, 1));
var word = tokens32k.Create(17, 7);
Console.WriteLine($"φ(P) = {algebraic.Phi.Apply(patch)}, ψ(Q) = {algebraic.Psi.Apply(word)}: (P, Q) in Z_256[x] ×_Z_4 Z_32000[x]: {algebraic.Contains(patch, word)}; " +
    $"(P·P, Q·Q): {algebraic.Contains(patch * patch, word * word)}; (P + 1, Q): {algebraic.Contains(patch + images.One, word)}");

// Fast multiplication: two random 2^18-term patches (a 512 × 512 image each), exact modulo 256.
var random = new Random(1);
var big = images.Create(Enumerable.Range(0, 1 << 18).Select(_ => (uint)random.Next(256)).ToArray());
var other = images.Create(Enumerable.Range(0, 1 << 18).Select(_ => (uint)random.Next(256)).ToArray());
var clock = Stopwatch.StartNew();
var bigProduct = big * other;
clock.Stop();
uint x = 77;
bool consistent = bigProduct.Evaluate(x) == images.Coefficients.Multiply(big.Evaluate(x), other.Evaluate(x));
Console.WriteLine($"2^18 × 2^18 product: degree {bigProduct.Degree}, {clock.Elapsed.TotalMilliseconds:F1} ms (first call, JIT included), evaluation check {consistent}");

// ---------------------------------------------------------------------------------------------------------
Console.WriteLine();
Console.WriteLine("== The ε-approximate fiber product of real CLIP embeddings (500 COCO image–caption pairs)");
// The data ship with the tests for now (MIT, provenance in the folder's README); row i of each modality is a true pair.
string data = Path.Combine(Here(), "..", "..", "tests", "FiberProduct.Tests", "Data", "coco-clip-500");
foreach (var (file, label) in new[] { ("features_clip.npy", "pretrained CLIP"), ("features_clip_random.npy", "random-init control") })
{
    var (imageEmbeddings, textEmbeddings) = EmbeddingSet.LoadPaired(Path.Combine(data, file));
    var fiber = new ApproximateFiberProduct(imageEmbeddings, textEmbeddings);
    var truth = Pairing.Diagonal(imageEmbeddings.Count);
    Console.WriteLine($"-- {label}: {imageEmbeddings.Count} images, {textEmbeddings.Count} texts in R^{imageEmbeddings.Dimension}");
    Console.WriteLine("   ε        |F_ε|   precision  recall   F1");
    foreach (double epsilon in new[] { 1.10, 1.15, 1.20, 1.25, 1.30, 1.35, 1.40 })
    {
        var score = fiber.Score(epsilon, truth);
        Console.WriteLine($"   {epsilon,-6:F2} {score.Pairs,8}   {score.Precision,8:P1}  {score.Recall,7:P1}  {score.F1:F3}");
    }
    var best = fiber.BestF1(truth);
    Console.WriteLine($"   best F1 {best.F1:F3} at ε = {best.Epsilon:F4}: |F_ε| = {best.Pairs}, precision {best.Precision:P1}, recall {best.Recall:P1}");
    var profile = fiber.Profile([0.5, 1.0, 1.2, 1.4, 2.0]);
    Console.WriteLine($"   profile |F_ε| at ε = 0.5, 1.0, 1.2, 1.4, 2.0: {string.Join(", ", profile.Counts.ToArray())}");
    var nu = FiberProduct.Analysis.CorrelationDimension.Estimate(fiber, seed: 1);
    Console.WriteLine($"   correlation dimension ν (T6) = {nu.Dimension:F2}, 95 % bootstrap interval [{nu.Lower:F2}, {nu.Upper:F2}], between r₁ = {nu.SmallRadius:F4} and r₂ = {nu.LargeRadius:F4}");

    // The decomposition Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥ and the shared-only fiber product F^s_ε ⊇ F_ε (T7).
    var decomposition = SubspaceDecomposition.Estimate(imageEmbeddings, textEmbeddings, new DecompositionOptions { Seed = 1 });
    Console.WriteLine($"   decomposition: signal ranks images {decomposition.ImageSignalRank}, texts {decomposition.TextSignalRank}; " +
        $"dim Z_s = {decomposition.Shared.Rank}, Z_I = {decomposition.ImageSpecific.Rank}, Z_T = {decomposition.TextSpecific.Rank}, Z_⊥ = {decomposition.Residual.Rank}" +
        (decomposition.Bounds is { } bounds ? $" (joint when 1 + cos θ > {bounds.Threshold:F3}: random-direction bound {bounds.RandomDirectionThreshold:F3}, Wedin bound {bounds.WedinThreshold:F3})" : ""));
    var angles = decomposition.PrincipalAngles.ToArray();
    Console.WriteLine($"   smallest principal angles between the signal subspaces (degrees): {string.Join(", ", angles.Take(5).Select(a => (a * 180 / Math.PI).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");
    Console.WriteLine("   variance share   Z_s     Z_I     Z_T     Z_⊥");
    foreach (var modality in Enum.GetValues<Modality>())
        Console.WriteLine($"   {modality,-14} " + string.Join(" ", Enum.GetValues<SubspacePart>().Select(p => $"{decomposition.VarianceShare(modality, p),7:P1}")));
    Console.WriteLine($"   modality gap ‖μ_I − μ_T‖ = {decomposition.ModalityGapLength:F3}; its share in Z_s, Z_I, Z_T, Z_⊥: " +
        string.Join(", ", Enum.GetValues<SubspacePart>().Select(p => decomposition.GapShare(p).ToString("P1", System.Globalization.CultureInfo.InvariantCulture))));
    var cca = SubspaceDecomposition.EstimateByCca(imageEmbeddings, textEmbeddings, regularization: 1e-2, new DecompositionOptions { Seed = 1 });
    Console.WriteLine($"   CCA estimate (ridge 0.01): dim Z_s = {cca.Shared.Rank}; leading canonical correlations " +
        string.Join(", ", cca.CanonicalCorrelations.ToArray().Take(5).Select(c => c.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
    if (decomposition.Shared.Rank > 0)
    {
        var sharedOnly = decomposition.SharedFiberProduct(imageEmbeddings, textEmbeddings);
        var bestShared = sharedOnly.BestF1(truth);
        Console.WriteLine($"   F^s_ε (shared part only): best F1 {bestShared.F1:F3} at ε = {bestShared.Epsilon:F4} (|F^s_ε| = {bestShared.Pairs}, precision {bestShared.Precision:P1}, recall {bestShared.Recall:P1})");
    }
}

// The folder of this file: `dotnet run file.cs` records it for file-based apps (CallerFilePath is path-mapped in CI builds).
static string Here() => AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine("docs", "examples");
