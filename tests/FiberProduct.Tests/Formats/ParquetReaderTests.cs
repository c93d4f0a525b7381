using FiberProduct.Embedding;
using FiberProduct.Formats;
using static FiberProduct.Tests.Formats.FormatFixtures;

namespace FiberProduct.Tests.Formats;

/// <summary>Parquet files written by the reference Arrow stack (Data/formats/make_fixtures.mjs: Apache Arrow for
/// JavaScript + parquet-wasm), read by <see cref="ParquetEmbeddings"/>; and files that are not embeddings.</summary>
public class ParquetReaderTests
{
    [Fact]
    public void PairedFloat32Columns_AsHuggingFaceStoresThem_ReadBitForBit()
    {
        var (images, texts) = ParquetEmbeddings.LoadPaired(Data("pairs_f32.parquet"),
            "image_embedding", "text_embedding");
        AssertSame(Expected(0, wide: false), images);
        AssertSame(Expected(1, wide: false), texts);
    }

    [Fact]
    public async Task Float64Columns_StayFloat64_AcrossRowGroups()
    {
        // Two rows per row group: the five rows come from three groups, in order; 1e300 and 1/3 survive.
        var (images, texts) = await ParquetEmbeddings.LoadPairedAsync(Data("pairs_f64.parquet"), "image_embedding",
            "text_embedding", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(EmbeddingPrecision.Float64, images.Precision);
        AssertSame(Expected(0, wide: true), images);
        AssertSame(Expected(1, wide: true), texts);
    }

    [Fact]
    public void FixedSizeListColumn_Reads()
    {
        AssertSame(Expected(0, wide: false), ParquetEmbeddings.Load(Data("fixed_size_f32.parquet"), "embedding"));
    }

    [Theory]
    [InlineData("ragged", "row 3 has 3 values; row 0 has 4")]
    [InlineData("null_row", "row 2 is null")]
    [InlineData("null_value", "row 4, position 1 is null")]
    [InlineData("nan", "row 1, position 2 is NaN")]
    [InlineData("infinity", "row 2, position 1 is -Infinity")]
    [InlineData("empty_list", "row 0 is an empty list")]
    [InlineData("ints", "holds integer (int32) values; embeddings are float32 or float64")]
    [InlineData("scalar", "holds one float32 value per row, not a list")]
    [InlineData("caption", "holds one string or binary value per row, not a list")]
    [InlineData("no_such_column", "no such column; the file has 'ragged', 'null_row'")]
    public void ColumnsThatAreNotEmbeddings_FailNamingFileColumnAndRow(string column, string reason)
    {
        string file = Data("bad_columns.parquet");
        var e = Assert.Throws<InvalidDataException>(() => ParquetEmbeddings.Load(file, column));
        Assert.StartsWith($"'{file}', column '{column}': ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains(reason, StringComparison.Ordinal), e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-8)]
    [InlineData(-200)]
    [InlineData(1000)]
    [InlineData(12)]
    [InlineData(0)]
    public void TruncatedFile_FailsNamingTheFile(int keep)
    {
        string path = Truncated("pairs_f32.parquet", keep);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ParquetEmbeddings.Load(path, "image_embedding"));
            Assert.StartsWith($"'{path}', column 'image_embedding': ", e.Message, StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AnotherFormat_FailsNamingTheFile()
    {
        string file = Data("embeddings.h5");
        var e = Assert.Throws<InvalidDataException>(() => ParquetEmbeddings.Load(file, "embeddings"));
        Assert.StartsWith($"'{file}', column 'embeddings': not a Parquet file: it does not begin and end with PAR1",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FooterThatHungParquetNet_FailsInsteadOfLooping()
    {
        // A mutated footer on which Parquet.Net 6.1's own parser loops forever; found by FormatsFuzzTests.
        string file = Path.Combine(AppContext.BaseDirectory, "Data", "fuzz", "formats", "hang-footer-8247fa27.parquet");
        var read = Assert.ThrowsAsync<InvalidDataException>(() => ParquetEmbeddings.LoadAsync(file, "embedding"));
        // TimeoutException: it looped
        var e = await read.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.StartsWith($"'{file}', column 'embedding': a Thrift header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsTheFileSystemsError()
    {
        Assert.Throws<FileNotFoundException>(() => ParquetEmbeddings.Load(Data("absent.parquet"), "x"));
    }

    [Fact]
    public void ColumnBeyondMaxArrayBytes_IsRefusedBeforeReading()
    {
        // 20 float32 values need 80 bytes (plus 8 bytes of levels each while a row group is read).
        var limits = new FormatReadLimits { MaxArrayBytes = 79 };
        var e = Assert.Throws<InvalidDataException>(
            () => ParquetEmbeddings.Load(Data("pairs_f32.parquet"), "image_embedding", limits));
        Assert.Contains("FormatReadLimits.MaxArrayBytes (79)", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, ParquetEmbeddings.Load(Data("pairs_f32.parquet"), "image_embedding",
            new FormatReadLimits { MaxArrayBytes = 240 }).Dimension);
    }

    [Fact]
    public void Limits_RefuseNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormatReadLimits { MaxArrayBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormatReadLimits { MaxCompressionRatio = 0.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FormatReadLimits { MaxCompressionRatio = double.NaN });
    }

    [Fact]
    public async Task Cancellation_IsNotWrapped()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ParquetEmbeddings.LoadAsync(Data("pairs_f64.parquet"), "image_embedding",
                cancellationToken: cancelled.Token));
    }
}
