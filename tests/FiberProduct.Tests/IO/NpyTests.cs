using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FiberProduct.IO;

namespace FiberProduct.Tests.IO;

public class NpyTests
{
    private static NpyArray ReadBytes(byte[] bytes) => Npy.Read(new MemoryStream(bytes));

    [Fact]
    public void RoundTrip_KeepsShapeTypeAndValues()
    {
        var arrays = new NpyArray[]
        {
            new(new float[] { 1.5f, -2, float.Epsilon, float.MaxValue, 0, 7 }, 2, 3),
            new(new double[] { Math.PI, -1e300 }, 2),
            new(new int[] { 1, -2, int.MaxValue, int.MinValue }, 2, 2, 1),
            new(new long[] { long.MinValue, 3 }, 2),
            new(new byte[] { 0, 255, 7 }, 3),
            new(Array.Empty<float>(), 0, 512),
        };
        foreach (var array in arrays)
        {
            var stream = new MemoryStream();
            Npy.Write(stream, array);
            Assert.Equal(0,
                (stream.Length
                    - array.Length
                    * System.Runtime.InteropServices.Marshal.SizeOf(array.Data.GetType().GetElementType()!)) % 64);
            stream.Position = 0;
            var back = Npy.Read(stream);
            Assert.Equal(array.Shape, back.Shape);
            Assert.Equal(array.ElementType, back.ElementType);
            Assert.Equal(array.Data, back.Data);
        }
    }

