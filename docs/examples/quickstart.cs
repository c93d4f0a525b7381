// FiberProduct quickstart: dotnet run docs/examples/quickstart.cs
// The ε-approximate fiber product F_ε = {(P, Q) : ‖f(P) − g(Q)‖ ≤ ε} (arXiv 2412.00373) of real CLIP embeddings of 500
// COCO image–caption pairs, shipped by FiberProduct.Datasets, and of the same pairs through an untrained CLIP (what "no
// alignment" looks like). It prints a report and writes plots (PNG) and the results (.npz, CSV) to
// docs/examples/output/. The rings Z_n[x] themselves are toured in rings.cs, the encoders in encoding.cs.
#:project ../../src/FiberProduct/FiberProduct.csproj
#:project ../../src/FiberProduct.Datasets/FiberProduct.Datasets.csproj
#:package ScottPlot

using System.Globalization;
using FiberProduct.Analysis;
using FiberProduct.Datasets;
using FiberProduct.Decomposition;
using FiberProduct.Fiber;
using FiberProduct.Export;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string output = Path.Combine(Here(), "output");
Directory.CreateDirectory(output);

var profilePlot = new ScottPlot.Plot();
var alignmentPlot = new ScottPlot.Plot();
var variancePlot = new ScottPlot.Plot();
double[] budgets = [0.0, 0.005, 0.01, 0.02, 0.05]; // L_f δ_I + L_g δ_T, in embedding units
double[] grid = Enumerable.Range(0, 64).Select(i => 0.9 * Math.Pow(1.7 / 0.9, i / 63.0)).ToArray(); // ε from 0.9 to 1.7, log-spaced

