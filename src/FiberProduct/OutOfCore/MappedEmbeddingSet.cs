using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.IO;

namespace FiberProduct.OutOfCore;

/// <summary>
/// An embedding set that stays on disk: the rows of a C-order .npy file of float32 or float64 values, shape (N, d),
/// or one half of a paired file (2, N, d), memory-mapped read-only. Opening reads and checks the header only (by the
/// same parser and rules as <see cref="Npy.Read(string)"/>); rows are read when asked for, as spans over the mapping
/// (<see cref="Rows"/>, <see cref="DoubleRows"/>) or as in-memory <see cref="EmbeddingSet"/> blocks in the file's own
/// precision (<see cref="Load"/>), so a file larger than the process may hold is read a block at a time.
/// </summary>
/// <remarks>
/// <para>Memory: the mapping takes address space, not heap; the pages read are the operating system's file cache,
/// which it evicts under pressure. The managed memory is what <see cref="Load"/> copies, each block checked against
/// <see cref="NpyReadLimits.MaxArrayBytes"/> of the limits the set was opened with.</para>
/// <para>Every failure caused by the file's bytes when opening is an <see cref="InvalidDataException"/> whose message
/// names the file and the value (docs/hostile-input.md). The file must not be truncated or rewritten while it is
/// open: it is opened with <see cref="FileShare.Read"/>, which Windows enforces and Unix only advises, and reading a
/// mapped page a truncation removed stops the process.</para>
/// <para>Reads are safe from several threads at once; <see cref="Dispose"/> must not run beside them, and a span
/// from <see cref="Rows"/> must not be used after it.</para>
/// </remarks>
/// <example>
/// <code>
/// // Python: np.save("texts.npy", texts.astype(np.float32))   # (N, d), C order, any size
/// using var texts = MappedEmbeddingSet.Open("texts.npy");
/// EmbeddingSet block = texts.Load(start: 100_000, count: 4096);   // rows 100,000 … 104,095, float32 as stored
/// ReadOnlySpan&lt;float&gt; row = texts.Rows(7, 1);                 // row 7, read in place
/// </code>
/// </example>
public sealed unsafe class MappedEmbeddingSet : IDisposable
{
    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* rows;
    private readonly bool swap;
    private readonly int itemSize;
    private readonly string dtype;
    private readonly NpyReadLimits limits;
    private int disposed;

