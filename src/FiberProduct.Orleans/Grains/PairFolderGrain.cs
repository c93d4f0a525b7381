using System.Globalization;
using FiberProduct.Fiber;
using FiberProduct.OutOfCore;
using Orleans.Concurrency;

namespace FiberProduct.Orleans.Grains;

/// <summary>
/// Writes the manifest of a distributed pairs join with the out-of-core join's own code
/// (<see cref="ShardManifest"/>), so that the folder reads, and resumes, like one the out-of-core join wrote.
/// </summary>
[StatelessWorker]
internal sealed class PairFolderGrain : Grain, IPairFolderGrain
{
    private string Folder => this.GetPrimaryKeyString();

    public Task Begin(EmbeddingRange images, EmbeddingRange texts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        foreach (var (range, name) in new[] { (images, nameof(images)), (texts, nameof(texts)) })
        {
            using var file = MappedEmbeddingSet.Open(range.Path);
            if (range.Start != 0 || range.Count != file.Count)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Pairs written as shards need whole files, as their manifest records them; {name} is {range}, "
                    + $"and the file holds {file.Count} rows."), name);
        }
        Directory.CreateDirectory(Folder);
        string manifest = Path.Combine(Folder, ShardManifest.FileName);
        if (File.Exists(manifest))
            throw new InvalidOperationException($"'{manifest}' exists: the folder holds another join's pairs. Write "
                + "this join to a new folder.");
        return Task.CompletedTask;
    }

    public Task Finish(EmbeddingRange images, EmbeddingRange texts, double epsilon, FiberMetric metric,
        int imageBlockRows, int textBlockRows, long[] pairs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var manifest = new ShardManifest(Folder, Input(images, cancellationToken), Input(texts, cancellationToken),
            epsilon, metric, imageBlockRows, textBlockRows, [], complete: true);
        for (int a = 0, item = 0; a < manifest.ImageBlocks; a++)
            for (int b = 0; b < manifest.TextBlocks; b++)
                manifest.Add(manifest.Shard(a, b, pairs[item++]));
        manifest.Write();
        return Task.CompletedTask;
    }

    private static ShardInput Input(EmbeddingRange range, CancellationToken cancellationToken)
    {
        using var file = MappedEmbeddingSet.Open(range.Path);
        return ShardInput.Of(file, cancellationToken);
    }
}
