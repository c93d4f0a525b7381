using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.OutOfCore;
using FiberProduct.Tests.IO;

namespace FiberProduct.Tests.OutOfCore;

/// <summary>
/// <c>fiberproduct join --shards</c> in process: its pairs are the library's, it resumes, and hostile input ends with
/// the documented exit status and a message naming the file: a truncated file or a wrong dtype (1), a folder of
/// another join or an input that is not .npy (2).
/// </summary>
public sealed class OutOfCoreCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fiberproduct-cli-shards-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string File(string name) => Path.Combine(folder, name);

    private static (int Status, string Out, string Error) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int status = FiberProduct.Cli.Cli.Run(args, output, error, interactive: false);
        return (status, output.ToString(), error.ToString());
    }

    private (EmbeddingSet Images, EmbeddingSet Texts) Write()
    {
        var random = new Random(9);
        var x = Enumerable.Range(0, 50 * 6).Select(_ => (float)(random.Next(9) - 4) / 4).ToArray();
        var y = Enumerable.Range(0, 45 * 6).Select(_ => (float)(random.Next(9) - 4) / 4).ToArray();
        Npy.Write(File("images.npy"), new NpyArray(x, 50, 6));
        Npy.Write(File("texts.npy"), new NpyArray(y, 45, 6));
        return (new EmbeddingSet(x, 50, 6), new EmbeddingSet(y, 45, 6));
    }

    [Fact]
    public void Shards_HoldTheLibrarysPairs_AndARunAgainResumes()
    {
        var (images, texts) = Write();
        var expected = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine).Pairs(0.3);
        string[] args = ["join", File("images.npy"), File("texts.npy"), "--epsilon", "0.3", "--metric", "cosine",
            "--shards", File("shards"), "--block-rows", "16", "--memory-limit", "8M", "--threads", "1"];
        var (status, output, error) = Run(args);
        Assert.Equal((0, ""), (status, error));
        string manifest = Path.Combine(File("shards"), "manifest.json");
        Assert.Equal($"{expected.PairCount} pairs in 12 blocks → {manifest}\n", output);
        Assert.True(OutOfCoreJoinProperties.SamePairs(expected, ShardManifest.Read(File("shards")).ReadPairs()));
        var again = Run(args);
        Assert.Equal((0, output), (again.Status, again.Out));
    }

    [Fact]
    public void HostileInput_EndsWithItsExitStatus_NamingTheFile()
    {
        Write();
        var bytes = System.IO.File.ReadAllBytes(File("texts.npy"));
        System.IO.File.WriteAllBytes(File("cut.npy"), bytes[..^7]);
        string images = File("images.npy");
        var (status, _, error) = Run("join", images, File("cut.npy"), "--epsilon", "1", "--shards", File("a"));
        Assert.Equal(1, status);
        Assert.Contains($"'{File("cut.npy")}': the header declares shape (45, 6)", error, StringComparison.Ordinal);

        System.IO.File.WriteAllBytes(File("ints.npy"),
            NpyTestFiles.Npy("{'descr': '<i8', 'fortran_order': False, 'shape': (45, 6), }", new byte[45 * 6 * 8]));
        (status, _, error) = Run("join", images, File("ints.npy"), "--epsilon", "1", "--shards", File("a"));
        Assert.Equal(1, status);
        Assert.Contains($"'{File("ints.npy")}': the dtype is Int64", error, StringComparison.Ordinal);

        Assert.Equal(0, Run("join", images, File("texts.npy"), "--epsilon", "1", "--shards", File("b")).Status);
        (status, _, error) = Run("join", File("texts.npy"), images, "--epsilon", "1", "--shards", File("b"));
        Assert.Equal(2, status);
        Assert.Contains("records another join", error, StringComparison.Ordinal);

        (status, _, error) = Run("join", images, File("texts.npz"), "--epsilon", "1", "--shards", File("c"));
        Assert.Equal(2, status);
        Assert.Contains("--shards reads .npy files", error, StringComparison.Ordinal);
        (status, _, error) = Run("join", images, File("texts.npy"), "--epsilon", "1", "--shards", File("c"),
            "--memory-limit", "12X");
        Assert.Equal(2, status);
        Assert.Contains("--memory-limit expects", error, StringComparison.Ordinal);
        (status, _, error) = Run("join", images, File("texts.npy"), "--epsilon", "1", "--shards", File("c"),
            "--memory-limit", "100");
        Assert.Equal(2, status);
        Assert.Contains("does not hold one row", error, StringComparison.Ordinal);
    }
}
