using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Execution;

/// <summary>
/// The analyses' long operations on 20,000 rows honour a cancel within 100 ms and one worker uses one core. The
/// intrinsic-dimension estimators read a 6-dimensional cube rotated into R^16, the retrieval and null models 20,000
/// unit pairs in R^32 (text = image + noise, float32), with the resampling counts cut so that each run takes about a
/// second. CKA holds two N × N Gram matrices of doubles (20,000 rows: 6.4 GB), so it runs on 3,000 pairs (144 MB); so
/// does the recall@K null, whose ε = ∞ join reads all N² distances.
/// </summary>
[Collection(MeasuredAlone.Name)]
public class AnalysisResponsivenessTests
{
    private static readonly Lazy<EmbeddingSet> Cube = new(() => ManifoldSamples.Cube(20_000, 6, 16, seed: 5));

    private static readonly Lazy<(EmbeddingSet Images, EmbeddingSet Texts)> Pairs =
        new(() => Paired(20_000, 32, seed: 29));

    private static readonly Lazy<(EmbeddingSet Images, EmbeddingSet Texts)> Small =
        new(() => Paired(3_000, 32, seed: 31));

    /// <summary>Unit images and, row by row, their texts: the image plus Gaussian noise of norm about 1, normalised
    /// (float32).</summary>
    private static (EmbeddingSet, EmbeddingSet) Paired(int n, int d, int seed)
    {
        var random = new Random(seed);
        var images = new double[n * d];
        var texts = new double[n * d];
        for (int i = 0; i < n * d; i++) images[i] = Sets.Gaussian(random);
        for (int i = 0; i < n * d; i++) texts[i] = images[i] + Sets.Gaussian(random);
        return (Unit(images, n, d), Unit(texts, n, d));
    }

    private static EmbeddingSet Unit(double[] values, int n, int d)
    {
        var unit = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            var row = values.AsSpan(i * d, d);
            double norm = Math.Sqrt(row.ToArray().Sum(v => v * v));
            for (int k = 0; k < d; k++) unit[i * d + k] = (float)(row[k] / norm);
        }
        return new EmbeddingSet(unit, n, d);
    }

    /// <summary>Makes the data before the clock starts: the cancel is to land in the operation, not in the
    /// set-up.</summary>
    private static void HonoursCancel(Action<CancellationToken> operation, TimeSpan? after = null)
    {
        _ = (Cube.Value, Pairs.Value, Small.Value);
        Responsiveness.HonoursCancel(operation, after);
    }

    private static FiberProductOptions Threads(int workers) => new() { MaxDegreeOfParallelism = workers };

    private static ApproximateFiberProduct Product(int workers) =>
        new(Pairs.Value.Images, Pairs.Value.Texts, options: Threads(workers));

    private static Pairing Truth => Pairing.Diagonal(Pairs.Value.Images.Count);

    [Fact]
    public void MaximumLikelihoodDimension_HonoursCancel() =>
        HonoursCancel(token => MaximumLikelihoodDimension.Estimate(Cube.Value, resamples: 200,
            cancellationToken: token));

    [Fact]
    public void MaximumLikelihoodDimension_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => MaximumLikelihoodDimension.Estimate(Cube.Value, resamples: 20,
            options: Threads(workers)));

    [Fact]
    public void TwoNearestNeighboursDimension_HonoursCancel() =>
        HonoursCancel(token => TwoNearestNeighboursDimension.Estimate(Cube.Value, resamples: 200,
            cancellationToken: token));

    [Fact]
    public void TwoNearestNeighboursDimension_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => TwoNearestNeighboursDimension.Estimate(Cube.Value, resamples: 20,
            options: Threads(workers)));

    [Fact]
    public void CorrelationDimension_HonoursCancel() =>
        HonoursCancel(token => CorrelationDimension.OfPoints(Cube.Value, resamples: 200, cancellationToken: token));

    [Fact]
    public void CorrelationDimension_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => CorrelationDimension.OfPoints(Cube.Value, resamples: 20,
            options: Threads(workers)));

    [Fact]
    public void CorrelationDimension_OfAProduct_ReportsMonotonicProgressToOne()
    {
        var reports = new List<double>();
        var product = new ApproximateFiberProduct(Small.Value.Images, Small.Value.Texts);
        CorrelationDimension.Estimate(product, resamples: 50, progress: new SynchronousProgress(reports.Add));
        Assert.NotEmpty(reports);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First < p.Second), "Progress went backwards.");
        Assert.Equal(1.0, reports[^1]);
    }

    [Fact]
    public void Retrieval_HonoursCancel() =>
        HonoursCancel(token => Retrieval.EvaluateBothWays(Product(-1), Truth, cancellationToken: token),
            TimeSpan.FromMilliseconds(100));

    [Fact]
    public void Retrieval_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => Retrieval.Evaluate(Product(workers), Truth,
            RetrievalDirection.ImageToText));

    /// <summary>
    /// RecallAt finds each query's K-th distance by a join at ε = ∞, which reads every one of the N² float64
    /// distances (about a minute on one core at 20,000 rows), so it runs on the 3,000 pairs.
    /// </summary>
    private static ApproximateFiberProduct SmallProduct(int workers) =>
        new(Small.Value.Images, Small.Value.Texts, options: Threads(workers));

    [Fact]
    public void PairingPermutationNull_HonoursCancel() =>
        HonoursCancel(token => PairingPermutationNull.RecallAt(SmallProduct(-1),
            Pairing.Diagonal(Small.Value.Images.Count), 5, RetrievalDirection.ImageToText, permutations: 99_999,
            cancellationToken: token));

    [Fact]
    public void PairingPermutationNull_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => PairingPermutationNull.RecallAt(SmallProduct(workers),
            Pairing.Diagonal(Small.Value.Images.Count), 5, RetrievalDirection.ImageToText, permutations: 199));

    [Fact]
    public void SphereNull_HonoursCancel() =>
        HonoursCancel(token => SphereNull.PairCount(Product(-1), 0.9, draws: 99, cancellationToken: token));

    [Fact]
    public void SphereNull_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => SphereNull.PairCount(Product(workers), 0.9, draws: 1));

    [Fact]
    public void CenteredKernelAlignment_HonoursCancel() =>
        HonoursCancel(token => CenteredKernelAlignment.LinearTest(Small.Value.Images, Small.Value.Texts,
            permutations: 999, cancellationToken: token));

    [Fact]
    public void CenteredKernelAlignment_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers =>
            CenteredKernelAlignment.LinearTest(Small.Value.Images, Small.Value.Texts, permutations: 9,
                maxDegreeOfParallelism: workers));

    [Fact]
    public void CenteredKernelAlignment_DoesNotDependOnTheThreadCount()
    {
        var (images, texts) = (Small.Value.Images.SelectRows(Enumerable.Range(0, 500).ToArray()),
            Small.Value.Texts.SelectRows(Enumerable.Range(0, 500).ToArray()));
        var one = CenteredKernelAlignment.RbfTest(images, texts, permutations: 19, maxDegreeOfParallelism: 1);
        var two = CenteredKernelAlignment.RbfTest(images, texts, permutations: 19, maxDegreeOfParallelism: 2);
        Assert.Equal(one.Observed, two.Observed);
        Assert.Equal(one.NullDraws.ToArray(), two.NullDraws.ToArray());
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
