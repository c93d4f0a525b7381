using System.Globalization;
using FiberProduct.IO;

namespace FiberProduct.Embedding;

/// <summary>
/// A finite family of embedded points f(𝒫) or g(𝒬) in Z = R^d: <see cref="Count"/> rows of <see cref="Dimension"/>
/// float32 values, stored contiguously (row-major) in pinned, 64-byte-aligned memory. Immutable.
/// </summary>
/// <remarks>
/// Every value is checked on construction: a NaN or infinity is an <see cref="ArgumentException"/> naming its row and
/// column. Squared norms are computed once, in float64. L2 normalisation is an explicit step (<see cref="Normalize"/>).
/// </remarks>
public sealed class EmbeddingSet
{
    private const int AlignmentFloats = 16; // 64 bytes
    private readonly float[] storage;
    private readonly int offset;
    private readonly double[] squaredNorms;

    /// <summary>Copies <paramref name="count"/> rows of <paramref name="dimension"/> values, row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative, the dimension is below 1, or the span does not hold count × dimension values.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public EmbeddingSet(ReadOnlySpan<float> values, int count, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        long length = (long)count * dimension;
        if (values.Length != length)
            throw new ArgumentOutOfRangeException(nameof(values), values.Length,
                string.Create(CultureInfo.InvariantCulture, $"Expected {count} × {dimension} = {length} values."));
        if (length > Array.MaxLength - AlignmentFloats)
            throw new ArgumentOutOfRangeException(nameof(count), count, "The embedding set exceeds the largest array .NET can hold.");
        (storage, offset) = AllocateAligned((int)length);
        Count = count;
        Dimension = dimension;
        var destination = storage.AsSpan(offset, (int)length);
        values.CopyTo(destination);
        Validate(destination, dimension);
        squaredNorms = ComputeSquaredNorms(destination, count, dimension);
    }

    private EmbeddingSet(float[] storage, int offset, int count, int dimension, double[] squaredNorms)
    {
        this.storage = storage;
        this.offset = offset;
        Count = count;
        Dimension = dimension;
        this.squaredNorms = squaredNorms;
    }

    /// <summary>
    /// The rows scaled to unit length (float32 of the float64 quotient), computed once and kept: the cosine and angular
    /// joins and their pruning share it.
    /// </summary>
    /// <exception cref="InvalidOperationException">A row is the zero vector.</exception>
    internal EmbeddingSet UnitVectors => unitVectors ??= Normalize();

    private EmbeddingSet? unitVectors;

    /// <summary>Copies a rectangular array: one row per point.</summary>
    public EmbeddingSet(float[,] values)
        : this(Flatten(values ?? throw new ArgumentNullException(nameof(values))), values.GetLength(0), values.GetLength(1)) { }

    /// <summary>Copies jagged rows, which must all have the same length.</summary>
    /// <exception cref="ArgumentException">The rows differ in length, or there are none (the dimension would be unknown).</exception>
    public static EmbeddingSet FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("At least one row is needed to know the dimension; use the span constructor for an empty set.", nameof(rows));
        int d = rows[0].Length;
        var flat = new float[(long)rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Row {i} has {rows[i].Length} values; row 0 has {d}."), nameof(rows));
            rows[i].CopyTo(flat, (long)i * d);
        }
        return new EmbeddingSet(flat, rows.Count, d);
    }

    /// <summary>A 2-D array (N, d) as an embedding set; any float type is converted to float32.</summary>
    /// <exception cref="ArgumentException">The array is not 2-dimensional.</exception>
    public static EmbeddingSet FromArray(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count != 2)
            throw new ArgumentException($"Expected a 2-D array (N, d); got shape ({string.Join(", ", array.Shape)}).", nameof(array));
        return new EmbeddingSet(array.ElementType is NpyElementType.Float32 or NpyElementType.Float16 ? (float[])array.Data : array.ToSingle(), array.Shape[0], array.Shape[1]);
    }

    /// <summary>Reads an (N, d) .npy file.</summary>
    public static EmbeddingSet Load(string path) => FromArray(Npy.Read(path));

    /// <summary>
    /// Splits a (2, N, d) array into its two modalities: [0] the images f(𝒫), [1] the texts g(𝒬), row i of each a
    /// pair (the layout of the CLIP data in shared/data).
    /// </summary>
    /// <exception cref="ArgumentException">The array does not have shape (2, N, d).</exception>
    public static (EmbeddingSet Images, EmbeddingSet Texts) SplitModalities(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count != 3 || array.Shape[0] != 2)
            throw new ArgumentException($"Expected shape (2, N, d); got ({string.Join(", ", array.Shape)}).", nameof(array));
        float[] data = array.ElementType is NpyElementType.Float32 or NpyElementType.Float16 ? (float[])array.Data : array.ToSingle();
        int n = array.Shape[1], d = array.Shape[2];
        int half = n * d;
        return (new EmbeddingSet(data.AsSpan(0, half), n, d), new EmbeddingSet(data.AsSpan(half, half), n, d));
    }

    /// <summary>Reads a (2, N, d) .npy file and splits it into images and texts (see <see cref="SplitModalities"/>).</summary>
    public static (EmbeddingSet Images, EmbeddingSet Texts) LoadPaired(string path) => SplitModalities(Npy.Read(path));

    /// <summary>The number of points N.</summary>
    public int Count { get; }

    /// <summary>The dimension d of the shared space.</summary>
    public int Dimension { get; }

    /// <summary>All values, row-major (N × d).</summary>
    public ReadOnlySpan<float> Values => storage.AsSpan(offset, Count * Dimension);

    internal ReadOnlyMemory<float> Memory => storage.AsMemory(offset, Count * Dimension);

    /// <summary>Row i, the point f(P_i).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0 … N − 1.</exception>
    public ReadOnlySpan<float> Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return storage.AsSpan(offset + index * Dimension, Dimension);
    }

    /// <summary>‖row i‖², computed in float64.</summary>
    public double SquaredNorm(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return squaredNorms[index];
    }

    internal ReadOnlySpan<double> SquaredNorms => squaredNorms;

    /// <summary>The largest absolute value (0 for an empty set), computed once: the join's scaling and pruning's overflow check share it.</summary>
    internal float MaxMagnitude
    {
        get
        {
            // A float is read and written whole, so racing first calls at worst compute the same value twice.
            float largest = maxMagnitude;
            if (float.IsNaN(largest)) maxMagnitude = largest = LargestMagnitude(Values);
            return largest;
        }
    }

    private float maxMagnitude = float.NaN;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float LargestMagnitude(ReadOnlySpan<float> values)
    {
        var max = System.Numerics.Vector<float>.Zero;
        int i = 0, w = System.Numerics.Vector<float>.Count;
        for (; i <= values.Length - w; i += w) max = System.Numerics.Vector.Max(max, System.Numerics.Vector.Abs(new System.Numerics.Vector<float>(values[i..])));
        float largest = 0;
        for (int l = 0; l < w; l++) largest = Math.Max(largest, max[l]);
        for (; i < values.Length; i++) largest = Math.Max(largest, Math.Abs(values[i]));
        return largest;
    }

    /// <summary>Each row divided by its Euclidean norm (computed in float64), as a new set.</summary>
    /// <exception cref="InvalidOperationException">A row is zero and has no direction; the message names it.</exception>
    public EmbeddingSet Normalize()
    {
        var result = new float[Count * Dimension];
        for (int i = 0; i < Count; i++)
        {
            double norm = Math.Sqrt(squaredNorms[i]);
            if (norm == 0) throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Row {i} is the zero vector and cannot be normalised."));
            var row = Row(i);
            for (int k = 0; k < Dimension; k++) result[i * Dimension + k] = (float)(row[k] / norm);
        }
        return new EmbeddingSet(result, Count, Dimension);
    }

    /// <summary>The set as an (N, d) float32 array, for .npy output.</summary>
    public NpyArray ToArray() => new(Values.ToArray(), Count, Dimension);

    private static (float[] Storage, int Offset) AllocateAligned(int length)
    {
        // Pinned arrays never move, so an offset that aligns the first element stays valid.
        var array = GC.AllocateUninitializedArray<float>(length + AlignmentFloats, pinned: true);
        unsafe
        {
            fixed (float* p = array)
            {
                int misalignment = (int)((nuint)p % (AlignmentFloats * sizeof(float)));
                return (array, misalignment == 0 ? 0 : (AlignmentFloats * sizeof(float) - misalignment) / sizeof(float));
            }
        }
    }

    private static void Validate(ReadOnlySpan<float> values, int dimension)
    {
        // NaN and ±∞ are exactly the values whose exponent bits are all ones; scan for them a vector at a time.
        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(values);
        const uint exponent = 0x7F80_0000;
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var mask = new System.Numerics.Vector<uint>(exponent);
            for (; i <= bits.Length - System.Numerics.Vector<uint>.Count; i += System.Numerics.Vector<uint>.Count)
                if (System.Numerics.Vector.EqualsAny(new System.Numerics.Vector<uint>(bits[i..]) & mask, mask)) break;
        }
        for (; i < values.Length; i++)
        {
            if ((bits[i] & exponent) == exponent)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The embedding value at row {i / dimension}, column {i % dimension} is {values[i]}; every value must be finite."), nameof(values));
        }
    }

    /// <summary>Squared norms of the rows of a row-major block, in the reference order.</summary>
    internal static double[] ComputeSquaredNorms(ReadOnlySpan<float> values, int count, int dimension)
    {
        var norms = new double[count];
        for (int i = 0; i < count; i++)
        {
            var row = values.Slice(i * dimension, dimension);
            norms[i] = ReferenceSums.Dot(row, row);
        }
        return norms;
    }

    private static float[] Flatten(float[,] values)
    {
        var flat = new float[values.Length];
        int n = values.GetLength(0), d = values.GetLength(1);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++) flat[i * d + k] = values[i, k];
        return flat;
    }
}
