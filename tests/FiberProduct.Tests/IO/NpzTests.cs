using System.IO.Compression;
using FiberProduct.IO;
using static FiberProduct.Tests.IO.NpyTestFiles;

namespace FiberProduct.Tests.IO;

public class NpzTests
{
    private const string Float10 = "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }";

    [Fact]
    public void DecompressionBomb_ThatDeclaresItsSize_IsRefusedBeforeInflating()
    {
        // 96 MiB of zeros deflate to about 100 KB: a ratio near 1,000.
        var body = new byte[96 << 20];
        var zip = Zip(CompressionLevel.Fastest,
            ("bomb.npy", Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (12582912,), }", body)));
        body = null;
        GC.Collect();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip)));
        Assert.Contains("member 'bomb.npy'", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxCompressionRatio", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, "the reader inflated the bomb");

        // The caller who expects such data turns the ratio check off and sets a byte limit instead.
        var limits = new NpyReadLimits { MaxCompressionRatio = double.PositiveInfinity, MaxNpzMemberBytes = 64 << 20 };
        e = Assert.Throws<InvalidDataException>(() => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip), limits));
        Assert.Contains("MaxNpzMemberBytes (67108864)", e.Message, StringComparison.Ordinal);
        limits = new NpyReadLimits { MaxCompressionRatio = double.PositiveInfinity };
        Assert.Equal(12582912, FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip), limits)["bomb"].Length);
    }

    [Fact]
    public void MemberThatInflatesPastItsDeclaredSize_IsStoppedThere()
    {
        // The .npy header and the declared size agree on 10 floats; the deflated data goes on for 8 MiB more.
        var npy = Npy(Float10, new byte[40]);
        var full = new byte[npy.Length + (8 << 20)];
        npy.CopyTo(full, 0);
        var zip = Zip(CompressionLevel.Optimal, ("liar.npy", full));
        DeclareUncompressedSize(zip, (uint)npy.Length);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip)));
        Assert.Contains("member 'liar.npy'", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20,
            "the reader inflated past the declaration");
    }

    [Fact]
    public void MemberThatDeclaresLessThanItsHeaderClaims_IsRefusedBeforeAllocating()
    {
        var zip = Zip(CompressionLevel.Optimal,
            ("liar.npy", Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }", new byte[64])));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip)));
        Assert.Contains("liar.npy", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20,
            "the reader allocated what the header claimed");
    }

    [Fact]
    public void TotalLimit_CountsEveryMember()
    {
        var one = Npy(Float10, new byte[40]);
        var zip = Zip(CompressionLevel.NoCompression, ("a.npy", one), ("b.npy", one), ("c.npy", one));
        var limits = new NpyReadLimits { MaxNpzTotalBytes = 2 * one.Length + 1 };
        var e = Assert.Throws<InvalidDataException>(() => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip), limits));
        Assert.Contains("member 'c.npy'", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip),
            new NpyReadLimits { MaxNpzTotalBytes = 3 * one.Length }).Count);
    }

    [Fact]
    public void RepeatedMemberName_ReadsTheLast_AsNumPyDoes()
    {
        var zip = Zip(CompressionLevel.NoCompression,
            ("a.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", BitConverter.GetBytes(1f))),
            ("a.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", BitConverter.GetBytes(2f))),
            ("notes.txt", "not an array"u8.ToArray()));
        var arrays = FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip));
        Assert.Equal(["a"], arrays.Keys);
        Assert.Equal([2f], arrays["a"].ToSingle());
    }

    [Fact]
    public void StreamThatCannotSeek_IsBufferedWithinTheTotalLimit()
    {
        var zip = Zip(CompressionLevel.Optimal, ("a.npy", Npy(Float10, new byte[40])));
        Assert.Equal(10, FiberProduct.IO.Npy.ReadNpz(new ForwardOnlyStream(zip))["a"].Length);
        var e = Assert.Throws<InvalidDataException>(
            () => FiberProduct.IO.Npy.ReadNpz(new ForwardOnlyStream(zip),
                new NpyReadLimits { MaxNpzTotalBytes = 100 }));
        Assert.Contains("cannot seek", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptArchive_IsInvalidData_NamingTheStream()
    {
        var zip = Zip(CompressionLevel.Optimal, ("a.npy", Npy(Float10, new byte[40])));
        var e = Assert.Throws<InvalidDataException>(() => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip[..^10])));
        Assert.StartsWith("'stream': ", e.Message, StringComparison.Ordinal);
        zip[40] ^= 0xFF; // inside the deflated data
        e = Assert.Throws<InvalidDataException>(() => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(zip)));
        Assert.StartsWith("'stream'", e.Message, StringComparison.Ordinal);
    }
}

public class Crc32Tests
{
    [Fact]
    public void Crc32_MatchesTheStandardCheckValue_AndIsSplitInvariant()
    {
        var crc = new FiberProduct.IO.Crc32();
        crc.Append("123456789"u8);
        Assert.Equal(0xCBF43926u, crc.Value); // the check value of CRC-32/ISO-HDLC
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        var whole = new FiberProduct.IO.Crc32();
        whole.Append(data);
        var parts = new FiberProduct.IO.Crc32();
        parts.Append(data.AsSpan(0, 13));
        parts.Append(data.AsSpan(13));
        Assert.Equal(whole.Value, parts.Value);
    }
}
