using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FiberProduct.IO;

/// <summary>
/// A .npy header read by NumPy's rules (numpy/lib/format.py): the magic string, version 1.0, 2.0 or 3.0 exactly,
/// a little-endian length (2 bytes in 1.0, 4 after), a Latin-1 (1.0, 2.0) or UTF-8 (3.0) text that
/// <c>ast.literal_eval</c> turns into a dict whose keys are exactly 'descr', 'fortran_order' and 'shape', a shape
/// that is a tuple of ints (not bools), an order that is a bool. Padding and alignment are not checked, as NumPy
/// does not check them.
/// </summary>
internal sealed record NpyHeader(NpyElementType Type, int ItemSize, bool BigEndian, bool Fortran, int[] Shape, long Count, long HeaderBytes)
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes of element data that follow the header.</summary>
    public long DataBytes => Count * ItemSize;

    /// <summary>True when <paramref name="prefix"/> starts a zip archive (a local file header, or the end record of an
    /// empty archive): what a .npz file starts with.</summary>
    public static bool LooksLikeZip(ReadOnlySpan<byte> prefix) =>
        prefix.Length >= 4 && prefix[0] == 'P' && prefix[1] == 'K'
        && ((prefix[2] == 3 && prefix[3] == 4) || (prefix[2] == 5 && prefix[3] == 6));

    /// <summary>True when <paramref name="prefix"/> starts with the .npy magic string.</summary>
    public static bool LooksLikeNpy(ReadOnlySpan<byte> prefix) => prefix.Length >= 6 && prefix[..6].SequenceEqual(Magic);

    /// <summary>Reads and checks the header; the stream is left at the first data byte.</summary>
    /// <param name="stream">Positioned at the magic string.</param>
    /// <param name="limits">The header length limit.</param>
    /// <param name="fail">Builds the exception for a reason (it adds the file and member names).</param>
    /// <param name="mapped">The data is read in place (memory-mapped), never into one array: the element count is
    /// bounded by the bytes a long addresses instead of by <see cref="Array.MaxLength"/>.</param>
    public static NpyHeader Read(Stream stream, NpyReadLimits limits, Func<string, Exception> fail, bool mapped = false)
    {
        Span<byte> prefix = stackalloc byte[8];
        int got = stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false);
        if (LooksLikeZip(prefix[..got]))
            throw fail("this is a .npz (zip) archive, not a .npy file; read it with Npy.ReadNpz, which returns its arrays by name.");
        if (got < 6 || !LooksLikeNpy(prefix))
            throw fail("not a .npy file: it does not start with the magic string \\x93NUMPY.");
        if (got < 8) throw fail("the file ends inside the format version.");
        int major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw fail(string.Create(CultureInfo.InvariantCulture,
                $"format version {major}.{minor}; NumPy defines versions 1.0, 2.0 and 3.0 only."));

        Span<byte> lengthBytes = stackalloc byte[4];
        int lengthSize = major == 1 ? 2 : 4;
        if (stream.ReadAtLeast(lengthBytes[..lengthSize], lengthSize, throwOnEndOfStream: false) != lengthSize)
            throw fail("the file ends inside the header length.");
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        // NumPy compares the decoded length (characters) with max_header_size; a UTF-8 character takes at most
        // 4 bytes, so a longer byte count is refused before a byte of it is read.
        long maxBytes = major == 3 ? 4L * limits.MaxHeaderLength : limits.MaxHeaderLength;
        if (headerLength > maxBytes) throw fail(HeaderTooLong(headerLength, limits));
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) != headerBytes.Length)
            throw fail(string.Create(CultureInfo.InvariantCulture, $"the file ends inside the {headerLength}-byte header."));
        string header;
        if (major == 3)
        {
            try { header = StrictUtf8.GetString(headerBytes); }
            catch (DecoderFallbackException) { throw fail("the version 3.0 header is not valid UTF-8."); }
            int characters = 0;
            foreach (var _ in header.EnumerateRunes()) characters++; // Python counts code points
            if (characters > limits.MaxHeaderLength) throw fail(HeaderTooLong(characters, limits));
        }
        else header = System.Text.Encoding.Latin1.GetString(headerBytes);

        PyValue dict;
        try { dict = PythonLiteral.Evaluate(header, python2Longs: major <= 2); }
        catch (PythonLiteralException e)
        {
            throw fail(string.Create(CultureInfo.InvariantCulture,
                $"the header is not a Python literal NumPy reads ({e.Message} at character {e.Position}): {Excerpt(header)}"));
        }
        var (type, itemSize, bigEndian, fortran, shape) = Check(dict, header, fail);
        long count = ElementCount(shape, fail, mapped);
        return new NpyHeader(type, itemSize, bigEndian, fortran, shape, count, prefix.Length + lengthSize + headerLength);
    }

    private static string HeaderTooLong(long length, NpyReadLimits limits) => string.Create(CultureInfo.InvariantCulture,
        $"the header is {length} long, more than NpyReadLimits.MaxHeaderLength ({limits.MaxHeaderLength}, "
        + $"NumPy's own max_header_size is 10000).");

    private static string Excerpt(string header)
    {
        string trimmed = header.TrimEnd();
        return trimmed.Length <= 200 ? trimmed : string.Concat(trimmed.AsSpan(0, 200), "…");
    }

    private static (NpyElementType, int, bool, bool, int[]) Check(PyValue dict, string header, Func<string, Exception> fail)
    {
        if (dict.Kind != PyKind.Dict) throw fail("the header is not a dictionary: " + Excerpt(header));
        var keys = dict.StrKeys!;
        if (dict.OtherKeys || keys.Count != 3 || !keys.TryGetValue("descr", out var descr)
            || !keys.TryGetValue("fortran_order", out var order) || !keys.TryGetValue("shape", out var shapeValue))
            throw fail("the header's keys are not exactly 'descr', 'fortran_order' and 'shape': " + Excerpt(header));
        // NumPy's check is isinstance(x, int), which a bool passes, but NumPy then fails to build the array: refuse.
        if (shapeValue.Kind != PyKind.Tuple || !shapeValue.Items!.TrueForAll(i => i.Kind == PyKind.Int))
            throw fail("the shape is not a tuple of integers: " + shapeValue.Describe());
        if (order.Kind != PyKind.Bool) throw fail("fortran_order is not True or False: " + order.Describe());
        if (descr.Kind != PyKind.Str)
            throw fail("descr is not a dtype string: " + descr.Describe() + " (FiberProduct reads no structured dtypes).");
        var (type, itemSize, bigEndian) = ParseDescr(descr.Text!, fail);

        var dims = shapeValue.Items!;
        var shape = new int[dims.Count];
        for (int k = 0; k < dims.Count; k++)
        {
            var d = dims[k];
            if (!d.IntTooLarge && d.Int < 0)
                throw fail(string.Create(CultureInfo.InvariantCulture, $"dimension {k} of the shape is negative: {shapeValue.Describe()}."));
            if (d.IntTooLarge || d.Int > int.MaxValue)
                throw fail(string.Create(CultureInfo.InvariantCulture,
                    $"dimension {k} of the shape, {d.Describe()}, is above {int.MaxValue}, the largest an NpyArray shape holds."));
            shape[k] = (int)d.Int;
        }
        return (type, itemSize, bigEndian, order.Int != 0, shape);
    }

    /// <summary>The product of the dimensions: 0 when any is 0 (however large the others), else checked against
    /// the longest array .NET allocates (or, mapped, the elements of 8 bytes a long offset addresses).</summary>
    private static long ElementCount(int[] shape, Func<string, Exception> fail, bool mapped)
    {
        if (Array.IndexOf(shape, 0) >= 0) return 0;
        long count = 1, most = mapped ? long.MaxValue / 8 : Array.MaxLength;
        foreach (int dim in shape)
        {
            if (count > most / dim)
            {
                string bound = mapped ? "a 64-bit file offset addresses" : "a .NET array holds";
                throw fail(string.Create(CultureInfo.InvariantCulture,
                    $"the shape {NpyData.Tuple(shape)} holds more than {most} elements, the most {bound}."));
            }
            count *= dim;
        }
        return count;
    }

    /// <summary>The dtype strings NumPy writes (dtype.str: byte order, kind, size) for the types FiberProduct
    /// reads; '=', '|' or no order mean the machine's own, as numpy.dtype takes them. NumPy also accepts names such
    /// as 'float32' or 'f'; it never writes them, and FiberProduct refuses them.</summary>
    private static (NpyElementType Type, int ItemSize, bool BigEndian) ParseDescr(string descr, Func<string, Exception> fail)
    {
        bool big = !BitConverter.IsLittleEndian;
        string code = descr;
        if (descr.Length > 0 && descr[0] is '<' or '>' or '=' or '|')
        {
            if (descr[0] == '<') big = false;
            if (descr[0] == '>') big = true;
            code = descr[1..];
        }
        return code switch
        {
            "f2" => (NpyElementType.Float16, 2, big),
            "f4" => (NpyElementType.Float32, 4, big),
            "f8" => (NpyElementType.Float64, 8, big),
            "u1" => (NpyElementType.UInt8, 1, big),
            "i4" => (NpyElementType.Int32, 4, big),
            "i8" => (NpyElementType.Int64, 8, big),
            _ when ByteStringWidth(code) is int width => (NpyElementType.Bytes, width, big),
            _ => throw fail($"unsupported dtype '{descr}': FiberProduct reads '<f2', '<f4', '<f8', '|u1', '<i4', '<i8' "
                + "(either byte order) and byte strings '|S1' to '|S65536'."),
        };
    }

    /// <summary>The width n of a byte-string code 'S n' (1 ≤ n ≤ 65536, far above any tag, so that count × width
    /// stays small), or null.</summary>
    private static int? ByteStringWidth(string code)
    {
        if (code.Length is < 2 or > 6 || code[0] != 'S' || code[1] == '0') return null;
        foreach (char c in code.AsSpan(1))
            if (c is < '0' or > '9') return null;
        int width = int.Parse(code.AsSpan(1), CultureInfo.InvariantCulture);
        return width <= 65536 ? width : null;
    }
}
