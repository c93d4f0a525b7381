using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Execution;

/// <summary>The join's queries on 20,000 × 20,000 rows honour a cancel within 100 ms and one worker uses one core.</summary>
[Collection(MeasuredAlone.Name)]
public class JoinResponsivenessTests
{
    private static readonly Lazy<(EmbeddingSet Images, EmbeddingSet Texts)> Data = new(() =>
    {
        var random = new Random(19);
        return (Sets.Random(random, 20_000, 128), Sets.Random(random, 20_000, 128));
    });

    private static ApproximateFiberProduct Product(int workers, PruningMode pruning = PruningMode.Never) =>
        new(Data.Value.Images, Data.Value.Texts, options: new FiberProductOptions { MaxDegreeOfParallelism = workers, Pruning = pruning });

    [Fact]
    public void Count_HonoursCancel() => Responsiveness.HonoursCancel(token => Product(-1).Count(8, cancellationToken: token));

    [Fact]
    public void Count_OneWorkerUsesOneCore() =>
        Responsiveness.OneWorkerUsesOneCore(workers => Product(workers).Count(8));
}
