using FiberProduct.Embedding;
using FiberProduct.IO;

namespace FiberProduct.Orleans.Tests.Cluster;

/// <summary>A directory of .npy files for one test, the storage every silo of the in-process cluster reads.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fiberproduct-orleans-").FullName;
    private int next;

    public EmbeddingRange Write(EmbeddingSet set)
    {
        string path = Path.Combine(directory, $"set{Interlocked.Increment(ref next)}.npy");
        Npy.Write(path, set.ToArray());
        return EmbeddingRange.WholeFile(path);
    }

    public string PathOf(string name) => Path.Combine(directory, name);

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
