using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Execution;

/// <summary>
/// Every long operation of the join on 20,000 × 20,000 rows honours a cancel within 100 ms, and its one-worker run
/// uses one core: packing, planning and pruning preparation, the sweep, result assembly. The cancels run on d = 128
/// (enough work that every operation is still busy when the cancel comes), the core counts on d = 48 (so that the
/// file stays within about a minute); each run builds a fresh instance, so its preparation is part of what is measured.
/// </summary>
[Collection(MeasuredAlone.Name)]
public class JoinResponsivenessTests
{
    private const int Rows = 20_000;

    private sealed record Data(EmbeddingSet Images, EmbeddingSet Texts, double Epsilon, Pairing Truth, long Pairs);

    private static readonly Lazy<Data> Wide = new(() => Make(128, 19));
    private static readonly Lazy<Data> Narrow = new(() => Make(48, 23));

    /// <summary>
    /// Uniform rows, every tenth text a noisy copy of its image (the truth of the alignment operations), and a
    /// tolerance at the 10^-4 quantile of sampled distances (tens of thousands of pairs), and how many
    /// pairs it holds.
    /// </summary>
    private static Data Make(int d, int seed)
    {
        var random = new Random(seed);
        var images = Sets.Random(random, Rows, d);
        var values = Sets.Random(random, Rows, d).Memory.ToArray();
        for (int j = 0; j < Rows; j += 10)
            for (int k = 0; k < d; k++) values[j * d + k] = (float)(images[j, k] + 0.02 * (random.NextDouble() - 0.5));
        var texts = new EmbeddingSet(values, Rows, d);
        var sample = BruteForce.AllDistances(Sets.Random(random, 200, d), Sets.Random(random, 200, d));
        Array.Sort(sample);
        var truth = Pairing.FromPairs(Enumerable.Range(0, Rows / 10).Select(i => (10 * i, 10 * i)));
        double epsilon = sample[sample.Length / 10_000];
        long pairs = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { Pruning = PruningMode.Never })
            .Count(epsilon);
        return new Data(images, texts, epsilon, truth, pairs);
    }

    private static ApproximateFiberProduct Product(Data data, int workers, PruningMode pruning = PruningMode.Never,
        long maxPairs = FiberProductOptions.DefaultMaxPairs, bool truncate = false) =>
        new(data.Images, data.Texts, options: new FiberProductOptions
        {
            MaxDegreeOfParallelism = workers, Pruning = pruning, MaxPairs = maxPairs, TruncateAtBudget = truncate,
        });

    /// <summary>The long operations, each on a fresh instance with the given workers and token.</summary>
    public static TheoryData<string> Operations => new(Run.Keys);

    private static readonly Dictionary<string, Action<Data, int, CancellationToken>> Run = new()
    {
        ["Count"] = (data, workers, token) => Product(data, workers).Count(data.Epsilon, cancellationToken: token),
        ["Pairs"] = (data, workers, token) => Product(data, workers).Pairs(data.Epsilon, cancellationToken: token),
        // A budget of three quarters of the pairs: bands of rows until it is met, three quarters through the rows.
        ["Pairs, truncated"] = (data, workers, token) =>
            Product(data, workers, maxPairs: data.Pairs * 3 / 4, truncate: true)
                .Pairs(data.Epsilon, cancellationToken: token),
        ["PairsPerImageTolerance"] = (data, workers, token) =>
            Product(data, workers).PairsPerImageTolerance(Enumerable.Range(0, Rows)
                .Select(i => data.Epsilon * (1 + i % 2) / 2).ToArray(), cancellationToken: token),
        ["Profile"] = (data, workers, token) =>
            Product(data, workers).Profile([data.Epsilon / 2, data.Epsilon], includeDistances: true,
                cancellationToken: token),
        ["NearestWithin"] = (data, workers, token) => Product(data, workers)
            .NearestWithin(data.Epsilon, 3, cancellationToken: token),
        ["EnumeratePairs"] = (data, workers, token) =>
        {
            foreach (var _ in Product(data, workers).EnumeratePairs(data.Epsilon, token)) { }
        },
        ["BestF1"] = (data, workers, token) => Product(data, workers).BestF1(data.Truth, cancellationToken: token),
        ["Count, pruned (Always)"] = (data, workers, token) =>
            Product(data, workers, PruningMode.Always).Count(data.Epsilon, cancellationToken: token),
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public void HonoursCancel(string operation)
    {
        var data = Wide.Value; // made before the clock starts
        Responsiveness.HonoursCancel(token => Run[operation](data, -1, token));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void OneWorkerUsesOneCore(string operation)
    {
        var data = Narrow.Value;
        void Operation(int workers) => Run[operation](data, workers, CancellationToken.None);
        // Truncated Pairs joins bands of 64 rows, and each band still allocates and fills arrays of all N rows
        // (thresholds, row offsets) on the calling thread: with two workers that serial part can outweigh the second
        // worker, so only the one-worker half of the check holds there.
        Responsiveness.OneWorkerUsesOneCore(Operation, checkTwoWorkers: operation != "Pairs, truncated");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(40)]
    [InlineData(120)]
    public void PruningPreparation_HonoursCancel(int afterMilliseconds)
    {
        // Early cancels land in the preparation (principal axes, k-d order, packing in that order, tile sample, heads);
        // a cancelled preparation is not kept, so the same instance answers afterwards.
        var data = Wide.Value;
        var product = Product(data, -1, PruningMode.Always);
        Responsiveness.HonoursCancel(token => product.Count(data.Epsilon, cancellationToken: token),
            TimeSpan.FromMilliseconds(afterMilliseconds));
    }
}