    private MappedEmbeddingSet(string path, FileStream stream, NpyHeader header, long firstRow, int count,
        int dimension, Modality? part, NpyReadLimits limits)
    {
        Path = path;
        Count = count;
        Dimension = dimension;
        Part = part;
        this.limits = limits;
        itemSize = header.ItemSize;
        swap = header.BigEndian == BitConverter.IsLittleEndian;
        Precision = header.Type == NpyElementType.Float32 ? EmbeddingPrecision.Float32 : EmbeddingPrecision.Float64;
        dtype = (header.BigEndian ? ">" : "<") + (itemSize == 4 ? "f4" : "f8");
        file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
            HandleInheritability.None, leaveOpen: false);
        view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        rows = start + view.PointerOffset + header.HeaderBytes + firstRow * dimension * itemSize;
    }

    /// <summary>Opens an (N, d) .npy file of float32 or float64 values, C order, with the default limits.</summary>
    /// <param name="path">The .npy file.</param>
    /// <returns>The mapped set; dispose it to unmap the file.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file, its shape is not (N, d) with d ≥ 1,
    /// its dtype is not float32 or float64, it is in Fortran order, or its length differs from what the header
    /// declares (the message names the file and the value).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static MappedEmbeddingSet Open(string path) => Open(path, NpyReadLimits.Default);

    /// <summary>Opens an (N, d) .npy file of float32 or float64 values, C order, within the caller's limits.</summary>
    /// <param name="path">The .npy file.</param>
    /// <param name="limits">The header length, and the bytes one <see cref="Load"/> may copy into memory
    /// (<see cref="NpyReadLimits.MaxArrayBytes"/>).</param>
    /// <returns>The mapped set; dispose it to unmap the file.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file, its shape is not (N, d) with d ≥ 1,
    /// its dtype is not float32 or float64, it is in Fortran order, or its length differs from what the header
    /// declares (the message names the file and the value).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static MappedEmbeddingSet Open(string path, NpyReadLimits limits)
    {
        var (stream, header) = ReadHeader(path, limits);
        try
        {
            if (header.Shape.Length != 2)
                throw Fail(path, string.Create(CultureInfo.InvariantCulture, $"the shape {NpyData.Tuple(header.Shape)} "
                    + $"is not (N, d); a paired file (2, N, d) opens with MappedEmbeddingSet.OpenPaired."));
            int count = header.Shape[0], dimension = Dimension1(path, header, header.Shape[1]);
            return new MappedEmbeddingSet(path, stream, header, 0, count, dimension, null, limits);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens a paired (2, N, d) .npy file of float32 or float64 values, C order, with the default limits:
    /// [0] the images f(𝒫), [1] the texts g(𝒬), row i of each a pair (the layout of
    /// <see cref="EmbeddingSet.LoadPaired(string)"/>).</summary>
    /// <param name="path">The .npy file.</param>
    /// <returns>The two halves, each mapped on its own; dispose both.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file, its shape is not (2, N, d) with
    /// d ≥ 1, its dtype is not float32 or float64, it is in Fortran order, or its length differs from what the header
    /// declares (the message names the file and the value).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static (MappedEmbeddingSet Images, MappedEmbeddingSet Texts) OpenPaired(string path) =>
        OpenPaired(path, NpyReadLimits.Default);

    /// <summary>Opens a paired (2, N, d) .npy file of float32 or float64 values, C order, within the caller's
    /// limits.</summary>
    /// <param name="path">The .npy file.</param>
    /// <param name="limits">The header length, and the bytes one <see cref="Load"/> may copy into memory.</param>
    /// <returns>The images ([0]) and the texts ([1]), each mapped on its own; dispose both.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file, its shape is not (2, N, d) with
    /// d ≥ 1, its dtype is not float32 or float64, it is in Fortran order, or its length differs from what the header
    /// declares (the message names the file and the value).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static (MappedEmbeddingSet Images, MappedEmbeddingSet Texts) OpenPaired(string path, NpyReadLimits limits)
    {
        MappedEmbeddingSet? images = null;
        var (stream, header) = ReadHeader(path, limits);
        try
        {
            if (header.Shape.Length != 3 || header.Shape[0] != 2)
                throw Fail(path, string.Create(CultureInfo.InvariantCulture, $"the shape {NpyData.Tuple(header.Shape)} "
                    + $"is not (2, N, d); an (N, d) file opens with MappedEmbeddingSet.Open."));
            int count = header.Shape[1], dimension = Dimension1(path, header, header.Shape[2]);
            images = new MappedEmbeddingSet(path, stream, header, 0, count, dimension, Modality.Images, limits);
            var (second, _) = ReadHeader(path, limits);
            try
            {
                return (images, new MappedEmbeddingSet(path, second, header, count, count, dimension, Modality.Texts,
                    limits));
            }
            catch
            {
                second.Dispose();
                throw;
            }
        }
        catch
        {
            if (images is null) stream.Dispose();
            else images.Dispose();
            throw;
        }
    }

    /// <summary>Reads and checks the header with the .npy reader's own parser and rules; the stream is left open for
    /// the mapping.</summary>
    private static (FileStream Stream, NpyHeader Header) ReadHeader(string path, NpyReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(limits);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var header = NpyHeader.Read(stream, limits, reason => Fail(path, reason), mapped: true);
            if (header.Type is not (NpyElementType.Float32 or NpyElementType.Float64))
                throw Fail(path, $"the dtype is {header.Type}; a mapped embedding set reads float32 ('<f4') or "
                    + "float64 ('<f8') values, as stored (convert with astype(np.float32), or read float16 with "
                    + "EmbeddingSet.Load).");
            if (header.Fortran)
                throw Fail(path, "the array is in Fortran (column-major) order, so its rows are not contiguous; "
                    + "save it in C order (np.ascontiguousarray).");
            long follow = stream.Length - header.HeaderBytes;
            if (follow != header.DataBytes)
                throw Fail(path, NpyData.Claim(header)
                    + string.Create(CultureInfo.InvariantCulture, $", but {follow} follow the header."));
            return (stream, header);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static int Dimension1(string path, NpyHeader header, int dimension) => dimension >= 1 ? dimension
        : throw Fail(path, string.Create(CultureInfo.InvariantCulture,
            $"the shape {NpyData.Tuple(header.Shape)} has dimension d = 0; an embedding needs d ≥ 1."));

    private static InvalidDataException Fail(string path, string reason) => NpyError.Create(path, null, reason);

    /// <summary>The file, as given to <see cref="Open(string)"/> or <see cref="OpenPaired(string)"/>.</summary>
    public string Path { get; }

    /// <summary>Which half of a paired file this is, or null for an (N, d) file.</summary>
    public Modality? Part { get; }

    /// <summary>The number of rows N.</summary>
    public int Count { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The precision the file stores, which <see cref="Load"/> keeps.</summary>
    public EmbeddingPrecision Precision { get; }

    /// <summary>The bytes of one row, d times 4 or 8.</summary>
    public long RowBytes => (long)Dimension * itemSize;

    /// <summary>Rows [<paramref name="start"/>, start + <paramref name="count"/>) of a float32 set, read in
    /// place.</summary>
    /// <param name="start">The first row, 0 … N.</param>
    /// <param name="count">The number of rows, with start + count ≤ N and count·d ≤
    /// <see cref="int.MaxValue"/>.</param>
    /// <returns>A view of the mapped values, row-major; valid until the set is disposed.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside 0 … N, or holds more than
    /// <see cref="int.MaxValue"/> values.</exception>
    /// <exception cref="InvalidOperationException">The file holds float64 values, or stores the other byte order than
    /// this machine (use <see cref="Load"/>, which converts it).</exception>
    /// <exception cref="ObjectDisposedException">The set has been disposed.</exception>
    public ReadOnlySpan<float> Rows(int start, int count) =>
        Precision == EmbeddingPrecision.Float32 ? InPlace<float>(start, count)
            : throw new InvalidOperationException($"'{Path}' holds float64 values: read them with DoubleRows or Load.");

    /// <summary>Rows [<paramref name="start"/>, start + <paramref name="count"/>) of a float64 set, read in
    /// place.</summary>
    /// <param name="start">The first row, 0 … N.</param>
    /// <param name="count">The number of rows, with start + count ≤ N and count·d ≤
    /// <see cref="int.MaxValue"/>.</param>
    /// <returns>A view of the mapped values, row-major; valid until the set is disposed.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside 0 … N, or holds more than
    /// <see cref="int.MaxValue"/> values.</exception>
    /// <exception cref="InvalidOperationException">The file holds float32 values, or stores the other byte order than
    /// this machine (use <see cref="Load"/>, which converts it).</exception>
    /// <exception cref="ObjectDisposedException">The set has been disposed.</exception>
    public ReadOnlySpan<double> DoubleRows(int start, int count) =>
        Precision == EmbeddingPrecision.Float64 ? InPlace<double>(start, count)
            : throw new InvalidOperationException($"'{Path}' holds float32 values: read them with Rows or Load.");

    private ReadOnlySpan<T> InPlace<T>(int start, int count) where T : unmanaged
    {
        long values = CheckRange(start, count);
        if (values > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(count), count, string.Create(CultureInfo.InvariantCulture,
                $"{count} rows of {Dimension} values are more than a span holds ({int.MaxValue}); read fewer rows."));
        if (swap)
            throw new InvalidOperationException($"'{Path}' stores its values big-endian ('{dtype}'), which this "
                + "machine does not read in place: Load converts them.");
        return new ReadOnlySpan<T>(rows + (long)start * RowBytes, (int)values);
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, start + <paramref name="count"/>) copied into an in-memory set in the file's
    /// precision (float32 stays float32, float64 stays float64; big-endian values are converted exactly).
    /// </summary>
    /// <param name="start">The first row, 0 … N.</param>
    /// <param name="count">The number of rows, with start + count ≤ N.</param>
    /// <returns>A new set of <paramref name="count"/> rows: row r is row start + r of the file.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside 0 … N, or its bytes exceed the
    /// <see cref="NpyReadLimits.MaxArrayBytes"/> the set was opened with.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite (the message names the file, its row in the
    /// file and its column).</exception>
    /// <exception cref="ObjectDisposedException">The set has been disposed.</exception>
    public EmbeddingSet Load(int start, int count)
    {
        long values = CheckRange(start, count);
        if (values * itemSize > limits.MaxArrayBytes)
            throw new ArgumentOutOfRangeException(nameof(count), count, string.Create(CultureInfo.InvariantCulture,
                $"Rows {start} … {start + count - 1} of '{Path}' take {values * itemSize} bytes, more than "
                + $"NpyReadLimits.MaxArrayBytes ({limits.MaxArrayBytes}); load fewer rows at a time."));
        var source = new ReadOnlySpan<byte>(rows + (long)start * RowBytes, checked((int)(values * itemSize)));
        return Precision == EmbeddingPrecision.Float32
            ? new EmbeddingSet(Finite(Singles(source), start), count, Dimension)
            : new EmbeddingSet(Finite(Doubles(source), start), count, Dimension);
    }

    /// <summary>The values in place, or a converted copy when the file's byte order is not the machine's.</summary>
    private ReadOnlySpan<float> Singles(ReadOnlySpan<byte> source)
    {
        if (!swap) return MemoryMarshal.Cast<byte, float>(source);
        var bits = new uint[source.Length / sizeof(uint)];
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(source), bits);
        return MemoryMarshal.Cast<uint, float>(bits);
    }

    /// <summary>The values in place, or a converted copy when the file's byte order is not the machine's.</summary>
    private ReadOnlySpan<double> Doubles(ReadOnlySpan<byte> source)
    {
        if (!swap) return MemoryMarshal.Cast<byte, double>(source);
        var bits = new ulong[source.Length / sizeof(ulong)];
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(source), bits);
        return MemoryMarshal.Cast<ulong, double>(bits);
    }

    /// <summary>The values, once checked finite: a NaN or infinity is named by its row in the file, which the
    /// block's own check (rows counted from the block) could not say.</summary>
    private ReadOnlySpan<float> Finite(ReadOnlySpan<float> values, int start)
    {
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values))
            for (int k = 0; k < values.Length; k++)
                if (!float.IsFinite(values[k])) throw NotFinite(start, k, values[k]);
        return values;
    }

    /// <summary>The values, once checked finite (see the float32 overload).</summary>
    private ReadOnlySpan<double> Finite(ReadOnlySpan<double> values, int start)
    {
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values))
            for (int k = 0; k < values.Length; k++)
                if (!double.IsFinite(values[k])) throw NotFinite(start, k, values[k]);
        return values;
    }

    private ArgumentException NotFinite(int start, int k, double value) => new(string.Create(
        CultureInfo.InvariantCulture, $"The value of '{Path}'{(Part is { } p ? $" ({p})" : "")} at row "
        + $"{start + k / Dimension}, column {k % Dimension} is {value}; every value must be finite."));

    private long CheckRange(int start, int count)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, string.Create(CultureInfo.InvariantCulture,
                $"Rows {start} … {(long)start + count - 1} lie beyond the {Count} rows of '{Path}'."));
        return (long)count * Dimension;
    }

    /// <summary>
    /// A fingerprint of the set's content: SHA-256 over its dtype, shape and the bytes of its rows (not the file's
    /// header, so the same values in another header version or padding give the same fingerprint), read through the
    /// mapping in 4 MiB pieces.
    /// </summary>
    /// <param name="cancellationToken">Checked between pieces.</param>
    /// <returns>"sha256:" and 64 lowercase hexadecimal digits.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The set has been disposed.</exception>
    public string Fingerprint(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{dtype} ({Count}, {Dimension})\n")));
        long total = Count * RowBytes;
        for (long done = 0; done < total;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int piece = (int)Math.Min(1 << 22, total - done);
            hash.AppendData(new ReadOnlySpan<byte>(rows + done, piece));
            done += piece;
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Unmaps the file and closes it. Spans read from the set must not be used afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        file.Dispose();
    }

    /// <summary>The file, its part and shape, for logs and the debugger.</summary>
    /// <returns>For instance "MappedEmbeddingSet 'texts.npy': 100000 × 512 float32".</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"MappedEmbeddingSet '{Path}'{(Part is { } p ? $" ({p})" : "")}: {Count} × {Dimension} {Precision}");
}