foreach (var (data, tag) in new[] { (CocoClip500.Pretrained(), "clip"), (CocoClip500.RandomInit(), "control") })
{
    var (images, texts, truth) = (data.Images, data.Texts, data.Truth);
    var fiber = new ApproximateFiberProduct(images, texts);
    Console.WriteLine($"== {data.Name}");
    Console.WriteLine($"   {images.Count} images, {texts.Count} captions in R^{images.Dimension}; caption 0: \"{data.Captions[0]}\" ({data.ImageFiles[0]})");

    // |F_ε| and how well it recovers the true pairs.
    Console.WriteLine("   ε        |F_ε|   precision  recall   F1");
    foreach (double epsilon in new[] { 1.10, 1.15, 1.20, 1.25, 1.30, 1.35, 1.40 })
    {
        var score = fiber.Score(epsilon, truth);
        Console.WriteLine($"   {epsilon,-6:F2} {score.Pairs,8}   {score.Precision,8:P1}  {score.Recall,7:P1}  {score.F1:F3}");
    }
    var curve = fiber.AlignmentCurve(truth, new ConsoleProgress("precision–recall curve"));
    var best = curve.MaxBy(s => s.F1);
    Console.WriteLine($"   best F1 {best.F1:F3} at ε = {best.Epsilon:F4}: |F_ε| = {best.Pairs}, precision {best.Precision:P1}, recall {best.Recall:P1}");

    // Robustness (T4): a pair at distance r ≤ ε survives every perturbation with L_f δ_I + L_g δ_T ≤ ε − r.
    var certified = Robustness.Certify(fiber.Pairs(best.Epsilon), best.Epsilon);
    var trueIndex = certified.Pairs.Select((p, k) => (p, k)).Where(x => x.p.Image == x.p.Text).Select(x => x.k).ToArray();
    Console.WriteLine("   robustness at the best ε: pairs of F_ε (true pairs among them) that stay in F_ε under any perturbation moving the embeddings by at most");
    Console.WriteLine("   " + string.Join("   ", budgets.Select(budget =>
        $"{budget:F3}: {certified.Radii.Count(r => r >= budget)} ({trueIndex.Count(k => certified.Radii[k] >= budget)})")));

    // The decomposition Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥, its variance table and the modality gap.
    var decomposition = SubspaceDecomposition.Estimate(images, texts, new DecompositionOptions { Seed = 1 }, new ConsoleProgress("decomposition"));
    Console.WriteLine($"   decomposition: signal ranks images {decomposition.ImageSignalRank}, texts {decomposition.TextSignalRank}; " +
        $"dim Z_s = {decomposition.Shared.Rank}, Z_I = {decomposition.ImageSpecific.Rank}, Z_T = {decomposition.TextSpecific.Rank}, Z_⊥ = {decomposition.Residual.Rank}" +
        (decomposition.Bounds is { } bounds ? $" (joint when 1 + cos θ > {bounds.Threshold:F3})" : ""));
    Console.WriteLine("   variance share   Z_s     Z_I     Z_T     Z_⊥");
    foreach (var modality in Enum.GetValues<Modality>())
        Console.WriteLine($"   {modality,-14} " + string.Join(" ", Enum.GetValues<SubspacePart>().Select(p => $"{decomposition.VarianceShare(modality, p),7:P1}")));
    Console.WriteLine($"   modality gap ‖μ_I − μ_T‖ = {decomposition.ModalityGapLength:F3}; its share in Z_s, Z_I, Z_T, Z_⊥: " +
        string.Join(", ", Enum.GetValues<SubspacePart>().Select(p => decomposition.GapShare(p).ToString("P1", CultureInfo.InvariantCulture))));
    if (decomposition.Shared.Rank > 0)
    {
        var shared = decomposition.SharedFiberProduct(images, texts).BestF1(truth);
        Console.WriteLine($"   F^s_ε (shared part only, T7: F_ε ⊆ F^s_ε): best F1 {shared.F1:F3} at ε = {shared.Epsilon:F4}");
    }

    // T6: the correlation dimension of the cross-modal distances, beside uniform points of the sphere at the same radii
    // (where most pairs lie, ν measures how steeply the distance distribution rises, not a dimension), and the intrinsic
    // dimension of each modality alone. Intervals: bootstrap over points, sampling noise only; all are biased low at high
    // dimension (docs/theorems.md, T6).
    var nu = CorrelationDimension.Estimate(fiber, seed: 1);
    double nuSphere = SphereDistances.CorrelationDimension(images.Dimension, nu.SmallRadius, nu.LargeRadius);
    Console.WriteLine($"   correlation dimension ν = {nu.Dimension:F2} [{nu.Lower:F2}, {nu.Upper:F2}] at r = {nu.SmallRadius:F3} … {nu.LargeRadius:F3}; " +
        $"uniform points of S^{images.Dimension - 1} there: ν = {nuSphere:F2} (a rate, not a dimension)");
    var (mleI, twoNnI) = (MaximumLikelihoodDimension.Estimate(images, seed: 1), TwoNearestNeighboursDimension.Estimate(images, seed: 1));
    var (mleT, twoNnT) = (MaximumLikelihoodDimension.Estimate(texts, seed: 1), TwoNearestNeighboursDimension.Estimate(texts, seed: 1));
    Console.WriteLine($"   intrinsic dimension, images: MLE {mleI.Dimension:F1} [{mleI.Lower:F1}, {mleI.Upper:F1}], TwoNN {twoNnI.Dimension:F1} [{twoNnI.Lower:F1}, {twoNnI.Upper:F1}]; " +
        $"texts: MLE {mleT.Dimension:F1} [{mleT.Lower:F1}, {mleT.Upper:F1}], TwoNN {twoNnT.Dimension:F1} [{twoNnT.Lower:F1}, {twoNnT.Upper:F1}] (read low at high k)");

    // Plots and exports.
    var profile = fiber.Profile(grid, progress: new ConsoleProgress("ε-profile"));
    var counts = profile.Counts.ToArray();
    var line = profilePlot.Add.ScatterLine(grid.Select(Math.Log10).ToArray(), counts.Select(c => Math.Log10(Math.Max(c, 1))).ToArray());
    line.LegendText = tag == "clip" ? "pretrained CLIP" : "random-init control";
    var precision = alignmentPlot.Add.ScatterLine(curve.Select(s => s.Epsilon).ToArray(), curve.Select(s => s.Precision).ToArray());
    precision.LegendText = $"precision ({tag})";
    var recall = alignmentPlot.Add.ScatterLine(curve.Select(s => s.Epsilon).ToArray(), curve.Select(s => s.Recall).ToArray());
    recall.LegendText = $"recall ({tag})";
    if (tag == "clip") { precision.LineStyle.Pattern = ScottPlot.LinePattern.Solid; recall.LineStyle.Pattern = ScottPlot.LinePattern.Solid; }
    else { precision.LineStyle.Pattern = ScottPlot.LinePattern.Dashed; recall.LineStyle.Pattern = ScottPlot.LinePattern.Dashed; }
    if (tag == "clip")
    {
        var parts = Enum.GetValues<SubspacePart>();
        var bars = new List<ScottPlot.Bar>();
        foreach (var (modality, offset, color) in new[] { (Modality.Images, 0.0, ScottPlot.Colors.SteelBlue), (Modality.Texts, 0.4, ScottPlot.Colors.DarkOrange) })
            for (int p = 0; p < parts.Length; p++)
                bars.Add(new ScottPlot.Bar { Position = p + offset, Value = decomposition.VarianceShare(modality, parts[p]), FillColor = color, Size = 0.38 });
        variancePlot.Add.Bars(bars);
        variancePlot.Axes.Bottom.SetTicks([0.2, 1.2, 2.2, 3.2], ["Z_s", "Z_I", "Z_T", "Z_⊥"]);
        variancePlot.Title("Variance share per part, pretrained CLIP (blue: images, orange: texts)");
        variancePlot.YLabel("share of the modality's variance");
    }
    ResultExport.SaveNpz(certified, Path.Combine(output, $"{tag}-pairs-at-best-epsilon.npz"));
    ResultExport.SaveCsv(curve, Path.Combine(output, $"{tag}-precision-recall.csv"));
    ResultExport.SaveCsv(profile, Path.Combine(output, $"{tag}-profile.csv"));
    ResultExport.SaveNpz(decomposition, Path.Combine(output, $"{tag}-decomposition.npz"));
    Console.WriteLine();
}

