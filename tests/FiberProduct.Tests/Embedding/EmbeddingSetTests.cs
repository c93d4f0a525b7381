using FiberProduct.Embedding;
using FiberProduct.IO;

namespace FiberProduct.Tests.Embedding;

public class EmbeddingSetTests
{
    [Theory]
    [InlineData(float.NaN, "row 1, column 2 is NaN")]
    [InlineData(float.PositiveInfinity, "row 1, column 2 is Infinity")]
    [InlineData(float.NegativeInfinity, "row 1, column 2 is -Infinity")]
    public void NonFiniteValue_IsRejected_NamingRowAndColumn(float bad, string expected)
    {
        var values = new float[40];
        values[1 * 4 + 2] = bad;
        var e = Assert.Throws<ArgumentException>(() => new EmbeddingSet(values, 10, 4));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        var late = new float[4000]; // past the vectorised scan
        late[3999] = bad;
        Assert.Contains("row 999, column 3", Assert.Throws<ArgumentException>(() => new EmbeddingSet(late, 1000, 4))
            .Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_IsValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingSet(new float[6], 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingSet(Array.Empty<float>(), 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingSet(Array.Empty<float>(), -1, 3));
        Assert.Throws<ArgumentException>(() => EmbeddingSet.FromRows([new float[3], new float[2]]));
        Assert.Throws<ArgumentException>(() => EmbeddingSet.FromArray(new NpyArray(new float[8], 2, 2, 2)));
        Assert.Throws<ArgumentException>(() => EmbeddingSet.SplitModalities(new NpyArray(new float[12], 3, 2, 2)));
        Assert.Equal(0, new EmbeddingSet(ReadOnlySpan<float>.Empty, 0, 7).Count);
    }

    [Fact]
    public unsafe void Storage_IsAlignedAndContiguous_NormsCached()
    {
        var random = new Random(1);
        for (int trial = 0; trial < 20; trial++)
        {
            var values = Enumerable.Range(0, 3 * 5).Select(_ => (float)random.NextDouble()).ToArray();
            var set = new EmbeddingSet(values, 3, 5);
            fixed (float* p = set.Values) Assert.Equal(0, (long)p % 64);
            Assert.Equal(values, set.Values.ToArray());
            Assert.Equal(values[5..10], set.Row(1).ToArray());
            Assert.Equal(values[5..10].Sum(v => (double)v * v), set.SquaredNorm(1), 12);
        }
    }

    [Fact]
    public void Normalize_GivesUnitRows_AndRejectsZeroRows()
    {
        var set = new EmbeddingSet(new float[] { 3, 4, 0, 5 }, 2, 2).Normalize();
        Assert.Equal(EmbeddingPrecision.Float64, set.Precision); // normalising never narrows
        Assert.Equal(new[] { 3 / 5.0, 4 / 5.0, 0, 1 }, set.DoubleValues.ToArray());
        // no overflow, no underflow
        var huge = new EmbeddingSet(new double[] { 3e300, 4e300, 3e-320, 4e-320 }, 2, 2).Normalize();
        Assert.Equal(new[] { 0.6, 0.8, 0.6, 0.8 }, huge.DoubleValues.ToArray().Select(v => Math.Round(v, 15)));
        var e = Assert.Throws<InvalidOperationException>(
            () => new EmbeddingSet(new float[] { 1, 0, 0, 0 }, 2, 2).Normalize());
        Assert.Contains("Row 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SplitModalities_SlicesTheTwoHalves()
    {
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(v => (float)v).ToArray();
        var (images, texts) = EmbeddingSet.SplitModalities(new NpyArray(data, 2, 3, 4));
        Assert.Equal(data[..12], images.Values.ToArray());
        Assert.Equal(data[12..], texts.Values.ToArray());
        var roundTrip = new MemoryStream();
        Npy.Write(roundTrip, images.ToArray());
        roundTrip.Position = 0;
        Assert.Equal(images.Values.ToArray(), EmbeddingSet.FromArray(Npy.Read(roundTrip)).Values.ToArray());
    }
}
