using System.Globalization;
using System.Text.Json;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Export;
using FiberProduct.Fiber;
using FiberProduct.IO;

namespace FiberProduct.OutOfCore;

/// <summary>An input of an out-of-core join as its manifest records it.</summary>
/// <param name="Path">The file, as it was opened.</param>
/// <param name="Part">Which half of a paired (2, N, d) file, or null for an (N, d) file.</param>
/// <param name="Count">The number of rows.</param>
/// <param name="Dimension">The dimension d.</param>
/// <param name="Precision">The precision the file stores.</param>
/// <param name="Fingerprint">The content fingerprint (<see cref="MappedEmbeddingSet.Fingerprint"/>).</param>
public sealed record ShardInput(string Path, Modality? Part, int Count, int Dimension, EmbeddingPrecision Precision,
    string Fingerprint)
{
    internal static ShardInput Of(MappedEmbeddingSet set, CancellationToken token) =>
        new(set.Path, set.Part, set.Count, set.Dimension, set.Precision, set.Fingerprint(token));

    /// <summary>Whether this records the same content: rows, dimension, precision and fingerprint (not the path,
    /// so a moved or copied file still resumes).</summary>
    internal bool SameContent(ShardInput other) =>
        (Count, Dimension, Precision, Fingerprint)
        == (other.Count, other.Dimension, other.Precision, other.Fingerprint);

    internal string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"'{Path}'{(Part is { } p ? $" ({p})" : "")}, {Count} × {Dimension} {Precision}, {Fingerprint}");
}

/// <summary>
/// One completed block pair of an out-of-core join: the pairs of image rows [ImageStart, ImageStart + ImageRows) and
/// text rows [TextStart, TextStart + TextRows), stored in <see cref="File"/> as a SciPy CSR matrix with block-local
/// indices (row r is image ImageStart + r, column c is text TextStart + c).
/// </summary>
/// <param name="ImageBlock">The image block's index.</param>
/// <param name="TextBlock">The text block's index.</param>
/// <param name="ImageStart">The first image row of the block.</param>
/// <param name="ImageRows">The image rows of the block.</param>
/// <param name="TextStart">The first text row of the block.</param>
/// <param name="TextRows">The text rows of the block.</param>
/// <param name="File">The shard's file name, in the manifest's folder.</param>
/// <param name="Pairs">The pairs the shard holds.</param>
public sealed record PairShard(int ImageBlock, int TextBlock, int ImageStart, int ImageRows, int TextStart,
    int TextRows, string File, long Pairs);

/// <summary>
/// The manifest of an out-of-core join (<see cref="OutOfCoreFiberProduct.Pairs"/>): its inputs with their sizes and
/// content fingerprints, ε, the metric, the block sizes, and the block pairs completed so far with their pair counts.
/// Stored as <see cref="FileName"/> (JSON) beside the shards; <see cref="ReadPairs"/> assembles the shards into one
/// <see cref="PairSet"/>.
/// </summary>
/// <example>
/// <code>
/// var manifest = ShardManifest.Read("pairs/");
/// Console.WriteLine($"{manifest.Shards.Count} of {manifest.ImageBlocks * manifest.TextBlocks} blocks, "
///     + $"{manifest.PairCount} pairs{(manifest.IsComplete ? "" : " so far")}");
/// PairSet all = manifest.ReadPairs();   // when it is complete and fits in memory
/// </code>
/// </example>
public sealed class ShardManifest
{
    /// <summary>The manifest's file name in its folder.</summary>
    public const string FileName = "manifest.json";

    private const string Format = "fiberproduct-out-of-core-pairs";
    private const int Version = 1;
    private readonly List<PairShard> shards;

    internal ShardManifest(string directory, ShardInput images, ShardInput texts, double epsilon, FiberMetric metric,
        int imageBlockRows, int textBlockRows, IEnumerable<PairShard> shards, bool complete)
    {
        Directory = directory;
        Images = images;
        Texts = texts;
        Epsilon = epsilon;
        Metric = metric;
        ImageBlockRows = imageBlockRows;
        TextBlockRows = textBlockRows;
        this.shards = [.. shards];
        IsComplete = complete;
    }

    /// <summary>The folder of the manifest and its shards.</summary>
    public string Directory { get; }

    /// <summary>The images (rows of the pairs).</summary>
    public ShardInput Images { get; }

    /// <summary>The texts (columns of the pairs).</summary>
    public ShardInput Texts { get; }

    /// <summary>The tolerance ε the pairs are within.</summary>
    public double Epsilon { get; }

    /// <summary>The metric of ε.</summary>
    public FiberMetric Metric { get; }

