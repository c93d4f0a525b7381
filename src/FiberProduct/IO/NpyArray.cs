using System.Globalization;

namespace FiberProduct.IO;

/// <summary>The element types FiberProduct reads and writes in .npy files.</summary>
#pragma warning disable CA1720 // the members are named after the NumPy dtypes they stand for
public enum NpyElementType
{
    /// <summary>IEEE half precision ('f2'); read into <see cref="float"/>.</summary>
    Float16,
    /// <summary>IEEE single precision ('f4').</summary>
    Float32,
    /// <summary>IEEE double precision ('f8').</summary>
    Float64,
    /// <summary>Unsigned byte ('u1').</summary>
    UInt8,
    /// <summary>32-bit signed integer ('i4').</summary>
    Int32,
    /// <summary>64-bit signed integer ('i8').</summary>
    Int64,
    /// <summary>Fixed-width byte strings ('|S n', NumPy's bytes_), such as the <c>format</c> tag SciPy's sparse
    /// files carry; held as <see cref="string"/> (one character per byte, Latin-1, trailing NULs removed as NumPy
    /// does).</summary>
    Bytes,
}
#pragma warning restore CA1720

/// <summary>
/// An n-dimensional array as stored in a NumPy .npy file: a shape and its elements in C (row-major) order.
/// Float16 data is held widened to <see cref="float"/>; the other types are held as they are.
/// </summary>
public sealed class NpyArray
{
    private readonly int[] shape;

