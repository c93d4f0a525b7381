// FiberProduct quickstart: dotnet run docs/examples/quickstart.cs
// The ε-approximate fiber product F_ε = {(P, Q) : ‖f(P) − g(Q)‖ ≤ ε} (arXiv 2412.00373) of real CLIP
// embeddings of 500 COCO image–caption pairs, shipped by FiberProduct.Datasets, and of the same pairs through an
// untrained CLIP (what "no alignment" looks like). It prints a report in which every headline number stands beside its
// null or its interval, and writes figures (SVG) and results (.npz, CSV) to docs/examples/output/. The rings Z_n[x]
// themselves are toured in rings.cs, the encoders in encoding.cs.
#:project ../../src/FiberProduct/FiberProduct.csproj
#:project ../../src/FiberProduct.Datasets/FiberProduct.Datasets.csproj
#:package OxyPlot.Core
// File-based apps publish Native AOT by default, and restoring for that downloads about 300 MB of runtime and
// compiler packs on a first run; `dotnet run` does not need them (docs/examples/README.md has the measurements).
#:property PublishAot=false

using System.Globalization;
using FiberProduct.Analysis;
using FiberProduct.Datasets;
using FiberProduct.Decomposition;
using FiberProduct.Export;
using FiberProduct.Fiber;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = System.Diagnostics.Stopwatch.StartNew();
string output = Path.Combine(Here(), "output");
Directory.CreateDirectory(output);
const int Seed = 1;
double[] grid = Enumerable.Range(0, 81).Select(i => 0.9 + 0.01 * i).ToArray(); // ε from 0.9 to 1.7

var profilePlot = Figures.Model("|F_ε| against ε, with the uniform-sphere null (T5)",
    "ε where |F_ε| = 0 are not drawn (log scale); the band reaching 0 is drawn to the bottom of the axis");
profilePlot.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom,
    Title = "ε (Euclidean distance between unit embeddings)", Minimum = 1.05, Maximum =
    1.7, MajorGridlineStyle = LineStyle.Dot });
profilePlot.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Left, Title = "|F_ε| (pairs within ε, of 250,000)",
    Minimum = 0.8, Maximum = 400_000, MajorGridlineStyle = LineStyle.Dot });
var alignmentPlot = Figures.Model("Precision and recall of F_ε against the true pairs",
    "bands: central 95 % of 199 shuffled pairings of the CLIP sets; precision is undefined (not "
    + "drawn) where |F_ε| = 0");
alignmentPlot.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "ε", Minimum = 1.05, Maximum = 1.5,
    MajorGridlineStyle = LineStyle.Dot });
alignmentPlot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "precision, recall", Minimum = 0,
    Maximum = 1.02, MajorGridlineStyle = LineStyle.Dot });
var variancePlot = Figures.Model("Variance share per part of Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥, pretrained CLIP",
    "AJIVE estimate; each modality's four shares add up to 100 %; in brackets, the dimension of the part");
var dimensionPlot = Figures.Model("Intrinsic dimension of each modality, with 95 % intervals",
    "intervals: bootstrap over points, neighbour distances fixed: sampling noise only, not the bias (both estimators "
    + "read low at high dimension)");
var dimensions = new List<(string Label, DimensionEstimate Mle, DimensionEstimate TwoNn)>();
var directionsPlot = Figures.Model("The shared directions of Z_s, pretrained CLIP: stable? paired?",
    "stable fraction: share of 10 subsamples of 80 % in which the direction stays within 20°; band: "
    + "shuffled-pairing null");

