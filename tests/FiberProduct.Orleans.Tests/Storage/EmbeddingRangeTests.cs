using FiberProduct.Embedding;
using FiberProduct.IO;
using FiberProduct.Orleans.Tests.Cluster;

namespace FiberProduct.Orleans.Tests.Storage;

/// <summary>
/// A range of rows read from a .npy file is exactly those rows of the whole file, in its precision. Fails if the
/// reader seeks to the wrong offset, narrows float64, or accepts a file it cannot read in place.
/// </summary>
public sealed class EmbeddingRangeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARange_HoldsThoseRowsOfTheFile(bool wide)
    {
        using var files = new TempFiles();
        var random = new Random(3);
        var values = Enumerable.Range(0, 37 * 5).Select(_ => random.NextDouble() - 0.5).ToArray();
        var set = wide ? new EmbeddingSet(values, 37, 5)
            : new EmbeddingSet(values.Select(v => (float)v).ToArray(), 37, 5);
        var whole = files.Write(set);
        Assert.Equal(37, whole.Count);
        var part = whole.Slice(10, 20).Load();
        Assert.Equal(set.Precision, part.Precision);
        Assert.Equal(20, part.Count);
        for (int i = 0; i < 20; i++)
            for (int c = 0; c < 5; c++) Assert.Equal(set[10 + i, c], part[i, c]);
        Assert.Equal(0, whole.Slice(37, 0).Load().Count);
    }

    [Fact]
    public void ARangePastTheLastRow_IsRefusedNamingTheFile()
    {
        using var files = new TempFiles();
        var whole = files.Write(new EmbeddingSet(new float[6], 3, 2));
        var error = Assert.Throws<InvalidDataException>(() => new EmbeddingRange(whole.Path, 2, 2).Load());
        Assert.Contains(whole.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("holds 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatCannotBeReadInPlace_IsRefusedNamingTheFile()
    {
        using var files = new TempFiles();
        string cube = files.PathOf("cube.npy"), integers = files.PathOf("integers.npy");
        Npy.Write(cube, new NpyArray(new float[8], 2, 2, 2));
        Npy.Write(integers, new NpyArray(new int[4], 2, 2));
        Assert.Contains(cube, Assert.Throws<InvalidDataException>(() => EmbeddingRange.WholeFile(cube)).Message,
            StringComparison.Ordinal);
        var integerError = Assert.Throws<InvalidDataException>(() => EmbeddingRange.WholeFile(integers));
        Assert.Contains("float32", integerError.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => EmbeddingRange.WholeFile(files.PathOf("missing.npy")));
    }

    [Fact]
    public void ANanInTheRange_IsRefusedNamingTheFileAndRows()
    {
        using var files = new TempFiles();
        string path = files.PathOf("nan.npy");
        Npy.Write(path, new NpyArray(new[] { 1f, 2f, float.NaN, 4f }, 2, 2));
        Assert.Equal(1, new EmbeddingRange(path, 0, 1).Load().Count);
        var error = Assert.Throws<InvalidDataException>(() => new EmbeddingRange(path, 1, 1).Load());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("rows 1 … 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadArguments_AreRefusedNamingThem()
    {
        Assert.Equal("path", Assert.ThrowsAny<ArgumentException>(() => new EmbeddingRange(" ", 0, 1)).ParamName);
        Assert.Equal("start",
            Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingRange("a.npy", -1, 1)).ParamName);
        Assert.Equal("count",
            Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingRange("a.npy", 0, -1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingRange("a.npy", int.MaxValue, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingRange("a.npy", 0, 5).Slice(3, 3));
        Assert.Equal(new EmbeddingRange("a.npy", 4, 2), new EmbeddingRange("a.npy", 1, 9).Slice(3, 2));
    }
}
