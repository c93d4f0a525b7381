using System.Globalization;
using FiberProduct.IO;

namespace FiberProduct.Embedding;

/// <summary>The precision an <see cref="EmbeddingSet"/> holds its values in.</summary>
#pragma warning disable CA1720 // the members are named after the IEEE formats they stand for
public enum EmbeddingPrecision
{
    /// <summary>IEEE single precision (float32).</summary>
    Float32,

    /// <summary>IEEE double precision (float64).</summary>
    Float64,
}
#pragma warning restore CA1720

/// <summary>
/// A finite family of embedded points f(𝒫) or g(𝒬) in Z = R^d: <see cref="Count"/> rows of
/// <see cref="Dimension"/>
/// values, stored contiguously (row-major), in the precision they were given (<see cref="Precision"/>): float32 or
/// float64, never narrowed. Immutable.
/// </summary>
/// <remarks>
/// Every value is checked on construction: a NaN or infinity is an <see cref="ArgumentException"/> naming the set, its
/// row and column. Squared norms are computed once, in float64. L2 normalisation is an explicit step
/// (<see cref="Normalize"/>); so is narrowing (<see cref="ToSingle"/>). float32 sets live in pinned, 64-byte-aligned
/// memory read directly by the join's kernels; float64 sets are filtered through a float32 rounding whose error the
/// join counts, and every pair the filter cannot decide is decided on the float64 values.
/// </remarks>
public sealed class EmbeddingSet
{
    private const int AlignmentFloats = 16; // 64 bytes
    private readonly float[] storage;
    private readonly int offset;
    private readonly double[]? doubles;
    private readonly double[] squaredNorms;

