using System.Globalization;
using FiberProduct.Analysis;
using FiberProduct.Decomposition;
using FiberProduct.Fiber;

namespace FiberProduct.Cli;

/// <summary>The five commands. Each reads its options, refuses the ones it does not know, runs, and writes its result.</summary>
internal static class Commands
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static readonly IReadOnlySet<string> Flags = new HashSet<string>(StringComparer.Ordinal) { "truncate", "help" };

    public static void Count(CommandLine line, Context context)
    {
        var (images, texts) = Inputs.Load(line);
        double epsilon = Epsilon(line);
        var product = new ApproximateFiberProduct(images, texts, Inputs.Metric(line), Inputs.Options(line));
        line.Finish(2);
        long count = context.Progress.Run("count", p => product.Count(epsilon, p, context.Token));
        context.Out.WriteLine(count.ToString(Invariant));
    }

    public static void Join(CommandLine line, Context context)
    {
        if (line.Optional("shards") is { } shards)
        {
            OutOfCoreJoin.Run(line, context, shards, Epsilon(line));
            return;
        }
        var (images, texts) = Inputs.Load(line);
        double epsilon = Epsilon(line);
        string output = Outputs.Checked(line.Required("output"), parquet: true);
        int? nearest = line.Int("nearest", 1);
        var product = new ApproximateFiberProduct(images, texts, Inputs.Metric(line), Inputs.Options(line, pairs: true));
        line.Finish(2);
        var pairs = context.Progress.Run("join", p => nearest is int k
            ? product.NearestWithin(epsilon, k, p, context.Token) : product.Pairs(epsilon, p, context.Token));
        Outputs.Save(pairs, output);
        context.Out.WriteLine(string.Create(Invariant, $"{pairs.PairCount} pairs{(pairs.IsTruncated ? " (truncated at --max-pairs)" : "")} → {output}"));
    }

    public static void Profile(CommandLine line, Context context)
    {
        var (images, texts) = Inputs.Load(line);
        double[] epsilons = line.Doubles("epsilons") ?? Range(line.Optional("range"))
            ?? throw new UsageException("profile needs --epsilons a,b,… or --range from:to:count.");
        string? output = line.Optional("output") is { } o ? Outputs.Checked(o) : null;
        var product = new ApproximateFiberProduct(images, texts, Inputs.Metric(line), Inputs.Options(line));
        line.Finish(2);
        var profile = context.Progress.Run("profile", p => product.Profile(epsilons, progress: p, cancellationToken: context.Token));
        if (output is not null) { Outputs.Save(profile, output); return; }
        context.Out.WriteLine("epsilon,count");
        for (int k = 0; k < profile.Epsilons.Length; k++)
            context.Out.WriteLine(string.Create(Invariant, $"{profile.Epsilons[k]:R},{profile.Counts[k]}"));
    }

    public static void Decompose(CommandLine line, Context context)
    {
        var (images, texts) = Inputs.Load(line);
        string output = Outputs.Checked(line.Required("output"));
        var options = new DecompositionOptions { JointRank = line.Int("joint-rank", 0), Seed = line.Int("seed", 0) ?? 0 };
        line.Finish(2);
        var decomposition = context.Progress.Run("decompose",
            p => SubspaceDecomposition.Estimate(images, texts, options, p, context.Token));
        Outputs.Save(decomposition, output);
        context.Out.WriteLine(string.Create(Invariant,
            $"Z_s {decomposition.Shared.Rank}, Z_I {decomposition.ImageSpecific.Rank}, Z_T {decomposition.TextSpecific.Rank} → {output}"));
    }

    public static void Report(CommandLine line, Context context)
    {
        var (images, texts) = Inputs.Load(line);
        if (images.Count != texts.Count)
            throw new UsageException($"report reads paired rows (image i with text i); got {images.Count} images and {texts.Count} texts.");
        var metric = Inputs.Metric(line);
        int permutations = line.Int("permutations", 1) ?? 199;
        var product = new ApproximateFiberProduct(images, texts, metric, Inputs.Options(line));
        line.Finish(2);
        var truth = Pairing.Diagonal(images.Count);
        var w = context.Out;
        w.WriteLine(string.Create(Invariant, $"{images.Count} pairs in R^{images.Dimension} ({images.Precision}), metric {metric}; image i is paired with text i."));

        var best = context.Progress.Run("best F1", p => product.BestF1(truth, p, context.Token));
        var null1 = context.Progress.Run("null of F1", p => PairingPermutationNull.Test(product, truth, t => product.Score(best.Epsilon, t).F1,
            "F1 at the best ε", NullTail.Upper, permutations, progress: p, cancellationToken: context.Token));
        w.WriteLine(string.Create(Invariant, $"Best F1 {best.F1:F3} at ε = {best.Epsilon:G6}: |F_ε| = {best.Pairs}, precision {Percent(best)}, recall {best.Recall:P1}."));
        w.WriteLine(string.Create(Invariant, $"  Shuffled pairings ({null1.Draws} permutations, ε fixed): F1 {null1.NullMean:F3}, 95 % of draws in [{null1.BandLower:F3}, {null1.BandUpper:F3}]; p = {null1.PValue:G3}."));
        w.WriteLine("  The best ε was chosen on these pairs, so the F1 is optimistic; the p-value tests the pairing, not the choice of ε.");

        foreach (var direction in new[] { RetrievalDirection.ImageToText, RetrievalDirection.TextToImage })
        {
            var scores = context.Progress.Run("retrieval", p => Retrieval.Evaluate(product, truth, direction, p, context.Token));
            w.WriteLine(string.Create(Invariant,
                $"{scores.Direction}: recall@1 {scores.RecallAt(1):P1}, @5 {scores.RecallAt(5):P1}, @10 {scores.RecallAt(10):P1}; MRR {scores.MeanReciprocalRank:F3}; median rank {scores.MedianRank:G4} (chance: {(images.Count + 1) / 2.0:G4})."));
        }

        var decomposition = context.Progress.Run("decompose", p => SubspaceDecomposition.Estimate(images, texts, progress: p, cancellationToken: context.Token));
        w.WriteLine(string.Create(Invariant,
            $"Decomposition: Z_s rank {decomposition.Shared.Rank}, Z_I {decomposition.ImageSpecific.Rank}, Z_T {decomposition.TextSpecific.Rank} (signal ranks {decomposition.ImageSignalRank}, {decomposition.TextSignalRank})."));
        w.WriteLine(string.Create(Invariant,
            $"  Shared variance: images {decomposition.VarianceShare(Modality.Images, SubspacePart.Shared):P1}, texts {decomposition.VarianceShare(Modality.Texts, SubspacePart.Shared):P1}; modality gap ‖μ_I − μ_T‖ = {decomposition.ModalityGapLength:G4}."));
        w.WriteLine("  A direction is shared when the two signal subspaces meet at an angle smaller than chance (random directions)");
        w.WriteLine("  and perturbation (Wedin) allow; AJIVE's shared space does not use the pairing: see docs/concepts.md.");
    }

    private static string Percent(AlignmentScore score) =>
        score.Pairs == 0 ? "undefined (no pairs)" : score.Precision.ToString("P1", Invariant);

    private static double Epsilon(CommandLine line)
    {
        double epsilon = line.Double("epsilon") ?? throw new UsageException($"{line.Command} needs --epsilon E.");
        return epsilon >= 0 ? epsilon : throw new UsageException($"--epsilon must be a non-negative number; got {epsilon.ToString(Invariant)}.");
    }

    /// <summary>"from:to:count" → count evenly spaced tolerances from..to.</summary>
    private static double[]? Range(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        if (parts.Length == 3 && double.TryParse(parts[0], NumberStyles.Float, Invariant, out double from)
            && double.TryParse(parts[1], NumberStyles.Float, Invariant, out double to)
            && int.TryParse(parts[2], NumberStyles.Integer, Invariant, out int count) && count >= 1 && to >= from && from >= 0)
            return Enumerable.Range(0, count).Select(k => count == 1 ? from : from + (to - from) * k / (count - 1)).ToArray();
        throw new UsageException($"--range expects from:to:count with 0 ≤ from ≤ to and count ≥ 1; got '{text}'.");
    }
}

/// <summary>Where a command writes, whether it draws progress, and what cancels it.</summary>
internal sealed record Context(TextWriter Out, ProgressDisplay Progress, CancellationToken Token);
