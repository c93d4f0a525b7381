using System.Globalization;
using System.Text.Json;
using FiberProduct.Fiber;
using FiberProduct.IO;

namespace FiberProduct.Export;

/// <summary>
/// One-call exports of results for downstream research code, in layouts NumPy, SciPy and pandas read directly
/// (docs/export.md shows the Python side).
/// </summary>
public static partial class ResultExport
{
    /// <summary>
    /// A pair set as .npz in SciPy's sparse layout, so <c>scipy.sparse.load_npz</c> reads it as a CSR matrix of
    /// distances: <c>indptr</c> (int64, N + 1), <c>indices</c> (int32), <c>data</c> (float64 distances), <c>shape</c>
    /// (int64 [N, M]) and <c>format</c> (the 0-d byte string b'csr' that load_npz dispatches on), plus
    /// <c>truncated</c> (uint8, 1 when the result hit its budget). A distance of exactly 0 is a stored entry, not a
    /// missing pair: compare the structure (<c>indices</c>, <c>indptr</c>), not <c>nonzero()</c>.
    /// </summary>
    /// <param name="pairs">The pairs to write (a truncated result is written as it is, flagged).</param>
    /// <param name="path">The .npz file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pairs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    /// <example>
    /// <code>
    /// var product = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine);
    /// ResultExport.SaveNpz(product.Pairs(epsilon: 0.3), "pairs.npz");
    /// // Python: z = numpy.load("pairs.npz"); scipy.sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=z["shape"])
    /// </code>
    /// </example>
    public static void SaveNpz(PairSet pairs, string path)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Npy.WriteNpz(path, PairArrays(pairs), compress: false);
    }

    /// <summary>SciPy's format tag; never written to, so one array serves every export.</summary>
    private static readonly string[] CsrTag = ["csr"];

    internal static Dictionary<string, NpyArray> PairArrays(PairSet pairs) => new()
    {
        ["indptr"] = new(pairs.RowOffsets.ToArray(), pairs.RowCount + 1),
        ["indices"] = new(pairs.Columns.ToArray(), (int)pairs.PairCount),
        ["data"] = new(pairs.Distances.ToArray(), (int)pairs.PairCount),
        ["shape"] = new(new long[] { pairs.RowCount, pairs.ColumnCount }, 2),
        ["format"] = new(CsrTag), // a 0-d '|S3' array, as scipy.sparse.save_npz writes it
        ["truncated"] = new(new byte[] { pairs.IsTruncated ? (byte)1 : (byte)0 }, 1),
    };

    /// <summary>A pair set as CSV with header <c>image,text,distance</c>, one pair per line, distances round-trippable.</summary>
    /// <param name="pairs">The pairs to write (a truncated result is written as it is, flagged).</param>
    /// <param name="path">The .csv file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pairs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveCsv(PairSet pairs, string path)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        using var writer = new StreamWriter(path);
        writer.WriteLine("image,text,distance");
        foreach (var pair in pairs)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pair.Image},{pair.Text},{pair.Distance:R}"));
    }

    /// <summary>A pair set as JSON: <c>{"rows", "columns", "truncated", "image": [...], "text": [...], "distance": [...]}</c> (columnar, as pandas.DataFrame reads it).</summary>
    /// <param name="pairs">The pairs to write (a truncated result is written as it is, flagged).</param>
    /// <param name="path">The .json file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pairs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveJson(PairSet pairs, string path)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        WriteJson(path, json =>
        {
            json.WriteNumber("rows", pairs.RowCount);
            json.WriteNumber("columns", pairs.ColumnCount);
            json.WriteBoolean("truncated", pairs.IsTruncated);
            WriteArray(json, "image", pairs.Select(p => (double)p.Image));
            WriteArray(json, "text", pairs.Select(p => (double)p.Text));
            WriteArray(json, "distance", pairs.Select(p => p.Distance));
        });
    }

    /// <summary>An ε-profile as .npz: <c>epsilon</c> (float64), <c>count</c> (int64) and, when kept, <c>distances</c> (float64, sorted).</summary>
    /// <param name="profile">The ε-profile to write.</param>
    /// <param name="path">The .npz file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveNpz(EpsilonProfile profile, string path)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var arrays = new Dictionary<string, NpyArray>
        {
            ["epsilon"] = new(profile.Epsilons.ToArray(), profile.Epsilons.Length),
            ["count"] = new(profile.Counts.ToArray(), profile.Counts.Length),
        };
        if (profile.HasDistances) arrays["distances"] = new(profile.SortedDistances.ToArray(), profile.SortedDistances.Length);
        Npy.WriteNpz(path, arrays, compress: false);
    }

    /// <summary>An ε-profile as CSV with header <c>epsilon,count</c>.</summary>
    /// <param name="profile">The ε-profile to write.</param>
    /// <param name="path">The .csv file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveCsv(EpsilonProfile profile, string path)
    {
        ArgumentNullException.ThrowIfNull(profile);
        using var writer = new StreamWriter(path);
        writer.WriteLine("epsilon,count");
        for (int t = 0; t < profile.Epsilons.Length; t++)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{profile.Epsilons[t]:R},{profile.Counts[t]}"));
    }

    /// <summary>An ε-profile as JSON: <c>{"epsilon": [...], "count": [...]}</c>.</summary>
    /// <param name="profile">The ε-profile to write.</param>
    /// <param name="path">The .json file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveJson(EpsilonProfile profile, string path)
    {
        ArgumentNullException.ThrowIfNull(profile);
        WriteJson(path, json =>
        {
            WriteArray(json, "epsilon", profile.Epsilons.ToArray());
            WriteArray(json, "count", profile.Counts.ToArray().Select(c => (double)c)); // counts stay exact below 2^53
        });
    }

    /// <summary>A named JSON array of numbers (integral values are written without a fraction).</summary>
    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<double> values)
    {
        json.WriteStartArray(name);
        foreach (double value in values) json.WriteNumberValue(value);
        json.WriteEndArray();
    }
}
