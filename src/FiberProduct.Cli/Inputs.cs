using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Formats;
using FiberProduct.IO;

namespace FiberProduct.Cli;

/// <summary>
/// The embeddings a command reads: two sources (images, texts) or one paired source given with <c>--paired</c>.
/// A source is a file, and for containers the array in it: <c>a.npy</c>; <c>a.npz:name</c> (the name may be left out
/// when the archive holds one array); <c>a.parquet:column</c> (a list-of-floats column, as Hugging Face datasets store
/// embeddings); <c>a.h5:/dataset</c> (or .hdf5). Paired: <c>a.npy</c> or <c>a.npz:name</c> of shape (2, N, d),
/// <c>a.parquet:images,texts</c> or <c>a.h5:/images,/texts</c>. float32 stays float32 and float64 stays float64.
/// </summary>
internal static class Inputs
{
    public static (EmbeddingSet Images, EmbeddingSet Texts) Load(CommandLine line)
    {
        string? paired = line.Optional("paired");
        if (paired is not null)
        {
            if (line.Positionals.Count > 0)
                throw new UsageException(
                    $"Give either --paired FILE or two files, not both (got '{line.Positionals[0]}').");
            return Paired(paired);
        }
        if (line.Positionals.Count < 2)
            throw new UsageException(
                $"{line.Command} needs two embedding files (images, then texts) or --paired FILE.");
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
        MaxPairs = pairs ? line.Long("max-pairs", 0) ?? FiberProductOptions.DefaultMaxPairs
            : FiberProductOptions.DefaultMaxPairs,
        TruncateAtBudget = pairs && line.Flag("truncate"),
    };

    private static EmbeddingSet Set(string spec)
    {
        var (path, format, member) = Parse(spec);
        return format switch
        {
            ".npy" when member is null => EmbeddingSet.Load(path),
            ".npz" => Named(spec, () => EmbeddingSet.FromArray(NpzMember(spec, path, member))),
            ".parquet" => ParquetEmbeddings.Load(path, Required(spec, member, "column")),
            ".h5" => Hdf5Embeddings.Load(path, Required(spec, member, "dataset")),
            _ => throw Unknown(spec),
        };
    }

    private static (EmbeddingSet Images, EmbeddingSet Texts) Paired(string spec)
    {
        var (path, format, member) = Parse(spec);
        return format switch
        {
            ".npy" when member is null => EmbeddingSet.LoadPaired(path),
            ".npz" => Named(spec, () => EmbeddingSet.SplitModalities(NpzMember(spec, path, member))),
            ".parquet" => Two(spec, member, "columns", (a, b) => ParquetEmbeddings.LoadPaired(path, a, b)),
            ".h5" => Two(spec, member, "datasets", (a, b) => Hdf5Embeddings.LoadPaired(path, a, b)),
            _ => throw Unknown(spec),
        };
    }

    /// <summary>"dir/a.npz:images" → ("dir/a.npz", ".npz", "images"); a colon belongs to the path unless it follows a
    /// container's extension.</summary>
    private static (string Path, string Format, string? Member) Parse(string spec)
    {
        foreach (var (extension, format) in new[] { (".npz", ".npz"), (".parquet", ".parquet"),
            (".hdf5", ".h5"), (".h5", ".h5") })
        {
            int at = spec.LastIndexOf(extension + ":", StringComparison.OrdinalIgnoreCase);
            if (at >= 0) return (spec[..(at + extension.Length)], format, spec[(at + extension.Length + 1)..]);
        }
        string plain = Path.GetExtension(spec).ToLowerInvariant();
        return (spec, plain == ".hdf5" ? ".h5" : plain, null);
    }

    private static UsageException Unknown(string spec) => new(
        $"'{spec}': expected a .npy file, or archive.npz[:name], table.parquet:column, or file.h5:/dataset.");

    private static string Required(string spec, string? member, string what) =>
        string.IsNullOrEmpty(member)
            ? throw new UsageException($"'{spec}': name the {what} as '{spec}:{what}'.") : member;

    private static (EmbeddingSet, EmbeddingSet) Two(string spec, string? member, string what,
        Func<string, string, (EmbeddingSet, EmbeddingSet)> load) =>
        member?.Split(',') is [var images, var texts] && images.Length > 0 && texts.Length > 0 ? load(images, texts)
            : throw new UsageException($"'{spec}': name the two {what} as 'FILE:images,texts'.");

    /// <summary>Runs a conversion of an archive member, naming the member in its error.</summary>
    private static T Named<T>(string spec, Func<T> convert)
    {
        try { return convert(); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{spec}': {e.Message}", e); }
    }

    private static NpyArray NpzMember(string spec, string path, string? member)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No file '{path}'.", path);
        var arrays = Npy.ReadNpz(path);
        if (!string.IsNullOrEmpty(member))
            return arrays.TryGetValue(member, out var array) ? array
                : throw new InvalidDataException(
                    $"'{path}' has no array '{member}'; it has {string.Join(", ", arrays.Keys)}.");
        return arrays.Count == 1 ? arrays.Values.Single()
            : throw new UsageException(
                $"'{spec}' holds {arrays.Count} arrays ({string.Join(", ", arrays.Keys)}): name one as '{path}:name'.");
    }
}