foreach (var (data, tag) in new[] { (CocoClip500.Pretrained(), "clip"), (CocoClip500.RandomInit(), "control") })
{
    var (images, texts, truth) = (data.Images, data.Texts, data.Truth);
    var fiber = new ApproximateFiberProduct(images, texts);
    bool clip = tag == "clip";
    Console.WriteLine($"== {data.Name}");
    Console.WriteLine(
        $"   {images.Count} images, {texts.Count} captions in R^{images.Dimension}; caption 0: \"{data.Captions[0]}\" "
        + $"({data.ImageFiles[0]})");
    Console.WriteLine(
        $"   Nulls: \"shuffled\" relabels the captions by seeded random permutations (the sets "
        + $"stay, the pairing goes);");
    Console.WriteLine(
        $"   \"sphere\" draws as many points uniformly on S^{images.Dimension - 1} (T5; weak: real "
        + $"embeddings lie in a cone).");
    Console.WriteLine($"   Bands and intervals are central 95 %; p is the Monte Carlo p-value (b + 1)/(B + 1).");

    // |F_ε| and how well it recovers the true pairs. Precision has no value when F_ε is empty: 0/0.
    Console.WriteLine("   ε       |F_ε|  sphere E|F_ε|   precision   recall    F1");
    foreach (double epsilon in new[] { 1.10, 1.15, 1.20, 1.25, 1.30, 1.35, 1.40 })
    {
        var score = fiber.Score(epsilon, truth);
        string precision = score.Pairs == 0 ? "undefined"
            : score.Precision.ToString("P1", CultureInfo.InvariantCulture);
        Console.WriteLine(
            $"   {epsilon,-5:F2} {score.Pairs,7} {SphereNull.PairCountMoments(fiber, epsilon).Mean,13:F1}   "
            + $"{precision,9}  {score.Recall,7:P1}  {score.F1:F3}");
    }

    // Best F1 over ε, against shuffled pairings: one ε-profile pass per draw.
    var curve = fiber.AlignmentCurve(truth, new ConsoleProgress("precision–recall curve"));
    var best = curve.MaxBy(s => s.F1);
    var bestNull = PairingPermutationNull.BestF1(fiber, truth, permutations: 19, seed: Seed,
        progress: new ConsoleProgress("best-F1 null"));
    Console.WriteLine(
        $"   best F1 {best.F1:F3} at ε = {best.Epsilon:F4} (|F_ε| = {best.Pairs}, precision {best.Precision:P1}, "
        + $"recall {best.Recall:P1}); {Null(bestNull, "F3")}");
    // The sphere law is one of unit vectors; these rows are unit only to float32 rounding (‖x‖² within 1.1e-3), so
    // the null is drawn for the cosine product, whose ball 1 − cos ≤ ε²/2 is the Euclidean ball of radius ε on
    // the sphere. Each draw is profiled over the whole grid (the figure's band) and read at the best ε (the
    // number's null).
    var cosine = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine);
    double[] cosineGrid = [.. grid.Select(e => e * e / 2), best.Epsilon * best.Epsilon / 2];
    var sphereProfiles = new List<long[]>();
    var countNull = SphereNull.Test(cosine, p =>
    {
        var counts = p.Profile(cosineGrid).Counts.ToArray();
        sphereProfiles.Add(counts);
        return counts[^1];
    }, "|F_ε| at the best ε", NullTail.Upper, draws: 39, seed: Seed);
    sphereProfiles.RemoveAt(0); // the first call profiles the data
    Console.WriteLine(
        $"   |F_ε| at that ε: {best.Pairs} ({countNull.Observed:F0} with 1 − cos ≤ ε²/2); "
        + $"{Null(countNull, "F0")}");

    // Shuffled-pairing band of the curves: every draw's true-pair distances against the grid (one distance per pair).
    var distances = new Dictionary<(int, int), double>();
    foreach (var pair in fiber.Pairs(grid[^1])) distances[(pair.Image, pair.Text)] = pair.Distance;
    var profile = fiber.Profile(grid, progress: new ConsoleProgress("ε-profile"));
    var nullRecall = new List<double[]>();
    var truePairsNull = PairingPermutationNull.Test(fiber, truth, pairing =>
    {
        var within = grid.Select(e => (double)pairing.Pairs.Count(
            p => distances.TryGetValue((p.Image, p.Text), out double d) && d <= e)).ToArray();
        nullRecall.Add(within);
        return pairing.Pairs.Count(p => distances.TryGetValue((p.Image, p.Text), out double d) && d <= best.Epsilon);
    }, "true pairs within the best ε", NullTail.Upper, permutations: 199, seed: Seed);
    nullRecall.RemoveAt(0); // the first call scores the true pairing
    Console.WriteLine(
        $"   true pairs within that ε: {truePairsNull.Observed:F0} of {truth.Count}; {Null(truePairsNull, "F1")}");

    // Retrieval, exact ranks from the engine (rank = 1 + captions strictly closer), recall@K against shuffled pairings.
    var retrieval = Retrieval.EvaluateBothWays(fiber, truth);
    foreach (var (scores, direction) in new[] { (retrieval.ImageToText, RetrievalDirection.ImageToText),
        (retrieval.TextToImage, RetrievalDirection.TextToImage) })
    {
        string arrow = direction == RetrievalDirection.ImageToText ? "image→text" : "text→image";
        foreach (int k in new[] { 1, 5 })
        {
            var recallNull = PairingPermutationNull.RecallAt(fiber, truth, k, direction, permutations: 999, seed: Seed);
            Console.WriteLine($"   {arrow} recall@{k} {scores.RecallAt(k):P1}; {Null(recallNull, "P1")}");
        }
        Console.WriteLine(
            $"   {arrow} MRR {scores.MeanReciprocalRank:F3}, median rank {scores.MedianRank:F0} of {scores.Items}, "
            + $"mAP {scores.MeanAveragePrecision:F3} " +
            $"(chance: MRR ≈ {Enumerable.Range(1, scores.Items).Sum(r => 1.0 / r) / scores.Items:F3}, median rank "
            + $"≈ {(scores.Items + 1) / 2.0:F0})");
    }

    // The decomposition Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥, its variance table and the modality gap.
    // 100 + 100 draws for the rank bounds instead of 200 + 200, and 10 subsamples for CLIP only, keep the run short
    // (each subsample is a decomposition; decomposition-stability.cs runs both data sets with more).
    var options = new DecompositionOptions { Seed = Seed, RandomDirectionSamples = 100, WedinSamples = 100 };
    var stability = clip ? SharedSubspaceStability.Estimate(images, texts, options,
        new StabilityOptions { Subsamples = 10, Seed = Seed },
        new ConsoleProgress("decomposition and 10 subsamples")) : null;
    var decomposition = stability?.Full ?? SubspaceDecomposition.Estimate(images, texts, options);
    Console.WriteLine(
        $"   decomposition (AJIVE): signal ranks images {decomposition.ImageSignalRank}, texts "
        + $"{decomposition.TextSignalRank}; " +
        $"dim Z_s = {decomposition.Shared.Rank}, Z_I = {decomposition.ImageSpecific.Rank}, Z_T = "
        + $"{decomposition.TextSpecific.Rank}, Z_⊥ = {decomposition.Residual.Rank}");
    if (decomposition.Bounds is { } bounds)
    {
        // 1 + cos θ is the squared singular value of [V_I V_T] along a direction that meets both signal
        // subspaces at angle θ.
        double AngleOf(double threshold) => Math.Acos(Math.Clamp(threshold - 1, -1, 1)) * 180 / Math.PI;
        Console.WriteLine(
            $"   Z_s keeps the directions in which the image and text signal subspaces meet at a "
            + $"principal angle θ below " +
            $"{AngleOf(bounds.Threshold):F1}° (1 + cos θ > {bounds.Threshold:F3}). That cut is the larger of: the "
            + $"{options.Percentile:F0}th percentile of the " +
            $"same angle between random subspaces of ranks {decomposition.ImageSignalRank} and "
            + $"{decomposition.TextSignalRank} ({AngleOf(bounds.RandomDirectionThreshold):F1}°: " +
            $"closer than chance), and the Wedin bound ({AngleOf(bounds.WedinThreshold):F1}°: how far noise could "
            + $"tilt a truly shared direction).");
    }
    if (stability is not null)
    {
        var (rankLow, rankHigh) = stability.JointRankInterval;
        var cut = stability.Cut;
        Console.WriteLine(
            $"   dim Z_s = {decomposition.Shared.Rank}; over 10 subsamples of 80 % of the pairs the rank falls in "
            + $"[{rankLow}, {rankHigh}] (95 %, " +
            $"resampling of pairs: how much the rank moves with the sample, not whether it is right); "
            + $"{stability.StableDirectionCount} of its directions stay " +
            $"within 20° in at least half the subsamples; at the cut 1 + cos θ goes {cut.LastKept:F3} → "
            + $"{cut.FirstDropped:F3} (gap {cut.RelativeGap:F1}× the median spacing)");
    }
    var pairing = decomposition.Shared.Rank > 0 ? PairingCheck.Evaluate(decomposition, images, texts,
        shuffles: 999, seed: Seed) : null;
    if (pairing is not null)
        Console.WriteLine(
            $"   does Z_s carry the pairing? mean correlation of paired coordinates {pairing.MeanCorrelation:F3}, "
            + $"shuffled pairings' 95th percentile " +
            $"{pairing.NullBand:F3}, p = {pairing.MeanCorrelationPValue:F3}; directions paired at 5 % (Holm): "
            + $"{pairing.PairedDirectionCount()} of {decomposition.Shared.Rank}");
    // CCA reads the pairing itself: a canonical pair is joint when its correlation beats the 95th percentile of the
    // largest one under shuffled pairings (100 shuffles), so its rank comes with its own null.
    var cca = SubspaceDecomposition.EstimateByCca(images, texts, 0.1, options);
    Console.WriteLine(
        $"   pairing-aware rank (regularised CCA): {cca.Shared.Rank} canonical pairs correlate beyond 95 % "
        + $"of shuffled pairings");
    Console.WriteLine("   variance share   Z_s     Z_I     Z_T     Z_⊥");
    foreach (var modality in Enum.GetValues<Modality>())
        Console.WriteLine($"   {modality,-14} " + string.Join(" ", Enum.GetValues<SubspacePart>()
            .Select(p => $"{decomposition.VarianceShare(modality, p),7:P1}")));
    var gap = PairingPermutationNull.ModalityGap(images, texts, permutations: 999, seed: Seed);
    Console.WriteLine(
        $"   modality gap ‖μ_I − μ_T‖ = {decomposition.ModalityGapLength:F3}; {Null(gap, "F3")}; its share in "
        + $"Z_s, Z_I, Z_T, Z_⊥: " +
        string.Join(", ", Enum.GetValues<SubspacePart>()
            .Select(p => decomposition.GapShare(p).ToString("P1", CultureInfo.InvariantCulture))));
    if (decomposition.Shared.Rank > 0)
    {
        var shared = decomposition.SharedFiberProduct(images, texts).BestF1(truth);
        Console.WriteLine(
            $"   F^s_ε (shared part only, T7: F_ε ⊆ F^s_ε): best F1 {shared.F1:F3} at ε = {shared.Epsilon:F4}");
    }
    var cka = CenteredKernelAlignment.LinearTest(images, texts, permutations: 999, seed: Seed);
    Console.WriteLine($"   linear CKA {cka.Observed:F3}; {Null(cka, "F3")}");

    // T6 and intrinsic dimension. Each interval resamples the points with their neighbour distances held fixed: it
    // covers sampling noise, not the estimators' bias, which is large at high dimension (docs/theorems.md, T6).
    var nu = CorrelationDimension.Estimate(fiber, seed: Seed);
    double nuSphere = SphereDistances.CorrelationDimension(images.Dimension, nu.SmallRadius, nu.LargeRadius);
    Console.WriteLine(
        $"   correlation dimension ν = {nu.Dimension:F2} [{nu.Lower:F2}, {nu.Upper:F2}] at r = {nu.SmallRadius:F3} "
        + $"… {nu.LargeRadius:F3}; " +
        $"uniform points of S^{images.Dimension - 1} there: ν = {nuSphere:F2} (where most pairs lie, ν is a "
        + $"rate, not a dimension)");
    var (mleI, twoNnI) = (MaximumLikelihoodDimension.Estimate(images, seed: Seed),
        TwoNearestNeighboursDimension.Estimate(images, seed: Seed));
    var (mleT, twoNnT) = (MaximumLikelihoodDimension.Estimate(texts, seed: Seed),
        TwoNearestNeighboursDimension.Estimate(texts, seed: Seed));
    dimensions.Add(($"{(clip ? "CLIP" : "control")}: images", mleI, twoNnI));
    dimensions.Add(($"{(clip ? "CLIP" : "control")}: texts", mleT, twoNnT));
    Console.WriteLine(
        $"   intrinsic dimension, images: MLE {mleI.Dimension:F1} [{mleI.Lower:F1}, {mleI.Upper:F1}], TwoNN "
        + $"{twoNnI.Dimension:F1} [{twoNnI.Lower:F1}, {twoNnI.Upper:F1}]; " +
        $"texts: MLE {mleT.Dimension:F1} [{mleT.Lower:F1}, {mleT.Upper:F1}], TwoNN {twoNnT.Dimension:F1} "
        + $"[{twoNnT.Lower:F1}, {twoNnT.Upper:F1}]");
    Console.WriteLine($"   (these intervals: {mleI.IntervalCovers})");

    // Figures.
    var color = clip ? OxyColors.SteelBlue : OxyColors.DarkOrange;
    string label = clip ? "pretrained CLIP" : "random-init control";
    var counts = profile.Counts.ToArray();
    profilePlot.Series.Add(Figures.Line(label, grid, counts.Select(c => c > 0 ? c : double.NaN).ToArray(), color, clip
        ? LineStyle.Solid : LineStyle.Dash));
    if (clip)
    {
        var (low, high) = Figures.Band(grid.Length, t => sphereProfiles.Select(p => (double)p[t]));
        profilePlot.Series.Insert(0, Figures.Area("uniform sphere, 95 % of 39 draws", grid,
            low.Select(v => Math.Max(v, 0.8)).ToArray(), high.Select(v => Math.Max(v, 0.8)).ToArray(), OxyColors.Gray));
    }
    var epsilons = curve.Select(s => s.Epsilon).ToArray();
    alignmentPlot.Series.Add(Figures.Line($"precision, {label}", epsilons,
        curve.Select(s => s.Pairs == 0 ? double.NaN : s.Precision).ToArray(), color, LineStyle.Solid));
    alignmentPlot.Series.Add(Figures.Line($"recall, {label}", epsilons, curve.Select(s => s.Recall).ToArray(),
        color, LineStyle.Dash));
    if (clip)
    {
        var (recallLow, recallHigh) = Figures.Band(grid.Length, t => nullRecall.Select(r => r[t] / truth.Count));
        var (precisionLow, precisionHigh) = Figures.Band(grid.Length,
            t => nullRecall.Select(r => counts[t] == 0 ? double.NaN : r[t] / counts[t]));
        alignmentPlot.Series.Insert(0, Figures.Area("recall, CLIP with shuffled pairings", grid, recallLow,
            recallHigh, OxyColors.Gray));
        alignmentPlot.Series.Insert(0, Figures.Area("precision, CLIP with shuffled pairings", grid, precisionLow,
            precisionHigh, OxyColors.Purple));
        alignmentPlot.Series.Add(new ScatterSeries { Title = "best F1", MarkerType = MarkerType.Diamond, MarkerSize = 6,
            MarkerFill = OxyColors.Black, ItemsSource =
            new[] { new ScatterPoint(best.Epsilon, best.Precision), new ScatterPoint(best.Epsilon, best.Recall) } });
        alignmentPlot.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = best.Epsilon,
            Color = OxyColors.Black, LineStyle = LineStyle.Dot, Text =
            $"best F1 {best.F1:F2} at ε = {best.Epsilon:F3}", TextOrientation =
            AnnotationTextOrientation.Horizontal, TextVerticalAlignment =
            VerticalAlignment.Top, TextHorizontalAlignment = HorizontalAlignment.Right, TextMargin = 6 });
        Figures.Shares(variancePlot, decomposition);
        Figures.Directions(directionsPlot, stability!, pairing);
    }
    ResultExport.SaveNpz(Robustness.Certify(fiber.Pairs(best.Epsilon), best.Epsilon),
        Path.Combine(output, $"{tag}-pairs-at-best-epsilon.npz"));
    ResultExport.SaveCsv(curve, Path.Combine(output, $"{tag}-precision-recall.csv"));
    ResultExport.SaveCsv(profile, Path.Combine(output, $"{tag}-profile.csv"));
    ResultExport.SaveNpz(decomposition, Path.Combine(output, $"{tag}-decomposition.npz"));
    Console.WriteLine();
}

