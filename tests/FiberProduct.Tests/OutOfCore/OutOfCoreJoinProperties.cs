using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.OutOfCore;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.OutOfCore;

/// <summary>
/// FsCheck properties of the block join: for random sizes and block sizes (most not dividing N or M), float32,
/// float64 and mixed files, coordinates on a coarse grid (duplicates, ties, equal distances) and tolerances taken from
/// the pair distances themselves (pairs exactly on the boundary), the union of the shards is the in-memory join's
/// pair set: the same rows, columns and distances, bit for bit.
/// </summary>
public sealed class OutOfCoreJoinProperties : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fiberproduct-blocks-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public sealed record Instance(float[] X, float[] Y, int N, int M, int D, bool ImagesWide, bool TextsWide,
        int ImageBlock, int TextBlock, FiberMetric Metric, double[] Epsilons, int Seed)
    {
        public override string ToString() =>
            $"{N}×{M}×{D} ({(ImagesWide ? "f8" : "f4")}, {(TextsWide ? "f8" : "f4")}), "
            + $"blocks {ImageBlock}×{TextBlock}, "
            + $"{Metric}, ε ∈ [{string.Join(", ", Epsilons)}], seed {Seed}";
    }

    public static Arbitrary<Instance> Instances() =>
        (from n in Gen.Choose(0, 40)
         from m in Gen.Choose(0, 45)
         from d in Gen.Elements(1, 3, 16, 17, 40)
         from wide in Gen.Elements((false, false), (true, true), (false, true), (true, false))
         from imageBlock in Gen.Choose(1, n + 3)
         from textBlock in Gen.Choose(1, m + 3)
         from metric in Gen.Elements(FiberMetric.Euclidean, FiberMetric.Euclidean, FiberMetric.Cosine)
         from grid in Gen.Elements(2, 3, 5, 1000)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(n, m, d, wide, imageBlock, textBlock, metric, grid, seed)).ToArbitrary();

    private static Instance Build(int n, int m, int d, (bool, bool) wide, int imageBlock, int textBlock,
        FiberMetric metric, int grid, int seed)
    {
        var random = new Random(seed);
        // Zero rows have no direction: under cosine the grid is shifted off zero.
        float Value() => (random.Next(grid) - grid / 2 + (metric == FiberMetric.Cosine ? 0.5f : 0)) / grid;
        var x = new float[n * d];
        for (int i = 0; i < x.Length; i++) x[i] = Value();
        var y = new float[m * d];
        for (int j = 0; j < m; j++)
            for (int k = 0; k < d; k++)
                y[j * d + k] = n > 0 && j % 3 == 0 ? x[random.Next(n) * d + k] : Value(); // a third copy an image
        var epsilons = new List<double> { 0, 0.3 };
        if (n > 0 && m > 0)
        {
            var reference = new ApproximateFiberProduct(new EmbeddingSet(x, n, d), new EmbeddingSet(y, m, d), metric);
            var distances = reference.Pairs(double.PositiveInfinity).Distances.ToArray();
            for (int t = 0; t < 3; t++) epsilons.Add(distances[random.Next(distances.Length)]);
        }
        return new Instance(x, y, n, m, d, wide.Item1, wide.Item2, imageBlock, textBlock, metric, [.. epsilons], seed);
    }

    private static EmbeddingSet Set(float[] values, int count, int d, bool wide) => wide
        ? new EmbeddingSet(values.Select(v => v / 3.0).ToArray(), count, d) // float64 values no float32 holds
        : new EmbeddingSet(values, count, d);

    [Property(Arbitrary = [typeof(OutOfCoreJoinProperties)], MaxTest = 60)]
    public bool BlockJoin_EqualsTheInMemoryJoin(Instance instance)
    {
        var (n, m, d) = (instance.N, instance.M, instance.D);
        var images = Set(instance.X, n, d, instance.ImagesWide);
        var texts = Set(instance.Y, m, d, instance.TextsWide);
        string run = Directory.CreateDirectory(Path.Combine(folder, Guid.NewGuid().ToString("N"))).FullName;
        Npy.Write(Path.Combine(run, "images.npy"), images.ToArray());
        Npy.Write(Path.Combine(run, "texts.npy"), texts.ToArray());
        using var mappedImages = MappedEmbeddingSet.Open(Path.Combine(run, "images.npy"));
        using var mappedTexts = MappedEmbeddingSet.Open(Path.Combine(run, "texts.npy"));
        var options = new OutOfCoreOptions { ImageBlockRows = instance.ImageBlock, TextBlockRows = instance.TextBlock };
        var blocks = new OutOfCoreFiberProduct(mappedImages, mappedTexts, instance.Metric, options);
        var memory = new ApproximateFiberProduct(images, texts, instance.Metric);
        for (int t = 0; t < instance.Epsilons.Length; t++)
        {
            double epsilon = instance.Epsilons[t];
            var manifest = blocks.Pairs(epsilon, Path.Combine(run, $"shards-{t}"));
            var expected = memory.Pairs(epsilon);
            if (!SamePairs(expected, manifest.ReadPairs()) || manifest.PairCount != expected.PairCount
                || manifest.Shards.Count != manifest.ImageBlocks * manifest.TextBlocks)
                return false;
        }
        return true;
    }

    /// <summary>The same CSR arrays: row offsets, columns and the distances' bits.</summary>
    internal static bool SamePairs(PairSet expected, PairSet actual) =>
        expected.RowCount == actual.RowCount && expected.ColumnCount == actual.ColumnCount
        && expected.RowOffsets.SequenceEqual(actual.RowOffsets) && expected.Columns.SequenceEqual(actual.Columns)
        && expected.Distances.ToArray().Select(BitConverter.DoubleToInt64Bits)
            .SequenceEqual(actual.Distances.ToArray().Select(BitConverter.DoubleToInt64Bits));
}
