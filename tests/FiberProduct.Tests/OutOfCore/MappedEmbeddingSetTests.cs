using System.Buffers.Binary;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.IO;
using FiberProduct.OutOfCore;
using FiberProduct.Tests.IO;

namespace FiberProduct.Tests.OutOfCore;

/// <summary>
/// The memory-mapped reader gives the rows <see cref="EmbeddingSet.Load(string)"/> gives, in the file's precision,
/// for any row range; and every malformed file is an <see cref="InvalidDataException"/> naming the file and value.
/// </summary>
public sealed class MappedEmbeddingSetTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fiberproduct-mapped-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string File(string name) => Path.Combine(folder, name);

    private static float[] Singles(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    [Fact]
    public void Load_GivesTheRowsOfTheFile_InItsPrecision_ForEveryRange()
    {
        var singles = Singles(37 * 5, 1);
        var doubles = singles.Select(v => v / 3.0).ToArray();
        Npy.Write(File("f.npy"), new NpyArray(singles, 37, 5));
        Npy.Write(File("d.npy"), new NpyArray(doubles, 37, 5));
        using var f = MappedEmbeddingSet.Open(File("f.npy"));
        using var d = MappedEmbeddingSet.Open(File("d.npy"));
        Assert.Equal((37, 5, EmbeddingPrecision.Float32), (f.Count, f.Dimension, f.Precision));
        Assert.Equal(EmbeddingPrecision.Float64, d.Precision);
        foreach (var (start, count) in new[] { (0, 37), (0, 0), (36, 1), (5, 13), (37, 0) })
        {
            var block = f.Load(start, count);
            Assert.Equal(EmbeddingPrecision.Float32, block.Precision);
            Assert.Equal(singles.AsSpan(start * 5, count * 5).ToArray(), block.Values.ToArray());
            Assert.Equal(singles.AsSpan(start * 5, count * 5).ToArray(), f.Rows(start, count).ToArray());
            var wide = d.Load(start, count);
            Assert.Equal(EmbeddingPrecision.Float64, wide.Precision);
            Assert.Equal(doubles.AsSpan(start * 5, count * 5).ToArray(), wide.DoubleValues.ToArray());
            Assert.Equal(doubles.AsSpan(start * 5, count * 5).ToArray(), d.DoubleRows(start, count).ToArray());
        }
        Assert.Throws<InvalidOperationException>(() => f.DoubleRows(0, 1).Length);
        Assert.Throws<InvalidOperationException>(() => d.Rows(0, 1).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => f.Load(30, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.Load(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.Rows(0, 38).Length);
    }

    [Fact]
    public void OpenPaired_SplitsTheHalves_AsLoadPairedDoes()
    {
        var values = Singles(2 * 11 * 3, 2).Select(v => (double)v).ToArray();
        Npy.Write(File("p.npy"), new NpyArray(values, 2, 11, 3));
        var (images, texts) = MappedEmbeddingSet.OpenPaired(File("p.npy"));
        using (images)
        using (texts)
        {
            var (expectedImages, expectedTexts) = EmbeddingSet.LoadPaired(File("p.npy"));
            Assert.Equal((Modality.Images, Modality.Texts), (images.Part!.Value, texts.Part!.Value));
            Assert.Equal(expectedImages.DoubleValues.ToArray(), images.Load(0, 11).DoubleValues.ToArray());
            Assert.Equal(expectedTexts.DoubleValues.ToArray(), texts.Load(0, 11).DoubleValues.ToArray());
            Assert.Equal(expectedTexts.DoubleValues[6..9].ToArray(), texts.Load(2, 1).DoubleValues.ToArray());
            Assert.NotEqual(images.Fingerprint(), texts.Fingerprint());
        }
        var error = Assert.Throws<InvalidDataException>(() => MappedEmbeddingSet.Open(File("p.npy")));
        Assert.Contains(File("p.npy"), error.Message, StringComparison.Ordinal);
        Assert.Contains("(2, 11, 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BigEndianFiles_AreConvertedByLoad_AndRefusedInPlace()
    {
        var body = new byte[2 * 2 * 8];
        double[] values = [1.5, -2, 1e300, 0.125];
        for (int k = 0; k < 4; k++) BinaryPrimitives.WriteDoubleBigEndian(body.AsSpan(8 * k), values[k]);
        System.IO.File.WriteAllBytes(File("big.npy"),
            NpyTestFiles.Npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", body));
        using var set = MappedEmbeddingSet.Open(File("big.npy"));
        Assert.Equal(values, set.Load(0, 2).DoubleValues.ToArray());
        Assert.Equal(values[2..], set.Load(1, 1).DoubleValues.ToArray());
        var error = Assert.Throws<InvalidOperationException>(() => set.DoubleRows(0, 1).Length);
        Assert.Contains("'>f8'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_DependsOnTheValues_NotOnTheHeaderLayout()
    {
        var values = Singles(8 * 4, 3);
        Npy.Write(File("a.npy"), new NpyArray(values, 8, 4));
        var body = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        System.IO.File.WriteAllBytes(File("v3.npy"),
            NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (8, 4), }", body, version: 3));
        values[31] = MathF.BitIncrement(values[31]);
        Npy.Write(File("b.npy"), new NpyArray(values, 8, 4));
        using var a = MappedEmbeddingSet.Open(File("a.npy"));
        using var v3 = MappedEmbeddingSet.Open(File("v3.npy"));
        using var b = MappedEmbeddingSet.Open(File("b.npy"));
        Assert.StartsWith("sha256:", a.Fingerprint(), StringComparison.Ordinal);
        Assert.Equal(a.Fingerprint(), v3.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), b.Fingerprint());
    }

    [Fact]
    public void Load_RefusesBlocksAboveTheLimit_AndNonFiniteValues_NamingTheRowInTheFile()
    {
        var values = Singles(10 * 4, 4);
        values[7 * 4 + 2] = float.NaN;
        Npy.Write(File("nan.npy"), new NpyArray(values, 10, 4));
        using var set = MappedEmbeddingSet.Open(File("nan.npy"), new NpyReadLimits { MaxArrayBytes = 3 * 4 * 4 });
        Assert.Equal(3, set.Load(0, 3).Count);
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => set.Load(0, 4));
        Assert.Contains("MaxArrayBytes (48)", tooMany.Message, StringComparison.Ordinal);
        var error = Assert.Throws<ArgumentException>(() => set.Load(6, 2));
        Assert.Contains("row 7, column 2 is NaN", error.Message, StringComparison.Ordinal);
        Assert.Contains(File("nan.npy"), error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, int, string> HostileFiles() => new()
    {
        // name, header, data bytes, what the message must say
        { "int.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", 16, "the dtype is Int32" },
        { "half.npy", "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 4), }", 16, "the dtype is Float16" },
        { "fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, "Fortran" },
        { "flat.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 16, "is not (N, d)" },
        { "zero.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 0), }", 0, "dimension d = 0" },
        { "long.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", 16, "but 16 follow" },
        { "short.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }", 16, "but 16 follow" },
        { "words.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1}", 16, "keys are not" },
    };

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void HostileHeaders_AreInvalidData_NamingTheFileAndValue(string name, string header, int bytes,
        string expected)
    {
        System.IO.File.WriteAllBytes(File(name), NpyTestFiles.Npy(header, new byte[bytes]));
        var error = Assert.Throws<InvalidDataException>(() => MappedEmbeddingSet.Open(File(name)));
        Assert.StartsWith($"'{File(name)}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        // The file is closed again: it can be deleted and rewritten at once.
        System.IO.File.Delete(File(name));
    }

    [Fact]
    public void TruncatedFiles_AreInvalidData_BeforeAnyRowIsMapped()
    {
        Npy.Write(File("whole.npy"), new NpyArray(Singles(64 * 8, 5), 64, 8));
        var bytes = System.IO.File.ReadAllBytes(File("whole.npy"));
        foreach (int keep in new[] { 0, 5, 9, 60, bytes.Length - 1, bytes.Length - 4 * 8 })
        {
            System.IO.File.WriteAllBytes(File("cut.npy"), bytes[..keep]);
            var error = Assert.Throws<InvalidDataException>(() => MappedEmbeddingSet.Open(File("cut.npy")));
            Assert.Contains(File("cut.npy"), error.Message, StringComparison.Ordinal);
        }
        Assert.Throws<InvalidDataException>(() => MappedEmbeddingSet.OpenPaired(File("cut.npy")));
        Assert.Throws<FileNotFoundException>(() => MappedEmbeddingSet.Open(File("none.npy")));
    }

    [Fact]
    public void FilesBeyondTheLargestArray_AreMapped_AndReadByRows()
    {
        // 4,200,000 × 512 float32 values are more than Array.MaxLength, which Npy.Read refuses; a sparse file of
        // 8.6 GB takes no disk.
        const int rows = 4_200_000, d = 512;
        var header = NpyTestFiles.Npy($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {d}), }}", []);
        using (var stream = System.IO.File.Create(File("huge.npy")))
        {
            stream.Write(header);
            stream.SetLength(header.Length + (long)rows * d * 4);
        }
        using var set = MappedEmbeddingSet.Open(File("huge.npy"));
        Assert.Equal((rows, d), (set.Count, set.Dimension));
        Assert.Equal(new float[10 * d], set.Load(rows - 10, 10).Values.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => Npy.Read(File("huge.npy")));
        Assert.Contains("the most a .NET array holds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposed_RefusesReads()
    {
        Npy.Write(File("x.npy"), new NpyArray(Singles(4, 6), 2, 2));
        var set = MappedEmbeddingSet.Open(File("x.npy"));
        set.Dispose();
        set.Dispose();
        Assert.Throws<ObjectDisposedException>(() => set.Load(0, 1));
        Assert.Throws<ObjectDisposedException>(() => set.Fingerprint());
    }
}
