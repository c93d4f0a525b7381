using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;

namespace FiberProduct.Cli;

/// <summary>
/// The embeddings a command reads: two files (images, texts) or one paired file of shape (2, N, d) given with
/// <c>--paired</c>. A file is a .npy array (N, d), or one array of a .npz archive named as <c>archive.npz:name</c>
/// (the name may be left out when the archive holds one array). float32 stays float32 and float64 stays float64.
/// </summary>
internal static class Inputs
{
    public static (EmbeddingSet Images, EmbeddingSet Texts) Load(CommandLine line)
    {
        string? paired = line.Optional("paired");
        if (paired is not null)
        {
            if (line.Positionals.Count > 0)
                throw new UsageException($"Give either --paired FILE or two files, not both (got '{line.Positionals[0]}').");
            return Path.GetExtension(Split(paired).Path).Equals(".npy", StringComparison.OrdinalIgnoreCase)
                && Split(paired).Member is null ? EmbeddingSet.LoadPaired(paired)
                : Named(paired, () => EmbeddingSet.SplitModalities(Member(paired)));
        }
        if (line.Positionals.Count < 2)
            throw new UsageException($"{line.Command} needs two embedding files (images, then texts) or --paired FILE.");
        return (Set(line.Positionals[0]), Set(line.Positionals[1]));
    }

    public static FiberMetric Metric(CommandLine line) => line.Optional("metric") switch
    {
        null or "euclidean" => FiberMetric.Euclidean,
        "cosine" => FiberMetric.Cosine,
        "angular" => FiberMetric.Angular,
        var other => throw new UsageException($"--metric expects euclidean, cosine or angular; got '{other}'."),
    };

    public static FiberProductOptions Options(CommandLine line, bool pairs = false) => new()
    {
        MaxDegreeOfParallelism = line.Int("threads", 1) ?? -1,
        MaxPairs = pairs ? line.Long("max-pairs", 0) ?? FiberProductOptions.DefaultMaxPairs : FiberProductOptions.DefaultMaxPairs,
        TruncateAtBudget = pairs && line.Flag("truncate"),
    };

    private static EmbeddingSet Set(string spec) =>
        Path.GetExtension(Split(spec).Path).Equals(".npy", StringComparison.OrdinalIgnoreCase) && Split(spec).Member is null
            ? EmbeddingSet.Load(spec) : Named(spec, () => EmbeddingSet.FromArray(Member(spec)));

    /// <summary>Runs a conversion of an archive member, naming the member in its error.</summary>
    private static T Named<T>(string spec, Func<T> convert)
    {
        try { return convert(); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{spec}': {e.Message}", e); }
    }

    /// <summary>One array of a .npz archive.</summary>
    private static NpyArray Member(string spec)
    {
        var (path, member) = Split(spec);
        if (!File.Exists(path)) throw new FileNotFoundException($"No file '{path}'.", path);
        if (!Path.GetExtension(path).Equals(".npz", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"'{spec}': expected a .npy file or a .npz archive (by its extension).");
        var arrays = Npy.ReadNpz(path);
        if (member is not null)
            return arrays.TryGetValue(member, out var array) ? array
                : throw new InvalidDataException($"'{path}' has no array '{member}'; it has {string.Join(", ", arrays.Keys)}.");
        return arrays.Count == 1 ? arrays.Values.Single()
            : throw new UsageException($"'{path}' holds {arrays.Count} arrays ({string.Join(", ", arrays.Keys)}): name one as '{path}:name'.");
    }

    /// <summary>"dir/a.npz:images" → ("dir/a.npz", "images"); a colon belongs to the path unless it follows ".npz".</summary>
    private static (string Path, string? Member) Split(string spec)
    {
        int at = spec.LastIndexOf(".npz:", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? (spec, null) : (spec[..(at + 4)], spec[(at + 5)..]);
    }
}
