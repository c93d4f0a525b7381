using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FiberProduct.IO;

namespace FiberProduct.Tests.IO;

public class NpyTests
{
    /// <summary>A .npy file written byte by byte, as NumPy lays it out, with any descr/order/shape and body.</summary>
    private static byte[] File(string header, byte[] body, int version = 1)
    {
        var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        string padded = header.PadRight(((version == 1 ? 10 : 12) + header.Length + 1 + 63) / 64 * 64 - (version == 1 ? 10 : 12) - 1) + "\n";
        var lengthBytes = new byte[4];
        if (version == 1) { BinaryPrimitives.WriteUInt16LittleEndian(lengthBytes, (ushort)padded.Length); stream.Write(lengthBytes, 0, 2); }
        else { BinaryPrimitives.WriteUInt32LittleEndian(lengthBytes, (uint)padded.Length); stream.Write(lengthBytes); }
        stream.Write(System.Text.Encoding.ASCII.GetBytes(padded));
        stream.Write(body);
        return stream.ToArray();
    }

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
            Assert.Equal(0, (stream.Length - array.Length * System.Runtime.InteropServices.Marshal.SizeOf(array.Data.GetType().GetElementType()!)) % 64);
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
        var a = ReadBytes(File("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", half));
        Assert.Equal(NpyElementType.Float16, a.ElementType);
        Assert.Equal(new[] { 1.5f, -0.25f }, a.ToSingle());

        var big = new byte[16];
        BinaryPrimitives.WriteDoubleBigEndian(big, 2.5);
        BinaryPrimitives.WriteDoubleBigEndian(big.AsSpan(8), -1);
        Assert.Equal(new[] { 2.5, -1 }, ReadBytes(File("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", big)).ToDouble());

        var bigFloat = new byte[8];
        BinaryPrimitives.WriteSingleBigEndian(bigFloat, 3.25f);
        BinaryPrimitives.WriteSingleBigEndian(bigFloat.AsSpan(4), 9f);
        Assert.Equal(new[] { 3.25f, 9f }, ReadBytes(File("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }", bigFloat)).ToSingle());

        // Fortran order: the 2×3 matrix [[1,2,3],[4,5,6]] is stored column by column as 1,4,2,5,3,6.
        var fortran = new float[] { 1, 4, 2, 5, 3, 6 };
        var body = System.Runtime.InteropServices.MemoryMarshal.AsBytes(fortran.AsSpan()).ToArray();
        var c = ReadBytes(File("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body));
        Assert.Equal(new[] { 1f, 2, 3, 4, 5, 6 }, c.ToSingle());
        Assert.Equal([2, 3], c.Shape);

        // Version 2.0 header.
        Assert.Equal(new[] { 1f, 4 }, ReadBytes(File("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", body[..8], version: 2)).ToSingle());
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }")] // claims 4 TB
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")]            // claims 12 bytes, holds 8
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")]            // claims 4 bytes, holds 8
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }")]            // wrong dtype size
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }")]            // unsupported dtype
    [InlineData("{'descr': '<f4', 'shape': (2,), }")]                                    // no fortran_order
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }")]           // negative dimension
    [InlineData("{'descr': 'f4', 'fortran_order': False, 'shape': (2,), }")]             // no byte order
    public void LyingOrMalformedHeader_IsInvalidData_BeforeAllocating(string header)
    {
        var body = new byte[8];
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => ReadBytes(File(header, body)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated what the header claimed");
    }

    [Fact]
    public void NotNpy_IsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => ReadBytes(System.Text.Encoding.ASCII.GetBytes("PK\u0003\u0004 not numpy")));
        Assert.Throws<InvalidDataException>(() => ReadBytes([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 9, 0, 0, 0]));
        Assert.Throws<InvalidDataException>(() => ReadBytes([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0xFF, 0x7F]));
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Npz_ReadsStoredAndDeflatedEntries(CompressionLevel level)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, array) in new[] { ("a", new NpyArray(new float[] { 1, 2, 3, 4 }, 2, 2)), ("b", new NpyArray(new double[] { 5 }, 1)) })
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
            entry.Write(File("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100), }", new byte[64]));
        }
        stream.Position = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Npy.ReadNpz(stream));
        Assert.Contains("liar.npy", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "the reader allocated what the header claimed");
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
