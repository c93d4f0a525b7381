// Rings and the algebraic fiber product: dotnet run docs/examples/rings.cs
// The polynomial rings Z_n[x] in which the paper (arXiv 2412.00373) models images (Z_256[x], intensities as
// coefficients) and texts (Z_|V|[x], token ids as coefficients): arithmetic, division, quotient rings, the algebraic
// fiber product over a common quotient (T9) and fast multiplication.
#:project ../../src/FiberProduct/FiberProduct.csproj

using System.Diagnostics;
using FiberProduct.Algebra;

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

// T9: reduce mod 4 and evaluate at 1 on both sides (4 divides gcd(256, 32000)); the pairs with equal images
// form a subring.
var tokens32k = PolynomialRing.ForVocabulary(32000);
var algebraic = new AlgebraicFiberProduct(RingHomomorphism.ReductionThenEvaluation(images, 4, 1),
    RingHomomorphism.ReductionThenEvaluation(tokens32k, 4, 1));
var word = tokens32k.Create(17, 7);
Console.WriteLine(
    $"φ(P) = {algebraic.Phi.Apply(patch)}, ψ(Q) = {algebraic.Psi.Apply(word)}: (P, Q) in Z_256[x] ×_Z_4 "
    + $"Z_32000[x]: {algebraic.Contains(patch, word)}; " +
    $"(P·P, Q·Q): {algebraic.Contains(patch * patch, word * word)}; (P + 1, Q): "
    + $"{algebraic.Contains(patch + images.One, word)}");

// Fast multiplication: two random 2^18-term patches (a 512 × 512 image each), exact modulo 256.
var random = new Random(1);
var big = images.Create(Enumerable.Range(0, 1 << 18).Select(_ => (uint)random.Next(256)).ToArray());
var other = images.Create(Enumerable.Range(0, 1 << 18).Select(_ => (uint)random.Next(256)).ToArray());
var clock = Stopwatch.StartNew();
var bigProduct = big * other;
clock.Stop();
uint x = 77;
bool consistent = bigProduct.Evaluate(x) == images.Coefficients.Multiply(big.Evaluate(x), other.Evaluate(x));
Console.WriteLine(
    $"2^18 × 2^18 product: degree {bigProduct.Degree}, {clock.Elapsed.TotalMilliseconds:F1} ms (first call, JIT "
    + $"included), evaluation check {consistent}");