    [Fact]
    public void Reads_Float16_BigEndian_AndFortranOrder()
    {
        var half = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(half, (Half)1.5);
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(2), (Half)(-0.25));
        var a = ReadBytes(NpyTestFiles.Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", half));
        Assert.Equal(NpyElementType.Float16, a.ElementType);
        Assert.Equal(new[] { 1.5f, -0.25f }, a.ToSingle());

        var big = new byte[16];
        BinaryPrimitives.WriteDoubleBigEndian(big, 2.5);
        BinaryPrimitives.WriteDoubleBigEndian(big.AsSpan(8), -1);
        Assert.Equal(new[] { 2.5, -1 },
            ReadBytes(NpyTestFiles.Npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", big)).ToDouble());

        var bigFloat = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(bigFloat, 3.25f);
        BinaryPrimitives.WriteSingleBigEndian(bigFloat.AsSpan(4), 9f);
        Assert.Equal(new[] { 3.25f, 9f },
            ReadBytes(NpyTestFiles.Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }", bigFloat))
            .ToSingle());

        // Fortran order: the 2×3 matrix [[1,2,3],[4,5,6]] is stored column by column as 1,4,2,5,3,6.
        var fortran = new float[] { 1, 4, 2, 5, 3, 6 };
        var body = System.Runtime.InteropServices.MemoryMarshal.AsBytes(fortran.AsSpan()).ToArray();
        var c = ReadBytes(NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body));
        Assert.Equal(new[] { 1f, 2, 3, 4, 5, 6 }, c.ToSingle());
        Assert.Equal([2, 3], c.Shape);

        // Version 2.0 header.
        Assert.Equal(new[] { 1f, 4 },
            ReadBytes(NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                body.AsSpan(0, 8), version: 2)).ToSingle());
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }")] // claims 4 TB
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")]            // claims 12 bytes, holds 8
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")]            // claims 4 bytes, holds 8
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }")]            // wrong dtype size
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }")]            // unsupported dtype
    [InlineData("{'descr': '<f4', 'shape': (2,), }")]                                    // no fortran_order
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }")]           // negative dimension
    [InlineData("{'descr': 'float32', 'fortran_order': False, 'shape': (2,), }")]        // a dtype name, not a typestr
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,,4), }")]          // NumPy: a syntax error
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (True, 2), }")]       // NumPy fails on a bool
    [InlineData("{'descr': '<f4', 'fortran_order': 1, 'shape': (2,), }")]                // not a bool
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}")]  // a fourth key
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }")]             // a list, not a tuple
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }, ")]          // a tuple holding the dict
    [InlineData("\n  {'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")]       // Python: unexpected indent
    public void LyingOrMalformedHeader_IsInvalidData_BeforeAllocating(string header)
    {
        var body = new byte[8];
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(NpyTestFiles.Npy(header, body)));
        Assert.StartsWith("'stream': ", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20,
            "the reader allocated what the header claimed");
    }

    [Theory]
    // the last key wins
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'descr': '<f4', }")]
    [InlineData("{\"descr\": '<' 'f4', 'fortran_order': (False), 'shape': (+2,), }")]              // Python spellings
    [InlineData("{'descr': '\\x3cf4', 'fortran_order': False, 'shape': (0x2,), }")]                // escapes, hex
    [InlineData("# written by hand\n{'descr': '<f4', # the type\n 'fortran_order': False, 'shape': (2,)}")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }")]                       // Python 2 long
    // any literal, overwritten
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': set(), 'shape': (2,), }")]
    public void PythonSpellingsNumPyAccepts_AreRead(string header)
    {
        var body = new byte[8];
        var a = ReadBytes(NpyTestFiles.Npy(header, body));
        Assert.Equal(NpyElementType.Float32, a.ElementType);
        Assert.Equal([2], a.Shape);
    }

    [Fact]
    public void VersionOtherThan_1_2_3_Point0_IsRefused()
    {
        var bytes = NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        bytes[7] = 9; // version 1.9
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(bytes));
        Assert.Contains("version 1.9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Version3_HeaderIsUtf8_AndTakesNoPython2Longs()
    {
        // A comment in UTF-8 and a full-width "ｓｅｔ()" (Python normalises names to NFKC) as an overwritten value.
        var a = ReadBytes(NpyTestFiles.Npy(
            "{'descr': '<f4', # größe\n 'fortran_order': False, 'shape': ｓｅｔ(), 'shape': (2,)}", new byte[8],
            version: 3));
        Assert.Equal([2], a.Shape);
        Assert.Throws<InvalidDataException>(() => ReadBytes(
            NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,)}", new byte[8], version: 3)));
        var bytes = NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 'é'}",
            new byte[8], version: 3);
        int e = Array.IndexOf(bytes, (byte)0xC3);
        bytes[e + 1] = 0x28; // an invalid UTF-8 continuation byte
        var error = Assert.Throws<InvalidDataException>(() => ReadBytes(bytes));
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyShapeWithHugeDimension_HoldsNoElements()
    {
        var a = ReadBytes(NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 0), }", []));
        Assert.Equal([2147483647, 0], a.Shape);
        Assert.Equal(0, a.Length);
    }

    [Fact]
    public void HeaderLongerThanTheLimit_IsRefused_AsNumPyDoes()
    {
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".PadRight(20_000);
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(NpyTestFiles.Npy(header, new byte[8], version: 2)));
        Assert.Contains("MaxHeaderLength (10000", e.Message, StringComparison.Ordinal);
        var a = Npy.Read(new MemoryStream(NpyTestFiles.Npy(header, new byte[8], version: 2)),
            new NpyReadLimits { MaxHeaderLength = 30_000 });
        Assert.Equal([2], a.Shape);
    }

    [Fact]
    public void CraftedMegabyteHeader_IsParsedInOnePass()
    {
        // 1 MiB of nested brackets, strings and numbers: refused or read, but never with quadratic work. The
        // allocation bound stands in for time (timing checks stay out of unit tests).
        string junk = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': ["
            + string.Concat(Enumerable.Repeat("'a' 'b', 1_0, (((1,),),), ", 40_000)) + "]}";
        var limits = new NpyReadLimits { MaxHeaderLength = 4 << 20 };
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(
            () => Npy.Read(new MemoryStream(NpyTestFiles.Npy(junk, new byte[8], version: 2)), limits));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 200L << 20);
    }

    [Fact]
    public void Errors_NameTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fiberproduct-npy-{Guid.NewGuid():N}.npy");
        try
        {
            System.IO.File.WriteAllBytes(path,
                NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new byte[8]));
            var e = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
            Assert.StartsWith($"'{path}': the header declares shape (3,)", e.Message, StringComparison.Ordinal);
        }
        finally { System.IO.File.Delete(path); }
    }

    [Fact]
    public void NpzReadAsNpy_PointsToReadNpz_AndTheReverse()
    {
        var npz = new MemoryStream();
        Npy.WriteNpz(npz, new Dictionary<string, NpyArray> { ["a"] = new(new float[] { 1 }, 1) }, compress: false);
        var e = Assert.Throws<InvalidDataException>(() => ReadBytes(npz.ToArray()));
        Assert.Contains("read it with Npy.ReadNpz", e.Message, StringComparison.Ordinal);

        var npy = new MemoryStream();
        Npy.Write(npy, new NpyArray(new float[] { 1 }, 1));
        npy.Position = 0;
        e = Assert.Throws<InvalidDataException>(() => Npy.ReadNpz(npy));
        Assert.Contains("read it with Npy.Read.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotNpy_IsInvalidData()
    {
        Assert.Throws<InvalidDataException>(
            () => ReadBytes(System.Text.Encoding.ASCII.GetBytes("PK\u0003\u0004 not numpy")));
        Assert.Throws<InvalidDataException>(
            () => ReadBytes([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 9, 0, 0, 0]));
        Assert.Throws<InvalidDataException>(
            () => ReadBytes([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0xFF, 0x7F]));
        Assert.Throws<InvalidDataException>(() => ReadBytes([]));
    }

    [Fact]
    public void FortranOrder_OfThreeAxes_IsTransposedToC()
    {
        // a[i, j, k] = 100 i + 10 j + k for shape (2, 3, 4); Fortran order stores i fastest.
        var fortran = new int[24];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    fortran[i + 2 * (j + 3 * k)] = 100 * i + 10 * j + k;
        var body = System.Runtime.InteropServices.MemoryMarshal.AsBytes(fortran.AsSpan()).ToArray();
        var a = ReadBytes(NpyTestFiles.Npy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }", body));
        var c = (int[])a.Data;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(100 * i + 10 * j + k, c[(i * 3 + j) * 4 + k]);
    }

    [Fact]
    public void StreamThatCannotSeek_IsReadInChunks_AndALieCostsAtMostTwiceWhatItHolds()
    {
        var honest = NpyTestFiles.Npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3000000,), }", new byte[12_000_000]);
        Assert.Equal(3_000_000, Npy.Read(new ForwardOnlyStream(honest)).Length);

        // claims 2 GB
        var lying = NpyTestFiles.Npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (250000000,), }", new byte[1 << 20]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(new ForwardOnlyStream(lying)));
        Assert.Contains("ends after 1048576 bytes", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20,
            "the reader allocated what the header claimed");
    }

    [Fact]
    public void ArrayLimit_IsCheckedBeforeAllocating()
    {
        var bytes = NpyTestFiles.Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1000,), }", new byte[2000]);
        var e = Assert.Throws<InvalidDataException>(
            () => Npy.Read(new MemoryStream(bytes), new NpyReadLimits { MaxArrayBytes = 3999 }));
        Assert.Contains("4000 bytes in memory, more than NpyReadLimits.MaxArrayBytes (3999)", e.Message,
            StringComparison.Ordinal);
        Assert.Equal(1000, Npy.Read(new MemoryStream(bytes), new NpyReadLimits { MaxArrayBytes = 4000 }).Length);
    }

    [Fact]
    public void Limits_RefuseNonPositiveValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NpyReadLimits { MaxHeaderLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new NpyReadLimits { MaxNpzTotalBytes = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new NpyReadLimits { MaxCompressionRatio = double.NaN });
        Assert.True(NpyReadLimits.Default.MaxArrayBytes >= 1L << 30);
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Npz_ReadsStoredAndDeflatedEntries(CompressionLevel level)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, array) in new[] { ("a", new NpyArray(new float[] { 1, 2, 3, 4 }, 2, 2)),
                ("b", new NpyArray(new double[] { 5 }, 1)) })
            {
                using var entry = zip.CreateEntry(name + ".npy", level).Open();
                Npy.Write(entry, array);
            }
        }
        stream.Position = 0;
        var arrays = Npy.ReadNpz(stream);
        Assert.Equal(new[] { 1f, 2, 3, 4 }, arrays["a"].ToSingle());
        Assert.Equal(new[] { 5.0 }, arrays["b"].ToDouble());

        var written = new MemoryStream();
        Npy.WriteNpz(written, arrays, compress: level != CompressionLevel.NoCompression);
        written.Position = 0;
        Assert.Equal(arrays["a"].Data, Npy.ReadNpz(written)["a"].Data);
    }

    [Fact]
    public void Npz_EntryWithLyingHeader_IsInvalidData_NamingTheEntry()
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("liar.npy", CompressionLevel.Optimal).Open();
            entry.Write(
                NpyTestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100), }",
                    new byte[64]));
        }
        stream.Position = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Npy.ReadNpz(stream));
        Assert.Contains("liar.npy", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20,
            "the reader allocated what the header claimed");
    }

    [Fact]
    public void ReadsTheRealClipFile()
    {
        using var file = FiberProduct.Datasets.CocoClip500.OpenFile("features_clip.npy");
        var array = Npy.Read(file);
        Assert.Equal([2, 500, 512], array.Shape);
        Assert.Equal(NpyElementType.Float32, array.ElementType);
    }
}