    private NpyArray(Array data, NpyElementType elementType, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        for (int k = 0; k < shape.Length; k++)
        {
            if (shape[k] < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), shape[k],
                    string.Create(CultureInfo.InvariantCulture, $"Dimension {k} of the shape is negative."));
            count *= shape[k];
        }
        if (count != data.Length)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The shape ({string.Join(", ", shape)}) holds {count} elements but the data has {data.Length}."),
                    nameof(shape));
        Data = data;
        ElementType = elementType;
        this.shape = (int[])shape.Clone();
    }

    /// <summary>A float32 array of the given shape (the data is not copied).</summary>
    /// <param name="data">The elements in C (row-major) order; held, not copied, so later changes show through.</param>
    /// <param name="shape">The dimensions, each at least 0, whose product is <c>data.Length</c>; none for a
    /// scalar.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">The shape's product differs from the data's length.</exception>
    public NpyArray(float[] data, params int[] shape) : this(data
        ?? throw new ArgumentNullException(nameof(data)), NpyElementType.Float32, shape) { }

    /// <summary>A float64 array of the given shape (the data is not copied).</summary>
    /// <param name="data">The elements in C (row-major) order; held, not copied, so later changes show through.</param>
    /// <param name="shape">The dimensions, each at least 0, whose product is <c>data.Length</c>; none for a
    /// scalar.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">The shape's product differs from the data's length.</exception>
    public NpyArray(double[] data, params int[] shape) : this(data
        ?? throw new ArgumentNullException(nameof(data)), NpyElementType.Float64, shape) { }

    /// <summary>An int32 array of the given shape (the data is not copied).</summary>
    /// <param name="data">The elements in C (row-major) order; held, not copied, so later changes show through.</param>
    /// <param name="shape">The dimensions, each at least 0, whose product is <c>data.Length</c>; none for a
    /// scalar.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">The shape's product differs from the data's length.</exception>
    public NpyArray(int[] data, params int[] shape) : this(data
        ?? throw new ArgumentNullException(nameof(data)), NpyElementType.Int32, shape) { }

    /// <summary>An int64 array of the given shape (the data is not copied).</summary>
    /// <param name="data">The elements in C (row-major) order; held, not copied, so later changes show through.</param>
    /// <param name="shape">The dimensions, each at least 0, whose product is <c>data.Length</c>; none for a
    /// scalar.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">The shape's product differs from the data's length.</exception>
    public NpyArray(long[] data, params int[] shape) : this(data
        ?? throw new ArgumentNullException(nameof(data)), NpyElementType.Int64, shape) { }

    /// <summary>A byte-string array ('|S n', n the longest string, at least 1) of the given shape (the data is not
    /// copied); a scalar when the shape is empty. Each character is one byte, so it must lie in
    /// U+0000–U+00FF.</summary>
    /// <param name="data">The strings in C order, one byte per character.</param>
    /// <param name="shape">The shape; empty for a 0-d array (as SciPy's <c>format</c> tag).</param>
    /// <exception cref="ArgumentException">A string holds a character above U+00FF, or is null.</exception>
    public NpyArray(string[] data, params int[] shape) : this(CheckBytes(data), NpyElementType.Bytes, shape) { }

    /// <summary>A uint8 array of the given shape (the data is not copied).</summary>
    /// <param name="data">The elements in C (row-major) order; held, not copied, so later changes show through.</param>
    /// <param name="shape">The dimensions, each at least 0, whose product is <c>data.Length</c>; none for a
    /// scalar.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">The shape's product differs from the data's length.</exception>
    public NpyArray(byte[] data, params int[] shape) : this(data
        ?? throw new ArgumentNullException(nameof(data)), NpyElementType.UInt8, shape) { }

    private static string[] CheckBytes(string[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (var text in data)
            if (text is null || text.Any(c => c > '\u00FF'))
                throw new ArgumentException(
                    "Byte strings hold one byte per character (U+0000–U+00FF), and none is null.", nameof(data));
        return data;
    }

    /// <summary>The bytes per element of a byte-string array: the longest string, at least 1 (NumPy's '|S1' for
    /// b'').</summary>
    internal int ByteStringWidth => Data is string[] texts
        ? Math.Max(1, texts.Select(t => t.Length).DefaultIfEmpty(1).Max()) : 0;

    internal static NpyArray Half(float[] widened, int[] shape) => new(widened, NpyElementType.Float16, shape);

    /// <summary>The element type recorded in the file (Float16 data is held as float).</summary>
    public NpyElementType ElementType { get; }

    /// <summary>The shape; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>The number of elements, the product of the shape.</summary>
    public long Length => Data.Length;

    /// <summary>The elements in C order: float[] (Float16, Float32), double[], byte[], int[], long[] or string[]
    /// (Bytes).</summary>
    public Array Data { get; }

    /// <summary>The elements converted to float32 (a copy; float64 values are rounded to nearest).</summary>
    /// <returns>A new array of <see cref="Length"/> values in C order (integers above 2^24 are rounded too).</returns>
    /// <exception cref="InvalidOperationException">The array holds byte strings.</exception>
    public float[] ToSingle() => Data switch
    {
        float[] f => (float[])f.Clone(),
        double[] d => Array.ConvertAll(d, v => (float)v),
        byte[] b => Array.ConvertAll(b, v => (float)v),
        int[] i => Array.ConvertAll(i, v => (float)v),
        long[] l => Array.ConvertAll(l, v => (float)v),
        string[] => throw new InvalidOperationException("Byte strings are not numbers."),
        _ => throw new InvalidOperationException("Unreachable: unknown element storage."),
    };

    /// <summary>The elements converted to float64 (a copy; exact for every stored type but Int64 beyond
    /// 2^53).</summary>
    /// <returns>A new array of <see cref="Length"/> values in C order.</returns>
    /// <exception cref="InvalidOperationException">The array holds byte strings.</exception>
    public double[] ToDouble() => Data switch
    {
        float[] f => Array.ConvertAll(f, v => (double)v),
        double[] d => (double[])d.Clone(),
        byte[] b => Array.ConvertAll(b, v => (double)v),
        int[] i => Array.ConvertAll(i, v => (double)v),
        long[] l => Array.ConvertAll(l, v => (double)v),
        string[] => throw new InvalidOperationException("Byte strings are not numbers."),
        _ => throw new InvalidOperationException("Unreachable: unknown element storage."),
    };
}