Figures.Save(profilePlot, Path.Combine(output, "epsilon-profile.svg"));
Figures.Save(alignmentPlot, Path.Combine(output, "precision-recall.svg"));
Figures.Save(variancePlot, Path.Combine(output, "variance-shares.svg"));
Figures.Save(directionsPlot, Path.Combine(output, "shared-directions.svg"));
Figures.Dimensions(dimensionPlot, dimensions);
Figures.Save(dimensionPlot, Path.Combine(output, "intrinsic-dimension.svg"));
Console.WriteLine(
    $"figures (SVG) and results written to {Path.GetFullPath(output)} in {clock.Elapsed.TotalSeconds:F0} s");
Console.WriteLine("data: " + CocoClip500.Notice.Split('\n')
    .First(l => l.StartsWith("Provenance", StringComparison.Ordinal)).Trim());

// A number beside its null: the band, the p-value and the law, in one phrase.
static string Null(NullTest test, string format)
{
    string F(double v) => format == "P1" ? v.ToString("P1", CultureInfo.InvariantCulture)
        : v.ToString(format, CultureInfo.InvariantCulture);
    string law = test.NullModel.StartsWith("uniform", StringComparison.Ordinal) ? "sphere"
        : test.NullModel.StartsWith("swaps", StringComparison.Ordinal) ? "swapped within pairs" : "shuffled";
    string floor = test.PValue <= 1.0 / (test.Draws + 1) ? $", the smallest {test.Draws} draws can give" : "";
    return $"{law} null [{F(test.BandLower)}, {F(test.BandUpper)}] ({test.Draws} draws), p = {test.PValue:F3}{floor}";
}

