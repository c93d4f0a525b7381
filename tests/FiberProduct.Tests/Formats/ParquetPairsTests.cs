using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Formats;
using static FiberProduct.Tests.Formats.FormatFixtures;

namespace FiberProduct.Tests.Formats;

/// <summary>Pair sets written by <see cref="ParquetPairs"/>, read by the reference Arrow reader
/// (parquet-wasm).</summary>
public class ParquetPairsTests
{
    private static PairSet Pairs(double epsilon)
    {
        var random = new Random(7);
        float[] Values(int n) => Enumerable.Range(0, n * 3).Select(_ => (float)random.NextDouble()).ToArray();
        return new ApproximateFiberProduct(new EmbeddingSet(Values(40), 40, 3), new EmbeddingSet(Values(30), 30, 3))
            .Pairs(epsilon);
    }

    [Theory]
    [InlineData(0.4, 1 << 22)]
    [InlineData(0.4, 7)]      // many row groups: the CSR rows expand correctly across group boundaries
    [InlineData(-1.0, 1 << 22)] // no pairs: an empty table that still records the shape
    public async Task PairTable_ReadByTheReferenceReader_HoldsEveryPairInOrder(double epsilon, int pairsPerGroup)
    {
        var pairs = epsilon < 0 ? ApproximateFiberProduct.ExactMatches(new EmbeddingSet([1f, 2f], 2, 1),
            new EmbeddingSet([3f], 1, 1)) : Pairs(epsilon);
        string path = TempFile(".parquet");
        try
        {
            var stream = File.Create(path);
            await using (stream)
                await ParquetPairs.WriteAsync(stream, pairs, pairsPerGroup, TestContext.Current.CancellationToken);
            var image = ReadWithParquetWasm(path, "image");
            var text = ReadWithParquetWasm(path, "text");
            var distance = ReadWithParquetWasm(path, "distance");
            var expected = pairs.ToList();
            Assert.Equal(expected.Select(p => p.Image),
                image.GetProperty("values").EnumerateArray().Select(v => v.GetInt32()));
            Assert.Equal(expected.Select(p => p.Text),
                text.GetProperty("values").EnumerateArray().Select(v => v.GetInt32()));
            Assert.Equal(expected.Select(p => p.Distance),
                distance.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
            var metadata = image.GetProperty("metadata");
            Assert.Equal(pairs.RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                metadata.GetProperty("fiberproduct.images").GetString());
            Assert.Equal(pairs.ColumnCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                metadata.GetProperty("fiberproduct.texts").GetString());
            Assert.Equal("false", metadata.GetProperty("fiberproduct.truncated").GetString());
            if (epsilon > 0) Assert.InRange(expected.Count, 10, 1199);
        }
        finally { File.Delete(path); }
    }
}
