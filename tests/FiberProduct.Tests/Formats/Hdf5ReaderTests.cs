using FiberProduct.Embedding;
using FiberProduct.Formats;
using static FiberProduct.Tests.Formats.FormatFixtures;

namespace FiberProduct.Tests.Formats;

/// <summary>HDF5 files written by h5py (Data/formats/make_fixtures.py), read by <see cref="Hdf5Embeddings"/>; and
/// datasets that are not embeddings.</summary>
public class Hdf5ReaderTests
{
    [Fact]
    public void Float32Dataset_ReadsBitForBit()
    {
        AssertSame(Expected(0, wide: false), Hdf5Embeddings.Load(Data("embeddings.h5"), "embeddings"));
    }

    [Fact]
    public void Float64PairsInAGroup_StayFloat64()
    {
        var (images, texts) = Hdf5Embeddings.LoadPaired(Data("embeddings.h5"), "clip/image", "/clip/text");
        Assert.Equal(EmbeddingPrecision.Float64, images.Precision);
        AssertSame(Expected(0, wide: true), images);
        AssertSame(Expected(1, wide: true), texts);
    }

    [Fact]
    public void ChunkedDeflatedShuffledDataset_Reads()
    {
        AssertSame(Expected(0, wide: false), Hdf5Embeddings.Load(Data("embeddings.h5"), "chunked"));
    }

    [Fact]
    public void BigEndianDataset_Reads()
    {
        AssertSame(Expected(1, wide: true), Hdf5Embeddings.Load(Data("embeddings.h5"), "big_endian"));
    }

    [Fact]
    public void EmptyDataset_KeepsItsDimension()
    {
        var set = Hdf5Embeddings.Load(Data("embeddings.h5"), "empty");
        Assert.Equal((0, D), (set.Count, set.Dimension));
    }

    [Fact]
    public void Float16Dataset_IsWidenedExactlyToFloat32()
    {
        var set = Hdf5Embeddings.Load(Data("bad_datasets.h5"), "half");
        Assert.Equal(EmbeddingPrecision.Float32, set.Precision);
        Assert.Equal((N - 1, D), (set.Count, set.Dimension));
        for (int i = 1; i < N; i++)
            for (int k = 0; k < D; k++) Assert.Equal((float)(Half)Value(i, k, 1, false), set[i - 1, k]);
    }

    [Theory]
    [InlineData("ints", "holds 32-bit integer values; embeddings are float16, float32 or float64")]
    [InlineData("vector", "has shape (4); embeddings are a 2-D dataset (N, d)")]
    [InlineData("cube", "has shape (2, 5, 4); embeddings are a 2-D dataset (N, d)")]
    [InlineData("nan", "the value at row 3, column 2 is NaN")]
    [InlineData("infinity", "the value at row 1, column 0 is -Infinity")]
    [InlineData("strings", "holds string values")]
    [InlineData("group", "is a group, not a dataset")]
    [InlineData("no_such", "no such dataset; the file has")]
    [InlineData("group/no_such", "no such dataset")]
    [InlineData("ints/below", "no such dataset")]
    public void DatasetsThatAreNotEmbeddings_FailNamingFileAndDataset(string dataset, string reason)
    {
        string file = Data("bad_datasets.h5");
        var e = Assert.Throws<InvalidDataException>(() => Hdf5Embeddings.Load(file, dataset));
        Assert.StartsWith($"'{file}', dataset '{dataset}': ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains(reason, StringComparison.Ordinal), e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-100)]
    [InlineData(-4000)]
    [InlineData(2048)]
    [InlineData(600)]
    [InlineData(8)]
    [InlineData(0)]
    public void TruncatedFile_FailsNamingTheFile(int keep)
    {
        string path = Truncated("embeddings.h5", keep);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => Hdf5Embeddings.Load(path, "chunked"));
            Assert.StartsWith($"'{path}', dataset 'chunked': ", e.Message, StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void CutFile_IsTruncated_EvenWhereTheDatasetSurvives()
    {
        // The cut removes other datasets' data only; libhdf5 refuses such a file, and so do we.
        string path = Truncated("embeddings.h5", -1);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => Hdf5Embeddings.Load(path, "embeddings"));
            Assert.Contains("truncated: its superblock says it ends at byte", e.Message, StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AnotherFormat_FailsNamingTheFile()
    {
        string file = Data("pairs_f32.parquet");
        var e = Assert.Throws<InvalidDataException>(() => Hdf5Embeddings.Load(file, "embeddings"));
        Assert.StartsWith($"'{file}', dataset 'embeddings': not an HDF5 file (no superblock signature)", e.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetBeyondMaxArrayBytes_IsRefusedBeforeReading()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            Hdf5Embeddings.Load(Data("embeddings.h5"), "clip/image", new FormatReadLimits { MaxArrayBytes = 159 }));
        Assert.Contains("FormatReadLimits.MaxArrayBytes (159)", e.Message, StringComparison.Ordinal);
        Assert.Equal(N, Hdf5Embeddings.Load(Data("embeddings.h5"), "clip/image",
            new FormatReadLimits { MaxArrayBytes = 160 }).Count);
    }
}