// The folder of this file: `dotnet run file.cs` records it for file-based apps (CallerFilePath is
// path-mapped in CI builds).
static string Here() => AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine("docs", "examples");

/// <summary>The figures' common look and the series they are built from (OxyPlot, written as SVG: no native
/// code).</summary>
static class Figures
{
    public static PlotModel Model(string title, string subtitle)
    {
        // Arial: its widths are Helvetica's, which OxyPlot measures text with (see PixelTextMeasurer).
        var model = new PlotModel { Title = title, Subtitle = subtitle, TitleFontSize = 15, SubtitleFontSize = 11,
            DefaultFont = "Arial", Background = OxyColors.White };
        // Outside the plot area, so that no legend ever covers a curve.
        model.Legends.Add(new Legend { LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.RightTop, LegendOrientation = LegendOrientation.Vertical });
        return model;
    }

    public static LineSeries Line(string title, double[] x, double[] y, OxyColor color, LineStyle style)
    {
        var series = new LineSeries { Title = title, Color = color, LineStyle = style, StrokeThickness = 2 };
        for (int i = 0; i < x.Length; i++)
            series.Points.Add(double.IsNaN(y[i]) ? DataPoint.Undefined : new DataPoint(x[i], y[i]));
        return series;
    }

    public static AreaSeries Area(string title, double[] x, double[] low, double[] high, OxyColor color)
    {
        var area = new AreaSeries { Title = title, Color = OxyColor.FromAColor(90, color),
            Fill = OxyColor.FromAColor(60, color), StrokeThickness = 0.5 };
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(low[i]) || double.IsNaN(high[i])) continue;
            area.Points.Add(new DataPoint(x[i], high[i]));
            area.Points2.Add(new DataPoint(x[i], low[i]));
        }
        return area;
    }

    /// <summary>The central 95 % of the draws at each grid point (NaN draws left out; NaN where none is
    /// left).</summary>
    public static (double[] Low, double[] High) Band(int length, Func<int, IEnumerable<double>> draws)
    {
        var (low, high) = (new double[length], new double[length]);
        for (int t = 0; t < length; t++)
        {
            var sorted = draws(t).Where(v => !double.IsNaN(v)).Order().ToArray();
            (low[t], high[t]) = sorted.Length == 0 ? (double.NaN, double.NaN)
                : (sorted[(int)Math.Floor(0.025 * (sorted.Length - 1))],
                    sorted[(int)Math.Ceiling(0.975 * (sorted.Length - 1))]);
        }
        return (low, high);
    }

    public static void Shares(PlotModel model, SubspaceDecomposition decomposition)
    {
        var parts = Enum.GetValues<SubspacePart>();
        model.Axes.Add(new CategoryAxis { Position = AxisPosition.Left, StartPosition = 1, EndPosition = 0,
            ItemsSource = parts.Select(p => $"{Name(p)} ({decomposition[p].Rank})").ToArray() });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "share of the modality's variance",
            Minimum = 0, Maximum = 1, StringFormat = "0%", MajorGridlineStyle = LineStyle.Dot });
        foreach (var (modality, color) in new[] { (Modality.Images, OxyColors.SteelBlue),
            (Modality.Texts, OxyColors.DarkOrange) })
        {
            var bars = new BarSeries { Title = modality.ToString(), FillColor = color, LabelFormatString = "{0:0.0%}",
                LabelPlacement = LabelPlacement.Outside };
            foreach (var part in parts) bars.Items.Add(new BarItem(decomposition.VarianceShare(modality, part)));
            model.Series.Add(bars);
        }
    }

    public static void Dimensions(PlotModel model,
        List<(string Label, DimensionEstimate Mle, DimensionEstimate TwoNn)> estimates)
    {
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0.5, Maximum = estimates.Count + 0.5,
            MajorStep = 1, MinorStep = 1,
            LabelFormatter = x =>
                x >= 1 && x <= estimates.Count && x == Math.Round(x) ? estimates[(int)x - 1].Label : "" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "intrinsic dimension", Minimum = 0,
            MajorGridlineStyle = LineStyle.Dot });
        foreach (var (title, offset, color, pick) in new (string, double, OxyColor, Func<int, DimensionEstimate>)[]
            { ("Levina-Bickel MLE, k = 10 to 20", -0.1, OxyColors.SteelBlue, i => estimates[i].Mle),
              ("TwoNN", 0.1, OxyColors.DarkOrange, i => estimates[i].TwoNn) })
        {
            var intervals = new LineSeries { Color = color, StrokeThickness = 2 };
            var points = new ScatterSeries { Title = title, MarkerType = MarkerType.Circle,
                MarkerSize = 5, MarkerFill = color };
            for (int i = 0; i < estimates.Count; i++)
            {
                var e = pick(i);
                intervals.Points.Add(new DataPoint(i + 1 + offset, e.Lower));
                intervals.Points.Add(new DataPoint(i + 1 + offset, e.Upper));
                intervals.Points.Add(DataPoint.Undefined);
                points.Points.Add(new ScatterPoint(i + 1 + offset, e.Dimension));
            }
            model.Series.Add(intervals);
            model.Series.Add(points);
        }
    }

    public static void Directions(PlotModel model, SharedSubspaceStability stability, PairingCheck? pairing)
    {
        int rank = stability.Directions.Count;
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom,
            Title = "shared direction (by 1 + cos θ, largest first)", Minimum = 0.5, Maximum = rank + 0.5, MajorStep =
            1, MinorStep = 1 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "stable fraction, paired correlation",
            Minimum = 0, Maximum = 1.02, MajorGridlineStyle = LineStyle.Dot });
        var intervals = new LineSeries { Title = "stable fraction, 95 % interval",
            Color = OxyColors.SteelBlue, StrokeThickness = 2 };
        var stable = new ScatterSeries { Title = "stable fraction", MarkerType = MarkerType.Circle, MarkerSize = 4,
            MarkerFill = OxyColors.SteelBlue };
        foreach (var d in stability.Directions)
        {
            intervals.Points.Add(new DataPoint(d.Index + 1, d.Lower));
            intervals.Points.Add(new DataPoint(d.Index + 1, d.Upper));
            intervals.Points.Add(DataPoint.Undefined);
            stable.Points.Add(new ScatterPoint(d.Index + 1, d.StableFraction));
        }
        model.Series.Add(intervals);
        model.Series.Add(stable);
        if (pairing is null) return;
        model.Series.Insert(0, Area("correlation under 999 shuffled pairings (95th percentile)", [0.5, rank + 0.5],
            [0, 0], [pairing.NullBand, pairing.NullBand], OxyColors.Gray));
        var correlations = new ScatterSeries { Title = "paired correlation", MarkerType = MarkerType.Diamond,
            MarkerSize = 5, MarkerFill = OxyColors.DarkOrange };
        for (int k = 0; k < pairing.Correlations.Length; k++)
            correlations.Points.Add(new ScatterPoint(k + 1, pairing.Correlations[k]));
        model.Series.Add(correlations);
    }

    public static void Save(PlotModel model, string path)
    {
        // librsvg and Inkscape ignore dominant-baseline (browsers honour it): the workaround offsets text explicitly,
        // so the figure renders alike everywhere.
        foreach (var axis in model.Axes) axis.AxisTitleDistance = 6;
        using var stream = File.Create(path);
        new SvgExporter { Width = 1000, Height = 560, UseVerticalTextAlignmentWorkaround = true,
            TextMeasurer = new PixelTextMeasurer() }.Export(model, stream);
    }

    /// <summary>
    /// OxyPlot's SVG export measures text with its PDF context, in points, but lays the figure out in pixels (1/96 in):
    /// unscaled, every label is measured 25 % too short and legends are clipped. Only MeasureText is ever called.
    /// </summary>
    private sealed class PixelTextMeasurer : RenderContextBase
    {
        private readonly PdfRenderContext points = new(100, 100, OxyColors.White);

        public override int ClipCount => 0;

        public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
        {
            var size = points.MeasureText(text, fontFamily, fontSize, fontWeight);
            return new OxySize(size.Width * 96 / 72, size.Height * 96 / 72);
        }

        public override void DrawLine(IList<ScreenPoint> points, OxyColor stroke, double thickness,
            EdgeRenderingMode edgeRenderingMode, double[] dashArray, LineJoin lineJoin) =>
            throw new NotSupportedException();
        public override void DrawPolygon(IList<ScreenPoint> points, OxyColor fill, OxyColor stroke, double thickness,
            EdgeRenderingMode edgeRenderingMode, double[] dashArray, LineJoin lineJoin) =>
            throw new NotSupportedException();
        public override void DrawText(ScreenPoint p, string text, OxyColor fill, string fontFamily, double fontSize,
            double fontWeight, double rotation, HorizontalAlignment halign, VerticalAlignment valign,
            OxySize? maxSize) => throw new NotSupportedException();
        public override void PushClip(OxyRect clippingRectangle) => throw new NotSupportedException();
        public override void PopClip() => throw new NotSupportedException();
    }

    private static string Name(SubspacePart part) => part switch
    {
        SubspacePart.Shared => "Z_s shared",
        SubspacePart.ImageSpecific => "Z_I images only",
        SubspacePart.TextSpecific => "Z_T texts only",
        _ => "Z_⊥ residual",
    };
}

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
            Console.Error.Write(Console.IsErrorRedirected ? (percent == 100 ? $"   {label}: done\n" : "")
                : $"\r   {label} {percent,3} %" + (percent == 100 ? "\n" : ""));
        }
    }
}