profilePlot.Title("ε-profile |F_ε| (log–log)");
profilePlot.XLabel("log10 ε");
profilePlot.YLabel("log10 |F_ε|");
profilePlot.ShowLegend(ScottPlot.Alignment.LowerRight);
alignmentPlot.Title("Precision and recall against the true pairs");
alignmentPlot.XLabel("ε");
alignmentPlot.ShowLegend(ScottPlot.Alignment.MiddleRight);
profilePlot.SavePng(Path.Combine(output, "epsilon-profile.png"), 800, 500);
alignmentPlot.SavePng(Path.Combine(output, "precision-recall.png"), 800, 500);
variancePlot.SavePng(Path.Combine(output, "variance-shares.png"), 800, 500);
Console.WriteLine($"plots and results written to {Path.GetFullPath(output)}");
Console.WriteLine("data: " + CocoClip500.Notice.Split('\n').First(l => l.StartsWith("Provenance", StringComparison.Ordinal)).Trim());

// The folder of this file: `dotnet run file.cs` records it for file-based apps (CallerFilePath is path-mapped in CI builds).
static string Here() => AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine("docs", "examples");

/// <summary>Progress on one console line (stderr), for the steps that take a second or more.</summary>
sealed class ConsoleProgress(string label) : IProgress<double>
{
    private readonly Lock gate = new();
    private int shown = -1;

    public void Report(double value)
    {
        int percent = (int)Math.Round(Math.Clamp(value, 0, 1) * 100);
        lock (gate)
        {
            if (percent / 10 == shown / 10 && percent < 100) return; // every 10 %
            shown = percent;
            Console.Error.Write(Console.IsErrorRedirected ? (percent == 100 ? $"   {label}: done\n" : "") : $"\r   {label} {percent,3} %" + (percent == 100 ? "\n" : ""));
        }
    }
}
