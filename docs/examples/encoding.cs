// From raw data to the rings: dotnet run docs/examples/encoding.cs
// Real photographs (scikit-image sample data, CC0 / public domain, in data/images) become polynomials of Z_256[x], one
// per 16 × 16 patch, and the COCO captions become polynomials of Z_|V|[x] through real tokenizers (cl100k_base,
// o200k_base). Both encodings are lossless: the image and the caption come back exactly. A random linear map f then
// embeds patches in R^32 with a certified Lipschitz constant, which bounds how far a perturbed patch can move (T4).
#:project ../../src/FiberProduct/FiberProduct.csproj
#:project ../../src/FiberProduct.Imaging/FiberProduct.Imaging.csproj
#:project ../../src/FiberProduct.Tokenizers/FiberProduct.Tokenizers.csproj
#:project ../../src/FiberProduct.Datasets/FiberProduct.Datasets.csproj

using System.Globalization;
using FiberProduct.Algebra;
using FiberProduct.Datasets;
using FiberProduct.Embedding;
using FiberProduct.Encoding;
using FiberProduct.Imaging;
using FiberProduct.Tokenizers;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string images = Path.Combine(Here(), "data", "images");

Console.WriteLine("== Images → Z_256[x]: 16 × 16 patches, row-major, channels interleaved");
var encoder = new ImageEncoder(16, 16, ChannelLayout.Interleaved);
foreach (string file in new[] { "camera.png", "chelsea.png", "coffee.png", "rocket.jpg" })
{
    var image = ImageFile.Load(Path.Combine(images, file));
    var patches = encoder.Encode(image);
    var back = encoder.Decode(patches, image.Width, image.Height, image.Channels);
    bool exact = back.ToPackedArray().AsSpan().SequenceEqual(image.ToPackedArray());
    var middle = patches[patches.Count / 2];
    Console.WriteLine(
        $"{file,-12} {image.Width} × {image.Height} × {image.Channels}: {patches.Count} patches of ≤ "
        + $"{16 * 16 * image.Channels} coefficients; " +
        $"middle patch has degree {middle.Degree}, P(1) = {middle.Evaluate(1)} (the sum of its intensities mod 256); "
        + $"round trip exact: {exact}");
}

Console.WriteLine();
Console.WriteLine("== Captions → Z_|V|[x]: token ids as coefficients");
var captions = CocoClip500.Pretrained().Captions;
foreach (var tokenizer in new[] { TokenizerAdapter.Cl100kBase(), TokenizerAdapter.O200kBase() })
{
    var text = new TextEncoder(tokenizer);
    var q = text.Encode(captions[1]);
    Console.WriteLine($"{tokenizer}: ring {text.Ring}");
    Console.WriteLine($"   \"{captions[1]}\" → {q.TokenCount} tokens → Q(x) = {q.Polynomial}");
    int exact = captions.Count(c => text.Decode(text.Encode(c)) == c);
    double mean = captions.Average(c => text.Encode(c).TokenCount);
    Console.WriteLine(
        $"   all {captions.Count} captions: mean {mean:F1} tokens, {exact} of {captions.Count} decode "
        + $"back to the same text");
}

Console.WriteLine();
Console.WriteLine("== An embedding map f: Z_256[x]_{<256} → R^32 and its Lipschitz bound (T4)");
var camera = encoder.Encode(ImageFile.Load(Path.Combine(images, "camera.png")));
var f = LinearEmbeddingMap.RandomProjection(PolynomialRing.Z256, inputLength: 256, dimension: 32, seed: 1);
double lipschitz = f.LipschitzConstant(RingMetric.Euclidean);
var patch = camera[300];
var noisy = patch.Coefficients.ToArray();
var random = new Random(2);
for (int k = 0; k < 40; k++)
{
    int at = random.Next(noisy.Length);
    noisy[at] = (uint)Math.Clamp((int)noisy[at] + random.Next(-20, 21), 0, 255);
}
var perturbed = PolynomialRing.Z256.Create(noisy);
double delta = RingDistance.Between(RingMetric.Euclidean, patch, perturbed);
double moved = Math.Sqrt(f.Map(patch).Zip(f.Map(perturbed), (a, b) => ((double)a - b) * ((double)a - b)).Sum());
Console.WriteLine(
    $"L_f = {lipschitz:F4} (spectral norm of the 32 × 256 weights); a patch of camera.png moved by δ = {delta:F2} "
    + $"in the ring moves by {moved:F4} ≤ L_f δ = {lipschitz * delta:F4}");

static string Here() => AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine("docs", "examples");
