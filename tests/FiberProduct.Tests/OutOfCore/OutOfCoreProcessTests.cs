using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.OutOfCore;
using FiberProduct.Tests.IO;

namespace FiberProduct.Tests.OutOfCore;

/// <summary>
/// Two .npy files of 151 MB each (2,304 × 8,192 float64 values), written once for the class, and their in-memory
/// pairs at ε; deleted with the class.
/// </summary>
public sealed class LargeFiles : IDisposable
{
    public const int Rows = 2304, Dimension = 8192;

    /// <summary>Planted pairs: text j is image j plus noise for j divisible by 3, so F_ε holds about a third of the
    /// diagonal and whatever else lies within ε; the grid of quarters makes ties common.</summary>
    public const double Epsilon = 40;

    public LargeFiles()
    {
        Folder = Directory.CreateTempSubdirectory("fiberproduct-large-").FullName;
        var random = new Random(18);
        var images = new double[Rows * (long)Dimension];
        for (long k = 0; k < images.LongLength; k++) images[k] = (random.Next(33) - 16) / 4.0;
        Write(Images, images);
        var texts = images; // reused in place: the images are written already
        for (int j = 0; j < Rows; j++)
            for (int k = 0; k < Dimension; k++)
            {
                long at = (long)j * Dimension + k;
                texts[at] = j % 3 == 0 ? texts[at] + (random.Next(5) - 2) / 4.0 : (random.Next(33) - 16) / 4.0;
            }
        Write(Texts, texts);
        Expected = new ApproximateFiberProduct(EmbeddingSet.Load(Images), EmbeddingSet.Load(Texts)).Pairs(Epsilon);
    }

    public string Folder { get; }

    public string Images => Path.Combine(Folder, "images.npy");

    public string Texts => Path.Combine(Folder, "texts.npy");

    public PairSet Expected { get; }

    public long Bytes => new FileInfo(Images).Length + new FileInfo(Texts).Length;

    private static void Write(string path, double[] values)
    {
        var header = NpyTestFiles.Npy(string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({Rows}, {Dimension}), }}"), []);
        using var stream = File.Create(path);
        stream.Write(header);
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>
/// The fiberproduct command in child processes whose managed heap is capped by <c>DOTNET_GCHeapHardLimit</c> at
/// 96 MiB, a third of the 302 MB of data: the in-memory join cannot run there (checked, so that the cap is known to
/// bite), the out-of-core join can, and its pairs equal the in-memory join's; a child killed mid-join resumes and
/// gives the same pairs, keeping the shards it had completed.
/// </summary>
public sealed class OutOfCoreProcessTests(LargeFiles files) : IClassFixture<LargeFiles>
{
    private const string HeapLimit = "0x6000000"; // 96 MiB

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "FiberProduct.Cli.dll");

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Cli);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_GCHeapHardLimit"] = HeapLimit;
        start.Environment["DOTNET_gcServer"] = "0";
        return Process.Start(start)!;
    }

    private static (int Status, string Out, string Error) Finish(Process process)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The child process did not finish within 5 minutes.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    private string[] Join(string shards, params string[] more) =>
    [
        "join", files.Images, files.Texts, "--epsilon", LargeFiles.Epsilon.ToString("R", CultureInfo.InvariantCulture),
        "--shards", shards, .. more,
    ];

    [Fact]
    public void TheInMemoryJoin_DoesNotFitUnderTheHeapLimit()
    {
        Assert.True(files.Bytes > 3 * Convert.ToInt64(HeapLimit, 16));
        string output = Path.Combine(files.Folder, "in-memory.npz");
        using var process = Start("join", files.Images, files.Texts, "--epsilon", "40", "--output", output);
        var (status, _, error) = Finish(process);
        Assert.NotEqual(0, status);
        // The runtime fails fast ("Out of memory.") or throws OutOfMemoryException, by where the allocation fails.
        Assert.True(error.Contains("Out of memory", StringComparison.Ordinal)
            || error.Contains("OutOfMemoryException", StringComparison.Ordinal), error);
    }

    [Fact]
    public void TheOutOfCoreJoin_RunsUnderTheHeapLimit_AndGivesTheInMemoryPairs()
    {
        string shards = Path.Combine(files.Folder, "whole");
        using var process = Start(Join(shards, "--memory-limit", "48M"));
        var (status, output, error) = Finish(process);
        Assert.True(status == 0, $"exit {status}: {error}");
        var manifest = ShardManifest.Read(shards);
        Assert.Contains($"{manifest.PairCount} pairs in {manifest.Shards.Count} blocks", output,
            StringComparison.Ordinal);
        Assert.True(manifest.Shards.Count > 1);
        Assert.True(OutOfCoreJoinProperties.SamePairs(files.Expected, manifest.ReadPairs()));
    }

    [Fact]
    public void AChildKilledMidJoin_Resumes_AndGivesTheSamePairs()
    {
        string shards = Path.Combine(files.Folder, "killed");
        var options = new[] { "--memory-limit", "48M", "--block-rows", "96" };
        ShardManifest? before = null;
        // One thread and 576 block pairs: seconds of work on any machine, so the kill lands mid-join (and if it
        // did not, the test fails below rather than passing without a kill).
        using (var process = Start(Join(shards, [.. options, "--threads", "1"])))
        {
            // Killed once the manifest lists a few completed blocks (it is rewritten at most once a second).
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                if (File.Exists(Path.Combine(shards, ShardManifest.FileName))
                    && ShardManifest.Read(shards) is { Shards.Count: >= 3 } manifest)
                {
                    before = manifest;
                    break;
                }
                Thread.Sleep(20);
            }
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.NotNull(before);
        var killed = ShardManifest.Read(shards);
        Assert.False(killed.IsComplete);
        var written = killed.Shards.ToDictionary(s => s.File,
            s => File.GetLastWriteTimeUtc(Path.Combine(shards, s.File)));

        using (var process = Start(Join(shards, options)))
        {
            var (status, _, error) = Finish(process);
            Assert.True(status == 0, $"exit {status}: {error}");
        }
        var resumed = ShardManifest.Read(shards);
        Assert.True(resumed.IsComplete);
        Assert.Equal(resumed.ImageBlocks * resumed.TextBlocks,
            resumed.Shards.Select(s => (s.ImageBlock, s.TextBlock)).Distinct().Count());
        // The blocks listed before the kill were kept, not joined again.
        Assert.All(written, w => Assert.Equal(w.Value, File.GetLastWriteTimeUtc(Path.Combine(shards, w.Key))));
        Assert.True(OutOfCoreJoinProperties.SamePairs(files.Expected, resumed.ReadPairs()));
    }
}
