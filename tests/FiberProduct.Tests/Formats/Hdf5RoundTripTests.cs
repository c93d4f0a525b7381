using FiberProduct.Embedding;
using FiberProduct.Formats;
using FsCheck.Xunit;
using static FiberProduct.Tests.Formats.FormatFixtures;

namespace FiberProduct.Tests.Formats;

/// <summary>HDF5 written by <see cref="Hdf5Embeddings"/>: read back by us, and by h5py where it is installed.</summary>
public class Hdf5RoundTripTests
{
    [Property(Arbitrary = [typeof(FormatFixtures)], MaxTest = 60)]
    public void AnySet_RoundTrips_BitForBit_InItsPrecision(EmbeddingSet set)
    {
        string path = TempFile(".h5");
        try
        {
            Hdf5Embeddings.Save(path, "group/embeddings", set);
            AssertSame(set, Hdf5Embeddings.Load(path, "group/embeddings"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void PairedDatasets_RoundTrip_WithMixedPrecision_AndEmptySets()
    {
        string path = TempFile(".h5");
        try
        {
            Hdf5Embeddings.SavePaired(path, Expected(0, wide: false), Expected(1, wide: true),
                "clip/image", "clip/text");
            var (images, texts) = Hdf5Embeddings.LoadPaired(path, "clip/image", "clip/text");
            AssertSame(Expected(0, wide: false), images);
            AssertSame(Expected(1, wide: true), texts);

            Hdf5Embeddings.Save(path, "empty", new EmbeddingSet(ReadOnlySpan<double>.Empty, 0, 3));
            var empty = Hdf5Embeddings.Load(path, "empty");
            Assert.Equal((0, 3, EmbeddingPrecision.Float64), (empty.Count, empty.Dimension, empty.Precision));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void DatasetsThatCannotBeStored_AreRefused()
    {
        string path = TempFile(".h5");
        Assert.Throws<ArgumentException>(() => Hdf5Embeddings.Save(path, "", Expected(0, false)));
        Assert.Throws<ArgumentException>(() => Hdf5Embeddings.Save(path, "/", Expected(0, false)));
        Assert.Throws<ArgumentException>(() => Hdf5Embeddings.SavePaired(path, Expected(0, false),
            Expected(0, false).SelectRows([0])));
        Assert.Throws<ArgumentException>(() => Hdf5Embeddings.SavePaired(path, Expected(0, false),
            Expected(1, false), "a", "/a"));
        Assert.Throws<ArgumentException>(() => Hdf5Embeddings.SavePaired(path, Expected(0, false),
            Expected(1, false), "a", "a/b"));
        File.Delete(path);
    }

    [Theory]
    [InlineData(false, "float32")]
    [InlineData(true, "float64")]
    public void OurFiles_ReadWithH5py(bool wide, string dtype)
    {
        var set = Expected(0, wide);
        string path = TempFile(".h5");
        try
        {
            Hdf5Embeddings.SavePaired(path, set, Expected(1, wide), "clip/image", "clip/text");
            var dataset = ReadWithH5py(path, "clip/image");
            Assert.Equal(dtype, dataset.GetProperty("dtype").GetString());
            Assert.Equal([N, D], dataset.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(Convert.ToHexString(Bytes(set)), dataset.GetProperty("hex").GetString(), ignoreCase: true);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TheFixtures_ReadWithH5py_AsWeReadThem()
    {
        var dataset = ReadWithH5py(Data("embeddings.h5"), "big_endian");
        Assert.Equal(Convert.ToHexString(Bytes(Expected(1, wide: true))),
            dataset.GetProperty("hex").GetString(), ignoreCase: true);
    }
}
