using FiberProduct.Embedding;
using FiberProduct.Formats;
using FsCheck.Xunit;
using static FiberProduct.Tests.Formats.FormatFixtures;

namespace FiberProduct.Tests.Formats;

/// <summary>Parquet written by <see cref="ParquetEmbeddings"/>: read back by us, and by the reference Arrow reader
/// (parquet-wasm) where it is installed.</summary>
public class ParquetRoundTripTests
{
    [Property(Arbitrary = [typeof(FormatFixtures)], MaxTest = 60)]
    public void AnySet_RoundTrips_BitForBit_InItsPrecision(EmbeddingSet set)
    {
        string path = TempFile(".parquet");
        try
        {
            ParquetEmbeddings.Save(path, "embedding", set);
            AssertSame(set, ParquetEmbeddings.Load(path, "embedding"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task ManyRowGroups_RoundTrip_InOrder()
    {
        var set = Expected(0, wide: true);
        string path = TempFile(".parquet");
        try
        {
            var stream = File.Create(path);
            await using (stream)
                await ParquetColumnWriter.WriteAsync(stream, [("a", set), ("b", Expected(1, wide: false))],
                    rowsPerGroup: 2, TestContext.Current.CancellationToken);
            var (a, b) = ParquetEmbeddings.LoadPaired(path, "a", "b");
            AssertSame(set, a);
            AssertSame(Expected(1, wide: false), b);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task LegacyTwoLevelRepeatedColumn_Reads()
    {
        // `repeated float legacy` with no LIST group, as old writers stored lists; written here with Parquet.Net's
        // low-level API, since the Arrow writers no longer produce it.
        var set = Expected(0, wide: false);
        string path = TempFile(".parquet");
        try
        {
            var field = new global::Parquet.Schema.DataField("legacy", typeof(float), isNullable: false, isArray: true);
            var stream = File.Create(path);
            await using (stream)
            {
                var writer = await global::Parquet.ParquetWriter.CreateAsync(
                    new global::Parquet.Schema.ParquetSchema(field), stream,
                    cancellationToken: TestContext.Current.CancellationToken);
                await using (writer)
                {
                    using var group = writer.CreateRowGroup();
                    var repetitions = Enumerable.Range(0, N * D).Select(i => i % D == 0 ? 0 : 1).ToArray();
                    await group.WriteAsync<float>(field, set.Values.ToArray(), repetitions,
                        cancellationToken: TestContext.Current.CancellationToken);
                }
            }
            var schema = await global::Parquet.ParquetReader.ReadSchemaAsync(path);
            Assert.IsType<global::Parquet.Schema.DataField>(schema.Fields[0]); // a repeated leaf, not a LIST group
            AssertSame(set, await ParquetEmbeddings.LoadAsync(path, "legacy",
                cancellationToken: TestContext.Current.CancellationToken));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void PairedColumns_RoundTrip_WithMixedPrecision()
    {
        string path = TempFile(".parquet");
        try
        {
            ParquetEmbeddings.SavePaired(path, Expected(0, wide: false), Expected(1, wide: true));
            var (images, texts) = ParquetEmbeddings.LoadPaired(path, "image_embedding", "text_embedding");
            AssertSame(Expected(0, wide: false), images);
            AssertSame(Expected(1, wide: true), texts);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SetsThatCannotBeStored_AreRefused()
    {
        var empty = new EmbeddingSet(ReadOnlySpan<float>.Empty, 0, 3);
        string path = TempFile(".parquet");
        Assert.Throws<ArgumentException>(() => ParquetEmbeddings.Save(path, "e", empty));
        Assert.Throws<ArgumentException>(() => ParquetEmbeddings.Save(path, "", Expected(0, false)));
        Assert.Throws<ArgumentException>(() => ParquetEmbeddings.SavePaired(path, Expected(0, false),
            Expected(0, false).SelectRows([0, 1])));
        Assert.Throws<ArgumentException>(() => ParquetEmbeddings.SavePaired(path, Expected(0, false),
            Expected(1, false), "x", "x"));
        File.Delete(path);
    }

    [Theory]
    [InlineData(false, "List<Float32>")]
    [InlineData(true, "List<Float64>")]
    public void OurFiles_ReadWithTheReferenceReader_AsListOfElement(bool wide, string arrowType)
    {
        var set = Expected(0, wide);
        string path = TempFile(".parquet");
        try
        {
            ParquetEmbeddings.SavePaired(path, set, Expected(1, wide));
            var column = ReadWithParquetWasm(path, "image_embedding");
            Assert.Equal(arrowType, column.GetProperty("type").GetString());
            Assert.Equal("element", column.GetProperty("element").GetString()); // pyarrow's name: the 3-level LIST
            Assert.Equal(N, column.GetProperty("rows").GetInt32());
            Assert.Equal(D, column.GetProperty("dimension").GetInt32());
            Assert.Equal(Convert.ToHexString(Bytes(set)), column.GetProperty("hex").GetString(), ignoreCase: true);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TheFixtures_ReadWithTheReferenceReader_AsWeReadThem()
    {
        // The reference reader agrees with ours on the reference writer's files, so the fixtures' values are known.
        var column = ReadWithParquetWasm(Data("pairs_f64.parquet"), "text_embedding");
        Assert.Equal(Convert.ToHexString(Bytes(Expected(1, wide: true))),
            column.GetProperty("hex").GetString(), ignoreCase: true);
    }
}
