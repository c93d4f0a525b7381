using System.Globalization;
using FiberProduct.Embedding;
using PureHDF;

namespace FiberProduct.Formats;

/// <summary>
/// Embedding sets in HDF5 files, as h5py and MATLAB keep them: a 2-D dataset (N, d) of float32 or float64 values at a
/// path such as <c>"embeddings"</c> or <c>"clip/image"</c>, contiguous, chunked or compressed, either byte order.
/// Read and written through PureHDF.
/// </summary>
/// <remarks>
/// The set keeps the dataset's precision (float16 is widened exactly to float32, as for .npy). Every problem with the
/// file's content is an <see cref="InvalidDataException"/> whose message names the file and the dataset, and the row,
/// column and value where there is one: a missing dataset or a group at the path, integers, strings or compounds, a
/// shape other than (N, d), NaN or ±∞, and bytes PureHDF cannot decode (wrapped, as the inner exception). The
/// dataspace and type are checked against <see cref="FormatReadLimits.MaxArrayBytes"/> before any value is read.
/// </remarks>
/// <example>
/// <code>
/// var (images, texts) = Hdf5Embeddings.LoadPaired("clip.h5", "clip/image", "clip/text");
/// Hdf5Embeddings.Save("unit.h5", "embeddings", images.Normalize());
/// </code>
/// </example>
public static class Hdf5Embeddings
{
    /// <summary>Reads a 2-D float dataset of an HDF5 file.</summary>
    /// <param name="path">The HDF5 file.</param>
    /// <param name="dataset">The dataset's path inside the file, e.g. <c>"embeddings"</c> or
    /// <c>"clip/image"</c>.</param>
    /// <param name="limits">What reading may cost; <see cref="FormatReadLimits.Default"/> when null.</param>
    /// <returns>One row per point, in the dataset's precision.</returns>
    /// <exception cref="InvalidDataException">The file is not readable HDF5, the dataset is missing or is not a 2-D
    /// float dataset, a value is NaN or infinite, or a limit is exceeded; the message names file and
    /// dataset.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static EmbeddingSet Load(string path, string dataset, FormatReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dataset);
        using var stream = File.OpenRead(path);
        return Read(stream, path, dataset, limits ?? FormatReadLimits.Default);
    }

    /// <summary>Reads two 2-D float datasets of one HDF5 file as pairs, row i of each a pair, as
    /// <see cref="EmbeddingSet.LoadPaired(string)"/> does for a (2, N, d) .npy file.</summary>
    /// <param name="path">The HDF5 file.</param>
    /// <param name="imageDataset">The dataset of the images f(𝒫).</param>
    /// <param name="textDataset">The dataset of the texts g(𝒬).</param>
    /// <param name="limits">What reading may cost, for each dataset; <see cref="FormatReadLimits.Default"/>
    /// when null.</param>
    /// <returns>The two sets, each in its dataset's precision.</returns>
    /// <exception cref="InvalidDataException">As for <see cref="Load"/>, for either dataset.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static (EmbeddingSet Images, EmbeddingSet Texts) LoadPaired(string path, string imageDataset,
        string textDataset, FormatReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(imageDataset);
        ArgumentNullException.ThrowIfNull(textDataset);
        limits ??= FormatReadLimits.Default;
        using var stream = File.OpenRead(path);
        var images = Read(stream, path, imageDataset, limits);
        stream.Position = 0;
        return (images, Read(stream, path, textDataset, limits));
    }

    internal static EmbeddingSet Read(Stream stream, string file, string dataset, FormatReadLimits limits)
    {
        Exception Fail(string reason, Exception? inner = null) =>
            FormatError.Create(file, "dataset", dataset, reason, inner);
        Exception Refuse(string reason) => Fail(reason);
        try
        {
            CheckLength(stream, Refuse);
            stream.Position = 0;
            using var h5 = H5File.Open(stream, leaveOpen: true);
            if (!Exists(h5, dataset))
                throw Fail("no such dataset; the file has " + Describe(h5) + ".");
            if (h5.Get(dataset) is not IH5Dataset data)
                throw Fail("is a group, not a dataset.");
            var type = data.Type;
            var dimensions = data.Space.Dimensions;
            if (type.Class != H5DataTypeClass.FloatingPoint || type.Size is not (2 or 4 or 8))
                throw Fail(
                    $"holds {Name(type)} values; embeddings are float16, float32 or float64 (convert explicitly, e.g. "
                    + $"NumPy's astype(np.float32)).");
            if (dimensions.Length != 2)
                throw Fail(
                    Invariant($"has shape ({string.Join(", ", dimensions)}); embeddings are a 2-D dataset (N, d)."));
            ulong rows = dimensions[0], d = dimensions[1];
            if (d == 0)
                throw Fail(Invariant($"has shape ({rows}, 0); the dimension d must be at least 1."));
            int held = type.Size == 8 ? 8 : 4;
            // The dataspace bounds what PureHDF allocates and inflates: it is checked before any value is read.
            if (rows > (ulong)limits.MaxArrayBytes / d / (ulong)held)
                throw Fail(
                    Invariant($"has shape ({rows}, {d}): {rows * d} values of {held} bytes are more than ")
                    + Invariant($"FormatReadLimits.MaxArrayBytes ({limits.MaxArrayBytes})."));
            if (rows * d > (ulong)Array.MaxLength - 64)
                throw Fail(Invariant($"has shape ({rows}, {d}), more values than an embedding set holds."));
            int count = (int)rows, dimension = (int)d;
            return type.Size switch
            {
                8 => Checked(ReadValues<double>(data), count, dimension, Refuse,
                    v => new EmbeddingSet(v, count, dimension)),
                4 => Checked(ReadValues<float>(data), count, dimension, Refuse,
                    v => new EmbeddingSet(v, count, dimension)),
                _ => Checked(Array.ConvertAll(ReadValues<Half>(data), h => (float)h), count, dimension, Refuse,
                    v => new EmbeddingSet(v, count, dimension)),
            };
        }
        catch (Exception e) when (FormatError.IsContentError(e))
        {
            throw Fail($"not a readable HDF5 file or dataset ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r',
        (byte)'\n', 0x1A, (byte)'\n'];

    /// <summary>
    /// Refuses a file shorter than its superblock says, as libhdf5 does ("truncated file"): PureHDF reads only the
    /// objects it is asked for, so a cut file whose cut misses the dataset would otherwise read as whole. The
    /// superblock sits at 0, 512, 1024, 2048, … (after a user block); its end-of-file address, relative to the base
    /// address, is at byte 24 + 2·O (version 0), 28 + 2·O (version 1) or 12 + 2·O (versions 2 and 3), O being the
    /// size of offsets.
    /// </summary>
    private static void CheckLength(Stream stream, Func<string, Exception> fail)
    {
        long length = stream.Length;
        Span<byte> head = stackalloc byte[64];
        for (long at = 0; at + 8 <= length; at = at == 0 ? 512 : at * 2)
        {
            stream.Position = at;
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (read < 8 || !head[..8].SequenceEqual(Signature)) continue;
            int version = read > 8 ? head[8] : -1;
            int offsets = version switch { 0 or 1 => read > 13 ? head[13] : 0, 2 or 3 => read > 9
                ? head[9] : 0, _ => 0 };
            if (offsets is not (2 or 4 or 8))
                throw fail(string.Create(CultureInfo.InvariantCulture,
                    $"not a readable HDF5 file (superblock version {version}, size of offsets {offsets})."));
            int baseAt = version switch { 0 => 24, 1 => 28, _ => 12 };
            int eofAt = baseAt + 2 * offsets;
            if (read < eofAt + offsets)
                throw fail("not a readable HDF5 file (truncated in its superblock).");
            ulong baseAddress = Address(head.Slice(baseAt, offsets)), end = Address(head.Slice(eofAt, offsets));
            if (baseAddress > (ulong)length || end > (ulong)length - baseAddress)
                throw fail(string.Create(CultureInfo.InvariantCulture,
                    $"truncated: its superblock says it ends at byte {baseAddress + end}, but it has {length} bytes."));
            return;
        }
        throw fail("not an HDF5 file (no superblock signature).");
    }

    private static ulong Address(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--) value = value << 8 | bytes[i];
        return value;
    }

    /// <summary>
    /// The values in machine order. PureHDF 2.2 reads only little-endian floats and exposes no byte order, so a
    /// big-endian dataset (NumPy's '&gt;f8', written on purpose or by old tools) is recognised by PureHDF's refusal
    /// and read as its raw bytes, each value reversed.
    /// </summary>
    private static T[] ReadValues<T>(IH5Dataset data) where T : unmanaged
    {
        try
        {
            return data.Read<T[]>();
        }
        catch (Exception e) when (e.Message.Contains("Byte order", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = data.Read<byte[]>();
            int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            if (bytes.Length % size != 0)
                throw new InvalidDataException($"{bytes.Length} bytes are not whole values of {size} bytes.", e);
            for (int at = 0; at < bytes.Length; at += size) bytes.AsSpan(at, size).Reverse();
            return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();
        }
    }

    /// <summary>Refuses NaN and ±∞ with row, column and value before the set is made (whose own check would throw an
    /// <see cref="ArgumentException"/> without the file's name).</summary>
    private static EmbeddingSet Checked<T>(T[] values, int count, int dimension, Func<string, Exception> fail,
        Func<T[], EmbeddingSet> make)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        if (values.Length != (long)count * dimension)
            throw fail(Invariant($"holds {values.Length} values for shape ({count}, {dimension})."));
        for (int k = 0; k < values.Length; k++)
            if (!T.IsFinite(values[k]))
                throw fail(
                    Invariant($"the value at row {k / dimension}, column {k % dimension} is ")
                    + Invariant($"{FormatError.Number(double.CreateTruncating(values[k]))}; every value of an ")
                    + $"embedding must be finite.");
        return make(values);
    }

    /// <summary>Whether each group on the path exists and holds the next name: PureHDF throws on a missing
    /// intermediate group, which would otherwise read as a malformed file.</summary>
    private static bool Exists(PureHDF.VOL.Native.NativeFile root, string dataset)
    {
        var parts = dataset.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return false;
        IH5Group group = root;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!group.LinkExists(parts[i])) return false;
            if (i == parts.Length - 1) return true;
            if (group.Get(parts[i]) is not IH5Group next) return false;
            group = next;
        }
        return true;
    }

    /// <summary>The top-level names, for the message about a missing dataset.</summary>
    private static string Describe(PureHDF.VOL.Native.NativeFile root)
    {
        var names = root.Children().Take(20).Select(c => c is IH5Group ? $"group '{c.Name}'" : $"'{c.Name}'").ToList();
        return names.Count == 0 ? "no objects at its root" : string.Join(", ", names) + " at its root";
    }

    private static string Name(IH5DataType type) => type.Class switch
    {
        H5DataTypeClass.FloatingPoint => Invariant($"{type.Size * 8}-bit floating-point"),
        H5DataTypeClass.FixedPoint => Invariant($"{type.Size * 8}-bit integer"),
        _ => type.Class.ToString().ToLowerInvariant(),
    };

    /// <summary>Writes an embedding set as a 2-D dataset (N, d) of an HDF5 file, in the set's own precision.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="dataset">The dataset's path, e.g. <c>"embeddings"</c>; groups on the path are created.</param>
    /// <param name="embeddings">The set.</param>
    /// <exception cref="ArgumentException">The dataset path is empty.</exception>
    public static void Save(string path, string dataset, EmbeddingSet embeddings) =>
        SaveAll(path, [(dataset, embeddings)]);

    /// <summary>Writes two embedding sets as two datasets of one HDF5 file, row i of each a pair.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="images">The images f(𝒫).</param>
    /// <param name="texts">The texts g(𝒬), as many rows as <paramref name="images"/>.</param>
    /// <param name="imageDataset">The images' dataset path.</param>
    /// <param name="textDataset">The texts' dataset path.</param>
    /// <exception cref="ArgumentException">The sets differ in size, or the paths are empty or equal.</exception>
    public static void SavePaired(string path, EmbeddingSet images, EmbeddingSet texts,
        string imageDataset = "images", string textDataset = "texts")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (images.Count != texts.Count)
            throw new ArgumentException(
                Invariant($"The images have {images.Count} rows, the texts {texts.Count}: pairs need equal rows."),
                nameof(texts));
        SaveAll(path, [(imageDataset, images), (textDataset, texts)]);
    }

    private static void SaveAll(string path, IReadOnlyList<(string Dataset, EmbeddingSet Set)> datasets)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = new H5File();
        foreach (var (name, set) in datasets)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, "dataset");
            ArgumentNullException.ThrowIfNull(set, name);
            var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) throw new ArgumentException($"'{name}' names no dataset.", nameof(datasets));
            H5Group group = file;
            foreach (var part in parts[..^1])
            {
                if (!group.TryGetValue(part, out var child))
                    group[part] = child = new H5Group();
                group = child as H5Group
                    ?? throw new ArgumentException($"'{name}' passes through another dataset.", nameof(datasets));
            }
            if (group.ContainsKey(parts[^1]))
                throw new ArgumentException($"The dataset paths must differ; '{name}' is given twice.",
                    nameof(datasets));
            ulong[] shape = [(ulong)set.Count, (ulong)set.Dimension];
            group[parts[^1]] = set.Precision == EmbeddingPrecision.Float32
                ? new H5Dataset(set.Values.ToArray(), fileDims: shape)
                : new H5Dataset(set.DoubleValues.ToArray(), fileDims: shape);
        }
        file.Write(path);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