    /// <summary>Image rows per block (the last block may be shorter).</summary>
    public int ImageBlockRows { get; }

    /// <summary>Text rows per block (the last block may be shorter).</summary>
    public int TextBlockRows { get; }

    /// <summary>The number of image blocks.</summary>
    public int ImageBlocks => BlockPlan.Blocks(Images.Count, ImageBlockRows);

    /// <summary>The number of text blocks.</summary>
    public int TextBlocks => BlockPlan.Blocks(Texts.Count, TextBlockRows);

    /// <summary>The completed block pairs, in the order they completed.</summary>
    public IReadOnlyList<PairShard> Shards => shards;

    /// <summary>Whether every block pair has completed.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>The pairs in the completed shards.</summary>
    public long PairCount => shards.Sum(s => s.Pairs);

    internal string PathOf(string file) => System.IO.Path.Combine(Directory, file);

    internal void Add(PairShard shard) => shards.Add(shard);

    internal void Complete() => IsComplete = true;

    /// <summary>Reads the manifest of a folder an out-of-core join wrote.</summary>
    /// <param name="directory">The folder holding <see cref="FileName"/>.</param>
    /// <returns>The manifest as last written (a join in progress or interrupted shows the blocks completed so
    /// far).</returns>
    /// <exception cref="FileNotFoundException">The folder holds no manifest.</exception>
    /// <exception cref="InvalidDataException">The manifest is not one this library wrote, or a value in it is
    /// missing or out of range (the message names the file and the field).</exception>
    public static ShardManifest Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string path = System.IO.Path.Combine(directory, FileName);
        var bytes = File.ReadAllBytes(path);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return FromJson(directory, document.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': not a JSON manifest ({e.Message}).", e);
        }
    }

    private static ShardManifest FromJson(string directory, JsonElement root, string path)
    {
        InvalidDataException Bad(string what) => new($"'{path}': {what}");
        JsonElement Field(JsonElement parent, string name) =>
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value
                : throw Bad($"the field '{name}' is missing.");
        string Text(JsonElement parent, string name) => Field(parent, name) is { ValueKind: JsonValueKind.String } v
            ? v.GetString()! : throw Bad($"the field '{name}' is not a string.");
        long Integer(JsonElement parent, string name, long min, long max) =>
            Field(parent, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out long n) && n >= min
            && n <= max ? n : throw Bad(string.Create(CultureInfo.InvariantCulture,
                $"the field '{name}' is not an integer in {min} … {max}: {Field(parent, name).GetRawText()}."));
        // Not generic: the architecture test's reader (ArchUnitNET) cannot place a generic local function.
        object Named(JsonElement parent, string name, Type type) =>
            Enum.TryParse(type, Text(parent, name), ignoreCase: false, out var value) && Enum.IsDefined(type, value!)
                ? value! : throw Bad($"the field '{name}' is not a {type.Name}: '{Text(parent, name)}'.");
        ShardInput Input(string name)
        {
            var input = Field(root, name);
            var part = Field(input, "part");
            return new ShardInput(Text(input, "path"),
                part.ValueKind == JsonValueKind.Null ? null : (Modality)Named(input, "part", typeof(Modality)),
                (int)Integer(input, "rows", 0, int.MaxValue), (int)Integer(input, "dimension", 1, int.MaxValue),
                (EmbeddingPrecision)Named(input, "precision", typeof(EmbeddingPrecision)), Text(input, "fingerprint"));
        }

        if (Field(root, "format") is not { ValueKind: JsonValueKind.String } format || format.GetString() != Format
            || Integer(root, "version", 0, int.MaxValue) != Version)
            throw Bad($"not a manifest of FiberProduct's out-of-core join (format '{Format}', version {Version}).");
        var (images, texts) = (Input("images"), Input("texts"));
        var epsilonField = Field(root, "epsilon");
        double epsilon = epsilonField.ValueKind == JsonValueKind.String && epsilonField.GetString() == "Infinity"
            ? double.PositiveInfinity
            : epsilonField.ValueKind == JsonValueKind.Number && epsilonField.TryGetDouble(out double e) && e >= 0 ? e
            : throw Bad($"the field 'epsilon' is not a tolerance ≥ 0 or \"Infinity\": {epsilonField.GetRawText()}.");
        int imageRows = (int)Integer(root, "imageBlockRows", 1, int.MaxValue);
        int textRows = (int)Integer(root, "textBlockRows", 1, int.MaxValue);
        var metric = (FiberMetric)Named(root, "metric", typeof(FiberMetric));
        var manifest = new ShardManifest(directory, images, texts, epsilon, metric,
            imageRows, textRows, [], Field(root, "complete").ValueKind == JsonValueKind.True);
        var blocks = Field(root, "blocks");
        if (blocks.ValueKind != JsonValueKind.Array) throw Bad("the field 'blocks' is not an array.");
        var seen = new HashSet<(int, int)>();
        foreach (var block in blocks.EnumerateArray())
        {
            int a = (int)Integer(block, "image", 0, manifest.ImageBlocks - 1);
            int b = (int)Integer(block, "text", 0, manifest.TextBlocks - 1);
            if (!seen.Add((a, b)))
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"block ({a}, {b}) is listed twice."));
            var shard = manifest.Shard(a, b, Integer(block, "pairs", 0, long.MaxValue));
            if (Text(block, "file") != shard.File)
                throw Bad($"block ({a}, {b}) names the file '{Text(block, "file")}', not '{shard.File}'.");
            manifest.Add(shard);
        }
        if (manifest.IsComplete && manifest.shards.Count != (long)manifest.ImageBlocks * manifest.TextBlocks)
            throw Bad("it is marked complete, but blocks are missing.");
        return manifest;
    }

    /// <summary>The record of block pair (a, b) with its pair count.</summary>
    internal PairShard Shard(int a, int b, long pairs)
    {
        int imageStart = a * ImageBlockRows, textStart = b * TextBlockRows;
        return new PairShard(a, b, imageStart, Math.Min(ImageBlockRows, Images.Count - imageStart), textStart,
            Math.Min(TextBlockRows, Texts.Count - textStart),
            FileOf(a, b), pairs);
    }

    /// <summary>The file name of block pair (a, b)'s shard.</summary>
    internal static string FileOf(int a, int b) =>
        string.Create(CultureInfo.InvariantCulture, $"pairs-{a:D5}-{b:D5}.npz");

    /// <summary>Writes the manifest to a temporary file, flushes it to disk and renames it over the last one, so
    /// that a crash leaves either the old manifest or the new one.</summary>
    internal void Write()
    {
        Durable.Replace(PathOf(FileName), stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", Version);
            WriteInput(json, "images", Images);
            WriteInput(json, "texts", Texts);
            if (double.IsPositiveInfinity(Epsilon)) json.WriteString("epsilon", "Infinity");
            else json.WriteNumber("epsilon", Epsilon); // the shortest text that reads back to the same double
            json.WriteString("metric", Metric.ToString());
            json.WriteNumber("imageBlockRows", ImageBlockRows);
            json.WriteNumber("textBlockRows", TextBlockRows);
            json.WriteNumber("imageBlocks", ImageBlocks);
            json.WriteNumber("textBlocks", TextBlocks);
            json.WriteBoolean("complete", IsComplete);
            json.WriteNumber("pairs", PairCount);
            json.WriteStartArray("blocks");
            foreach (var shard in shards)
            {
                json.WriteStartObject();
                json.WriteNumber("image", shard.ImageBlock);
                json.WriteNumber("text", shard.TextBlock);
                json.WriteNumber("imageStart", shard.ImageStart);
                json.WriteNumber("imageRows", shard.ImageRows);
                json.WriteNumber("textStart", shard.TextStart);
                json.WriteNumber("textRows", shard.TextRows);
                json.WriteString("file", shard.File);
                json.WriteNumber("pairs", shard.Pairs);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void WriteInput(Utf8JsonWriter json, string name, ShardInput input)
    {
        json.WriteStartObject(name);
        json.WriteString("path", System.IO.Path.GetFullPath(input.Path));
        if (input.Part is { } part) json.WriteString("part", part.ToString());
        else json.WriteNull("part");
        json.WriteNumber("rows", input.Count);
        json.WriteNumber("dimension", input.Dimension);
        json.WriteString("precision", input.Precision.ToString());
        json.WriteString("fingerprint", input.Fingerprint);
        json.WriteEndObject();
    }

    /// <summary>
    /// All pairs of a complete join as one pair set (image rows, text columns, float64 distances): the union of the
    /// shards, which is the in-memory join's <see cref="ApproximateFiberProduct.Pairs"/>. Reads each shard twice
    /// (counts, then pairs), so memory holds the result and one shard.
    /// </summary>
    /// <returns>F_ε in compressed sparse row form, N rows with their texts in increasing order.</returns>
    /// <exception cref="InvalidOperationException">The join has not completed.</exception>
    /// <exception cref="ResultBudgetExceededException">The pairs are more than a pair set holds
    /// (<see cref="Array.MaxLength"/>).</exception>
    /// <exception cref="InvalidDataException">A shard is missing its arrays, or they disagree with the manifest (the
    /// message names the shard).</exception>
    /// <exception cref="FileNotFoundException">A shard the manifest lists is missing.</exception>
    public PairSet ReadPairs()
    {
        if (!IsComplete)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The join in '{Directory}' has completed {shards.Count} of {(long)ImageBlocks * TextBlocks} blocks; "
                + $"resume it (OutOfCoreFiberProduct.Pairs with the same inputs and folder) before reading its "
                + $"pairs."));
        if (PairCount > Array.MaxLength) throw new ResultBudgetExceededException(Array.MaxLength);
        var ordered = shards.OrderBy(s => s.TextBlock).ThenBy(s => s.ImageBlock).ToList();
        var offsets = new long[Images.Count + 1];
        foreach (var shard in ordered)
        {
            var (indptr, _, _) = ReadShard(shard);
            for (int r = 0; r < shard.ImageRows; r++) offsets[shard.ImageStart + r + 1] += indptr[r + 1] - indptr[r];
        }
        for (int i = 0; i < Images.Count; i++) offsets[i + 1] += offsets[i];
        var columns = new int[PairCount];
        var distances = new double[PairCount];
        var next = offsets[..^1];
        // Text blocks in increasing order, each row's columns increasing within a shard: every row ends up sorted.
        foreach (var shard in ordered)
        {
            var (indptr, indices, data) = ReadShard(shard);
            for (int r = 0; r < shard.ImageRows; r++)
                for (long p = indptr[r]; p < indptr[r + 1]; p++)
                {
                    long at = next[shard.ImageStart + r]++;
                    columns[at] = shard.TextStart + indices[p];
                    distances[at] = data[p];
                }
        }
        return new PairSet(Texts.Count, offsets, columns, distances, isTruncated: false);
    }

    /// <summary>A block pair's pairs as a SciPy CSR shard with block-local indices, plus where the block starts,
    /// replaced whole (<see cref="Durable"/>): the one writer of the shard format, for the out-of-core join and the
    /// distributed one.</summary>
    internal static void WriteShard(string path, PairSet pairs, PairShard shard)
    {
        var arrays = ResultExport.PairArrays(pairs);
        arrays["row_start"] = new NpyArray(new long[] { shard.ImageStart }, 1);
        arrays["column_start"] = new NpyArray(new long[] { shard.TextStart }, 1);
        Durable.Replace(path, stream => Npy.WriteNpz(stream, arrays, compress: false));
    }

    /// <summary>A shard's CSR arrays, checked against its record.</summary>
    internal (long[] Indptr, int[] Indices, double[] Data) ReadShard(PairShard shard)
    {
        string path = PathOf(shard.File);
        var arrays = Npy.ReadNpz(path);
        InvalidDataException Bad(string what) => new($"'{path}': {what}");
        Array Get(string name, Type type) => arrays.TryGetValue(name, out var a) && a.Data.GetType() == type ? a.Data
            : throw Bad($"the array '{name}' is missing or of another type.");
        var (shape, indptr) = ((long[])Get("shape", typeof(long[])), (long[])Get("indptr", typeof(long[])));
        var (indices, data) = ((int[])Get("indices", typeof(int[])), (double[])Get("data", typeof(double[])));
        if (shape.Length != 2 || shape[0] != shard.ImageRows || shape[1] != shard.TextRows
            || indptr.Length != shard.ImageRows + 1 || indptr[0] != 0 || indptr[^1] != shard.Pairs
            || indices.Length != shard.Pairs || data.Length != shard.Pairs)
            throw Bad(string.Create(CultureInfo.InvariantCulture,
                $"its arrays do not hold the {shard.Pairs} pairs of a {shard.ImageRows} × {shard.TextRows} block the "
                + $"manifest records."));
        for (int r = 0; r < shard.ImageRows; r++)
        {
            if (indptr[r + 1] < indptr[r])
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"indptr falls at row {r}."));
            for (long p = indptr[r]; p < indptr[r + 1]; p++)
                if ((uint)indices[p] >= (uint)shard.TextRows || p > indptr[r] && indices[p] <= indices[p - 1])
                    throw Bad(string.Create(CultureInfo.InvariantCulture,
                        $"the columns of row {r} are not increasing within 0 … {shard.TextRows - 1}."));
        }
        return (indptr, indices, data);
    }

    /// <summary>The folder, the block progress and the pair count, for logs and the debugger.</summary>
    /// <returns>For instance "ShardManifest 'pairs/': 12 of 16 blocks, 40312 pairs (Euclidean, ε = 1.2)".</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ShardManifest '{Directory}': {shards.Count} of {(long)ImageBlocks * TextBlocks} blocks, {PairCount} pairs "
        + $"({Metric}, ε = {Epsilon:R})");
}