    /// <summary>Copies <paramref name="count"/> rows of <paramref name="dimension"/> float32 values,
    /// row-major.</summary>
    /// <param name="values">The values, row-major: row i is values[i·d … i·d + d − 1].</param>
    /// <param name="count">The number of rows N (0 or more).</param>
    /// <param name="dimension">The dimension d (1 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative, the dimension is below 1, or the span does
    /// not hold count × dimension values.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public EmbeddingSet(ReadOnlySpan<float> values, int count, int dimension) : this(values, count,
        dimension, nameof(values)) { }

    /// <summary>Copies <paramref name="count"/> rows of <paramref name="dimension"/> float64 values, row-major; the set
    /// keeps them in float64.</summary>
    /// <param name="values">The values, row-major: row i is values[i·d … i·d + d − 1].</param>
    /// <param name="count">The number of rows N (0 or more).</param>
    /// <param name="dimension">The dimension d (1 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative, the dimension is below 1, or the span does
    /// not hold count × dimension values.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public EmbeddingSet(ReadOnlySpan<double> values, int count, int dimension) : this(values, count,
        dimension, nameof(values)) { }

    internal EmbeddingSet(ReadOnlySpan<float> values, int count, int dimension, string name)
    {
        int length = CheckShape(values.Length, count, dimension);
        (storage, offset) = AllocateAligned(length);
        Count = count;
        Dimension = dimension;
        var destination = storage.AsSpan(offset, length);
        values.CopyTo(destination);
        var held = storage;
        int start = offset;
        Validate(System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(destination), 0x7F80_0000u, dimension,
            name, k => held[start + k]);
        squaredNorms = new double[count];
        for (int i = 0; i < count; i++) squaredNorms[i] = ReferenceSums.Dot(Row(i), Row(i));
    }

    internal EmbeddingSet(ReadOnlySpan<double> values, int count, int dimension, string name)
    {
        int length = CheckShape(values.Length, count, dimension);
        storage = [];
        doubles = values.ToArray();
        Count = count;
        Dimension = dimension;
        var held = doubles;
        Validate(System.Runtime.InteropServices.MemoryMarshal.Cast<double, ulong>(held), 0x7FF0_0000_0000_0000ul,
            dimension, name, k => held[k]);
        squaredNorms = new double[count];
        for (int i = 0; i < count; i++) squaredNorms[i] = ReferenceSums.Dot(DoubleRow(i), DoubleRow(i));
    }

    private static int CheckShape(int values, int count, int dimension)
    {
        int length = values;
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        long expected = (long)count * dimension;
        if (length != expected)
            throw new ArgumentOutOfRangeException(nameof(values), length,
                string.Create(CultureInfo.InvariantCulture, $"Expected {count} × {dimension} = {expected} values."));
        if (expected > Array.MaxLength - AlignmentFloats)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                "The embedding set exceeds the largest array .NET can hold.");
        return (int)expected;
    }

    /// <summary>
    /// The rows scaled to unit length, rounded to float32 (the quotient computed in float64 on a power-of-two rescaled
    /// copy of the row, so that float64 rows of any magnitude have one), computed once and kept: the working vectors of
    /// the cosine and angular joins and their pruning. Internal: the public <see cref="Normalize"/> keeps float64.
    /// </summary>
    /// <exception cref="InvalidOperationException">A row is the zero vector.</exception>
    internal EmbeddingSet UnitVectors => unitVectors ??=
        new EmbeddingSet(UnitValues(), Count, Dimension, "unit vectors");

    private EmbeddingSet? unitVectors;

    /// <summary>
    /// The float32 vectors the join's filter reads: the set itself when it holds float32; for a float64 set its
    /// rounding to nearest float32 (computed once), or null when a value lies beyond the float32 range (the join then
    /// filters a rescaled copy). <see cref="RoundingRadii"/> bounds how far each row moved.
    /// </summary>
    internal EmbeddingSet? Working
    {
        get
        {
            if (doubles is null) return this;
            if (!workingKnown)
            {
                working = MaxMagnitude <= float.MaxValue
                    ? new EmbeddingSet(Rounded(1), Count, Dimension, "rounded values") : null;
                workingKnown = true;
            }
            return working;
        }
    }

    private EmbeddingSet? working;
    private bool workingKnown;

    /// <summary>Per row an upper bound of ‖x_i − <see cref="Working"/> row i‖ (zeros for a float32
    /// set).</summary>
    internal double[] RoundingRadii => roundingRadii ??= doubles is null ? new double[Count] : Radii(1);

    private double[]? roundingRadii;

    /// <summary>The values times a power of two, rounded to float32 (no value may overflow).</summary>
    internal float[] Rounded(double scale)
    {
        var result = new float[(long)Count * Dimension];
        if (doubles is null)
        {
            var v = Values;
            for (int k = 0; k < result.Length; k++) result[k] = (float)(v[k] * scale);
        }
        else for (int k = 0; k < result.Length; k++) result[k] = (float)(doubles[k] * scale);
        return result;
    }

    /// <summary>
    /// Per row an upper bound of ‖s·x_i − fl32(s·x_i)‖ for a power of two s: the rounding errors are exact in
    /// float64 (a float32 rounding of a double, or of a float times a power of two, differs from it by a double), their
    /// squared sum is rounded upwards, and a term covers products below the float64 range.
    /// </summary>
    internal double[] Radii(double scale)
    {
        var radii = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            double sum = 0;
            if (doubles is not null)
                foreach (double v in doubles.AsSpan(i * Dimension, Dimension))
                {
                    double exact = v * scale, error = exact - (float)exact;
                    sum += error * error;
                }
            else
                foreach (float v in storage.AsSpan(offset + i * Dimension, Dimension))
                {
                    double exact = v * scale, error = exact - (float)exact;
                    sum += error * error;
                }
            radii[i] = sum == 0 ? 0 : Math.Sqrt(sum) * (1 + (Dimension + 4) * Math.ScaleB(1, -52))
                + Math.ScaleB(1, -1000);
        }
        return radii;
    }

    /// <summary>Copies a rectangular float32 array: one row per point.</summary>
    /// <param name="values">The values, one row per point: values[i, k] is coordinate k of point i.</param>
    /// <exception cref="ArgumentException">A value is NaN or infinite (the message names its row and
    /// column).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The array has no columns (d = 0).</exception>
    public EmbeddingSet(float[,] values)
        : this(Flatten(values ?? throw new ArgumentNullException(nameof(values))), values.GetLength(0),
            values.GetLength(1), nameof(values)) { }

    /// <summary>Copies a rectangular float64 array: one row per point; the set keeps float64.</summary>
    /// <param name="values">The values, one row per point: values[i, k] is coordinate k of point i.</param>
    /// <exception cref="ArgumentException">A value is NaN or infinite (the message names its row and
    /// column).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The array has no columns (d = 0).</exception>
    public EmbeddingSet(double[,] values)
        : this(Flatten(values ?? throw new ArgumentNullException(nameof(values))), values.GetLength(0),
            values.GetLength(1), nameof(values)) { }

    /// <summary>Copies jagged float32 rows, which must all have the same length.</summary>
    /// <param name="rows">The rows, one per point; copied into one aligned block (N × d × 4 bytes).</param>
    /// <returns>A float32 set of <c>rows.Count</c> points of dimension <c>rows[0].Length</c>.</returns>
    /// <exception cref="ArgumentException">The rows differ in length, or there are none (the dimension would be
    /// unknown), or a value is NaN or infinite (the message names its row and column).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rows have length 0 (d = 0).</exception>
    /// <example>
    /// <code>
    /// var images = EmbeddingSet.FromRows(new[] { new float[] { 1, 0, 0 }, new float[] { 0, 1, 0 } });
    /// var texts = EmbeddingSet.FromRows(new[] { new float[] { 0.9f, 0.1f, 0 }, new float[] { 0, 0, 1 } });
    /// var fiber = new FiberProduct.Fiber.ApproximateFiberProduct(images, texts);
    /// long pairs = fiber.Count(0.5);     // 1: only (0, 0) lies within ε = 0.5
    /// </code>
    /// </example>
    public static EmbeddingSet FromRows(IReadOnlyList<float[]> rows) =>
        new(Concatenate(rows), rows.Count, rows[0].Length, nameof(rows));

    /// <summary>Copies jagged float64 rows, which must all have the same length; the set keeps float64.</summary>
    /// <param name="rows">The rows, one per point; copied (N × d × 8 bytes).</param>
    /// <returns>A float64 set of <c>rows.Count</c> points of dimension <c>rows[0].Length</c>.</returns>
    /// <exception cref="ArgumentException">The rows differ in length, or there are none (the dimension would be
    /// unknown), or a value is NaN or infinite (the message names its row and column).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rows have length 0 (d = 0).</exception>
    /// <example>
    /// <code>
    /// var set = EmbeddingSet.FromRows(new[] { new[] { 0.6, 0.8 }, new[] { 1.0, 0.0 } });
    /// double norm = set.SquaredNorm(0);  // ≈ 1: 0.6² + 0.8², summed in float64
    /// </code>
    /// </example>
    public static EmbeddingSet FromRows(IReadOnlyList<double[]> rows) =>
        new(Concatenate(rows), rows.Count, rows[0].Length, nameof(rows));

    private static T[] Concatenate<T>(IReadOnlyList<T[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException(
                "At least one row is needed to know the dimension; use the span constructor for an empty set.",
                nameof(rows));
        int d = rows[0].Length;
        var flat = new T[(long)rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Row {i} has {rows[i].Length} values; row 0 has {d}."), nameof(rows));
            rows[i].CopyTo(flat, (long)i * d);
        }
        return flat;
    }

    /// <summary>
    /// A 2-D array (N, d) as an embedding set in the array's own precision: float32 stays float32, float64 stays
    /// float64, float16 is widened exactly to float32. Integer arrays are refused: convert them explicitly.
    /// </summary>
    /// <param name="array">An (N, d) array of float16, float32 or float64.</param>
    /// <returns>A new set holding a copy of the values, float32 or float64 as the array is.</returns>
    /// <exception cref="ArgumentException">The array is not 2-dimensional, holds integers, or a value is NaN or
    /// infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The array has shape (N, 0).</exception>
    public static EmbeddingSet FromArray(NpyArray array) => FromArray(array, nameof(array));

    private static EmbeddingSet FromArray(NpyArray array, string name)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count != 2)
            throw new ArgumentException(
                $"Expected a 2-D array (N, d) for {name}; got shape ({string.Join(", ", array.Shape)}).",
                nameof(array));
        return Slice(array, 0, array.Shape[0], array.Shape[1], name);
    }

    private static EmbeddingSet Slice(NpyArray array, int start, int count, int dimension, string name) =>
        array.Data switch
    {
        float[] f => new EmbeddingSet(f.AsSpan(start, count * dimension), count, dimension, name),
        double[] d => new EmbeddingSet(d.AsSpan(start, count * dimension), count, dimension, name),
        _ =>
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{name} holds {array.ElementType} values; embeddings are float16, float32 or float64 (convert "
                + $"explicitly, e.g. NumPy's astype(np.float32))."), nameof(array)),
    };

    /// <summary>Reads an (N, d) .npy file of float16, float32 or float64 values, keeping its precision.</summary>
    /// <param name="path">The .npy file.</param>
    /// <returns>The N points as a set of dimension d, float32 or float64 as stored (float16 widened to
    /// float32).</returns>
    /// <exception cref="System.IO.InvalidDataException">The file is not a valid .npy file or exceeds a default
    /// <see cref="NpyReadLimits"/> limit (the message names it).</exception>
    /// <exception cref="ArgumentException">The array is not (N, d), holds integers, or a value is NaN or infinite (the
    /// message names the file).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <example>
    /// <code>
    /// // Python: np.save("images.npy", image_embeddings.astype(np.float32)), shape (N, d)
    /// var images = EmbeddingSet.Load("images.npy");
    /// var texts = EmbeddingSet.Load("texts.npy");
    /// var fiber = new FiberProduct.Fiber.ApproximateFiberProduct(images.Normalize(), texts.Normalize());
    /// long aligned = fiber.Count(0.8);   // |F_ε| at ε = 0.8
    /// </code>
    /// </example>
    public static EmbeddingSet Load(string path) => Load(path, NpyReadLimits.Default);

    /// <summary>Reads an (N, d) .npy file of float16, float32 or float64 values under the caller's reading
    /// limits.</summary>
    /// <param name="path">The .npy file.</param>
    /// <param name="limits">Header size, array bytes (see <see cref="NpyReadLimits"/>).</param>
    /// <returns>The N points as a set of dimension d, float32 or float64 as stored (float16 widened to
    /// float32).</returns>
    /// <exception cref="System.IO.InvalidDataException">The file is not a valid .npy file or exceeds a limit (the
    /// message names it).</exception>
    /// <exception cref="ArgumentException">The array is not (N, d), holds integers, or a value is NaN or infinite (the
    /// message names the file).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static EmbeddingSet Load(string path, NpyReadLimits limits) =>
        FromArray(Npy.Read(path, limits), $"'{path}'");

    /// <summary>
    /// Splits a (2, N, d) array into its two modalities: [0] the images f(𝒫), [1] the texts g(𝒬), row i of each a
    /// pair (the layout of the bundled CLIP data), in the array's own precision.
    /// </summary>
    /// <param name="array">A (2, N, d) array of float16, float32 or float64.</param>
    /// <returns>Two new sets of N rows each, copies of the array's two halves.</returns>
    /// <exception cref="ArgumentException">The array does not have shape (2, N, d), holds integers, or a value is NaN
    /// or infinite.</exception>
    public static (EmbeddingSet Images, EmbeddingSet Texts) SplitModalities(NpyArray array) =>
        SplitModalities(array, "the array");

    private static (EmbeddingSet Images, EmbeddingSet Texts) SplitModalities(NpyArray array, string source)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count != 3 || array.Shape[0] != 2)
            throw new ArgumentException(
                $"Expected shape (2, N, d) in {source}; got ({string.Join(", ", array.Shape)}).", nameof(array));
        int n = array.Shape[1], d = array.Shape[2];
        return (Slice(array, 0, n, d, $"the images of {source}"), Slice(array, n * d, n, d, $"the texts of {source}"));
    }

    /// <summary>Reads a (2, N, d) .npy file and splits it into images and texts (see
    /// <see cref="SplitModalities(NpyArray)"/>).</summary>
    /// <param name="path">The .npy file.</param>
    /// <returns>The images f(𝒫) ([0]) and texts g(𝒬) ([1]), row i of each a true pair, in the file's
    /// precision.</returns>
    /// <exception cref="System.IO.InvalidDataException">The file is not a valid .npy file or exceeds a default
    /// <see cref="NpyReadLimits"/> limit (the message names it).</exception>
    /// <exception cref="ArgumentException">The array does not have shape (2, N, d), holds integers, or a value is NaN
    /// or infinite (the message names the file).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <example>
    /// <code>
    /// // Python: np.save("pairs.npy", np.stack([image_embeddings, text_embeddings]))   # (2, N, d)
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// var fiber = new FiberProduct.Fiber.ApproximateFiberProduct(images, texts);
    /// // the ε that best recovers row i ↔ row i
    /// var best = fiber.BestF1(FiberProduct.Fiber.Pairing.Diagonal(images.Count));
    /// </code>
    /// </example>
    public static (EmbeddingSet Images, EmbeddingSet Texts) LoadPaired(string path) =>
        LoadPaired(path, NpyReadLimits.Default);

    /// <summary>Reads a (2, N, d) .npy file under the caller's reading limits and splits it into images and
    /// texts.</summary>
    /// <param name="path">The .npy file.</param>
    /// <param name="limits">Header size, array bytes (see <see cref="NpyReadLimits"/>).</param>
    /// <returns>The images f(𝒫) ([0]) and texts g(𝒬) ([1]), row i of each a true pair, in the file's
    /// precision.</returns>
    /// <exception cref="System.IO.InvalidDataException">The file is not a valid .npy file or exceeds
    /// <paramref name="limits"/> (the message names it).</exception>
    /// <exception cref="ArgumentException">The array does not have shape (2, N, d), holds integers, or a value is NaN
    /// or infinite (the message names the file).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static (EmbeddingSet Images, EmbeddingSet Texts) LoadPaired(string path, NpyReadLimits limits) =>
        SplitModalities(Npy.Read(path, limits), $"'{path}'");

    /// <summary>The number of points N.</summary>
    public int Count { get; }

    /// <summary>The dimension d of the shared space.</summary>
    public int Dimension { get; }

    /// <summary>The precision the values are held in: the precision they were given in.</summary>
    public EmbeddingPrecision Precision => doubles is null ? EmbeddingPrecision.Float32 : EmbeddingPrecision.Float64;

    /// <summary>All values of a float32 set, row-major (N × d).</summary>
    /// <exception cref="InvalidOperationException">The set holds float64 values (see
    /// <see cref="DoubleValues"/>).</exception>
    public ReadOnlySpan<float> Values => doubles is null ? storage.AsSpan(offset, Count * Dimension)
        : throw HoldsDouble();

    /// <summary>All values of a float64 set, row-major (N × d).</summary>
    /// <exception cref="InvalidOperationException">The set holds float32 values (see <see cref="Values"/>).</exception>
    public ReadOnlySpan<double> DoubleValues => doubles ?? throw HoldsSingle();

    internal ReadOnlyMemory<float> Memory => doubles is null ? storage.AsMemory(offset, Count * Dimension)
        : throw HoldsDouble();

    /// <summary>Row i of a float32 set, the point f(P_i).</summary>
    /// <param name="index">The row, 0 … N − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0 … N − 1.</exception>
    /// <exception cref="InvalidOperationException">The set holds float64 values (see
    /// <see cref="DoubleRow"/>).</exception>
    /// <returns>A read-only view of the d stored values (no copy).</returns>
    public ReadOnlySpan<float> Row(int index)
    {
        CheckRow(index);
        return doubles is null ? storage.AsSpan(offset + index * Dimension, Dimension) : throw HoldsDouble();
    }

    /// <summary>Row i of a float64 set, the point f(P_i).</summary>
    /// <param name="index">The row, 0 … N − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0 … N − 1.</exception>
    /// <exception cref="InvalidOperationException">The set holds float32 values (see <see cref="Row"/>).</exception>
    /// <returns>A read-only view of the d stored values (no copy).</returns>
    public ReadOnlySpan<double> DoubleRow(int index)
    {
        CheckRow(index);
        return doubles is null ? throw HoldsSingle() : doubles.AsSpan(index * Dimension, Dimension);
    }

    /// <summary>The value at a row and column, in float64 (exact for either precision).</summary>
    /// <param name="row">The row, 0 … N − 1.</param>
    /// <param name="column">The column, 0 … d − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is outside 0 … N − 1 or
    /// <paramref name="column"/> outside 0 … d − 1.</exception>
    public double this[int row, int column]
    {
        get
        {
            CheckRow(row);
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Dimension);
            long at = (long)row * Dimension + column;
            return doubles is null ? storage[offset + at] : doubles[at];
        }
    }

    /// <summary>Copies row i into <paramref name="destination"/>, widened to float64 (exact for either
    /// precision).</summary>
    /// <param name="index">The row, 0 … N − 1.</param>
    /// <param name="destination">At least d values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> holds fewer than d values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0 … N − 1.</exception>
    public void CopyRow(int index, Span<double> destination)
    {
        CheckRow(index);
        if (destination.Length < Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The destination holds {destination.Length} values; a row has {Dimension}."), nameof(destination));
        if (doubles is not null) { doubles.AsSpan(index * Dimension, Dimension).CopyTo(destination); return; }
        var row = storage.AsSpan(offset + index * Dimension, Dimension);
        for (int k = 0; k < row.Length; k++) destination[k] = row[k];
    }

    private void CheckRow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
    }

    private static InvalidOperationException HoldsDouble() =>
        new("This set holds float64 values: read them with DoubleValues, DoubleRow or CopyRow, or narrow it "
            + "explicitly with ToSingle().");

    private static InvalidOperationException HoldsSingle() =>
        new("This set holds float32 values: read them with Values, Row or CopyRow, or widen it with ToDouble().");

    /// <summary>‖row i‖², computed in float64 (for float64 rows beyond about 10^154 it overflows
    /// to +∞).</summary>
    /// <param name="index">The row, 0 … N − 1.</param>
    /// <returns>Σ_k x_ik², summed in float64 when the set was built (O(1) here; no allocation).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0 … N − 1.</exception>
    public double SquaredNorm(int index)
    {
        CheckRow(index);
        return squaredNorms[index];
    }

    internal ReadOnlySpan<double> SquaredNorms => squaredNorms;

    /// <summary>The largest absolute value (0 for an empty set), computed once: the join's scaling and pruning's
    /// overflow check share it.</summary>
    internal double MaxMagnitude
    {
        get
        {
            // A double is read and written whole on 64-bit platforms, so racing first calls at worst compute it twice.
            double largest = maxMagnitude;
            if (double.IsNaN(largest))
                maxMagnitude = largest = doubles is null
                    ? System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(Values.IsEmpty ? [0f] : Values) is var f
                        ? Math.Abs(f) : 0
                    : System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(doubles.Length == 0 ? [0.0]
                        : doubles) is var g ? Math.Abs(g) : 0;
            return largest;
        }
    }

    private double maxMagnitude = double.NaN;

    /// <summary>
    /// Each row divided by its Euclidean norm, as a new float64 set: the quotient of the row (rescaled by a power of
    /// two, exactly, so that no norm overflows or underflows) by its float64 norm, rounded once to float64.
    /// </summary>
    /// <returns>A new float64 set of N unit rows (N × d × 8 bytes), whatever this set's precision; each row's norm is
    /// 1 within a few float64 roundings. Narrow it with <see cref="ToSingle"/> if float32 is wanted.</returns>
    /// <exception cref="InvalidOperationException">A row is zero and has no direction; the message names
    /// it.</exception>
    public EmbeddingSet Normalize() => new(UnitDoubles(), Count, Dimension, "unit vectors");

    private double[] UnitDoubles()
    {
        var result = new double[(long)Count * Dimension];
        var row = new double[Dimension];
        for (int i = 0; i < Count; i++)
        {
            CopyRow(i, row);
            double largest = 0;
            foreach (double v in row) largest = Math.Max(largest, Math.Abs(v));
            if (largest == 0)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Row {i} is the zero vector and cannot be normalised."));
            int shift = -Math.ILogB(largest); // the largest becomes [1, 2): its square neither overflows nor underflows
            for (int k = 0; k < row.Length; k++) row[k] = Math.ScaleB(row[k], shift);
            double norm = Math.Sqrt(ReferenceSums.Dot(row, row));
            for (int k = 0; k < row.Length; k++) result[(long)i * Dimension + k] = row[k] / norm;
        }
        return result;
    }

    private float[] UnitValues() => Array.ConvertAll(UnitDoubles(), v => (float)v);

    /// <summary>The given rows, in that order, as a new set of the same precision.</summary>
    internal EmbeddingSet SelectRows(ReadOnlySpan<int> rows)
    {
        int d = Dimension;
        if (doubles is not null)
        {
            var wide = new double[(long)rows.Length * d];
            for (int r = 0; r < rows.Length; r++) DoubleRow(rows[r]).CopyTo(wide.AsSpan(r * d, d));
            return new EmbeddingSet(wide, rows.Length, d, "the selected rows");
        }
        var narrow = new float[(long)rows.Length * d];
        for (int r = 0; r < rows.Length; r++) Row(rows[r]).CopyTo(narrow.AsSpan(r * d, d));
        return new EmbeddingSet(narrow, rows.Length, d, "the selected rows");
    }

    /// <summary>Row i widened to a new float64 array.</summary>
    internal double[] RowAsDouble(int index)
    {
        var row = new double[Dimension];
        CopyRow(index, row);
        return row;
    }

    /// <summary>The set narrowed to float32, rounding each value to nearest: an explicit, lossy step.</summary>
    /// <returns>A new float32 set (this instance when it already holds float32).</returns>
    /// <exception cref="InvalidOperationException">A value lies beyond the float32 range; the message names its row and
    /// column.</exception>
    public EmbeddingSet ToSingle()
    {
        if (doubles is null) return this;
        for (int k = 0; k < doubles.Length; k++)
            if (Math.Abs(doubles[k]) > float.MaxValue)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"The value at row {k / Dimension}, column {k % Dimension} is {doubles[k]}, "
                    + $"beyond the float32 range."));
        return new EmbeddingSet(Rounded(1), Count, Dimension, "the narrowed set");
    }

    /// <summary>The set widened to float64 (exact).</summary>
    /// <returns>A new float64 set (this instance when it already holds float64).</returns>
    public EmbeddingSet ToDouble()
    {
        if (doubles is not null) return this;
        var widened = new double[(long)Count * Dimension];
        var v = Values;
        for (int k = 0; k < widened.Length; k++) widened[k] = v[k];
        return new EmbeddingSet(widened, Count, Dimension, "the widened set");
    }

    /// <summary>The set as an (N, d) array in its own precision, for .npy output.</summary>
    /// <returns>A new float32 or float64 <see cref="NpyArray"/> of shape (N, d) holding a copy of the values; pass it
    /// to <see cref="Npy.Write(string, NpyArray)"/>.</returns>
    public NpyArray ToArray() => doubles is null ? new(Values.ToArray(), Count, Dimension)
        : new((double[])doubles.Clone(), Count, Dimension);

    private static (float[] Storage, int Offset) AllocateAligned(int length)
    {
        // Pinned arrays never move, so an offset that aligns the first element stays valid.
        var array = GC.AllocateUninitializedArray<float>(length + AlignmentFloats, pinned: true);
        unsafe
        {
            fixed (float* p = array)
            {
                int misalignment = (int)((nuint)p % (AlignmentFloats * sizeof(float)));
                return (array, misalignment == 0 ? 0
                    : (AlignmentFloats * sizeof(float) - misalignment) / sizeof(float));
            }
        }
    }

    /// <summary>Refuses NaN and ±∞: exactly the values whose exponent bits are all ones, scanned a vector at a
    /// time.</summary>
    private static void Validate<TBits>(ReadOnlySpan<TBits> bits, TBits exponent, int dimension, string name,
        Func<int, double> value)
        where TBits : unmanaged, System.Numerics.IBinaryInteger<TBits>
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var mask = new System.Numerics.Vector<TBits>(exponent);
            for (; i <= bits.Length - System.Numerics.Vector<TBits>.Count; i += System.Numerics.Vector<TBits>.Count)
                if (System.Numerics.Vector.EqualsAny(new System.Numerics.Vector<TBits>(bits[i..]) & mask, mask)) break;
        }
        for (; i < bits.Length; i++)
        {
            if ((bits[i] & exponent) == exponent)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The value of {name} at row {i / dimension}, column {i % dimension} is {value(i)}; every "
                    + $"value must be finite."), name);
        }
    }

    private static T[] Flatten<T>(T[,] values)
    {
        var flat = new T[values.Length];
        int n = values.GetLength(0), d = values.GetLength(1);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++) flat[i * d + k] = values[i, k];
        return flat;
    }
}
