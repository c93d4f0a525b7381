using System.Globalization;
using FiberProduct.Cli;
using FiberProduct.Datasets;
using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Formats;
using FiberProduct.IO;

namespace FiberProduct.Tests.Cli;

/// <summary>
/// The fiberproduct command, run in process on real files: its answers equal the library's, its files read back,
/// and every kind of bad command line or bad file ends with the documented exit status and a message naming it.
/// </summary>
public sealed class CliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fiberproduct-cli-").FullName;
    private static readonly PairedEmbeddings Clip = CocoClip500.Pretrained();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string File(string name) => Path.Combine(folder, name);

    private static (int Status, string Out, string Error) Run(params string[] args) => Run(default, args);

    private static (int Status, string Out, string Error) Run(CancellationToken token, params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int status = FiberProduct.Cli.Cli.Run(args, output, error, interactive: false, token);
        return (status, output.ToString(), error.ToString());
    }

    /// <summary>The bundled CLIP pairs as one paired file and as two files (images float32, texts float64).</summary>
    private (string Paired, string Images, string Texts) Files()
    {
        var values = new float[2 * Clip.Images.Count * Clip.Images.Dimension];
        Clip.Images.Values.CopyTo(values);
        Clip.Texts.Values.CopyTo(values.AsSpan(Clip.Images.Values.Length));
        Npy.Write(File("paired.npy"), new NpyArray(values, 2, Clip.Images.Count, Clip.Images.Dimension));
        Npy.Write(File("images.npy"), new NpyArray(Clip.Images.Values.ToArray(), Clip.Images.Count,
            Clip.Images.Dimension));
        Npy.WriteNpz(File("texts.npz"), new Dictionary<string, NpyArray>
        {
            ["texts"] = new NpyArray(Clip.Texts.ToDouble().DoubleValues.ToArray(),
                Clip.Texts.Count, Clip.Texts.Dimension),
            ["other"] = new NpyArray(new[] { 1.0 }, 1, 1),
        }, compress: true);
        return (File("paired.npy"), File("images.npy"), File("texts.npz") + ":texts");
    }

    [Fact]
    public void Count_EqualsTheLibrary_OnEveryInputForm()
    {
        var (paired, images, texts) = Files();
        foreach (var (epsilon, metric) in new[] { (1.2, FiberMetric.Euclidean), (0.75, FiberMetric.Cosine),
            (0.0, FiberMetric.Euclidean) })
        {
            long expected = new ApproximateFiberProduct(Clip.Images, Clip.Texts, metric).Count(epsilon);
            string e = epsilon.ToString("R", CultureInfo.InvariantCulture), m = metric.ToString().ToLowerInvariant();
            Assert.Equal((0, $"{expected}\n", ""), Run("count", "--paired", paired, "--epsilon", e, "--metric", m));
            Assert.Equal((0, $"{expected}\n", ""), Run("count", images, texts, $"--epsilon={e}",
                "--metric", m, "--threads", "1"));
        }
        Assert.Equal("250000\n", Run("count", "--paired", paired, "--epsilon", "inf").Out);
    }

    [Fact]
    public void Count_ReadsParquetAndHdf5()
    {
        ParquetEmbeddings.SavePaired(File("clip.parquet"), Clip.Images, Clip.Texts);
        Hdf5Embeddings.SavePaired(File("clip.h5"), Clip.Images, Clip.Texts.ToDouble());
        long expected = new ApproximateFiberProduct(Clip.Images, Clip.Texts).Count(1.2);
        Assert.Equal($"{expected}\n", Run("count", "--paired",
            File("clip.parquet") + ":image_embedding,text_embedding", "--epsilon", "1.2").Out);
        Assert.Equal($"{expected}\n", Run("count", File("clip.parquet") + ":image_embedding",
            File("clip.h5") + ":/texts", "--epsilon", "1.2").Out);
        Assert.Equal($"{expected}\n", Run("count", "--paired",
            File("clip.h5") + ":/images,/texts", "--epsilon", "1.2").Out);
        var (status, _, error) = Run("count", "--paired",
            File("clip.parquet") + ":image_embedding", "--epsilon", "1.2");
        Assert.Equal((2, true), (status, error.Contains("name the two columns", StringComparison.Ordinal)));
        (status, _, error) = Run("count", File("clip.parquet") + ":nope",
            File("clip.h5") + ":/texts", "--epsilon", "1.2");
        Assert.Equal((1, true), (status, error.Contains("clip.parquet", StringComparison.Ordinal)));

        var (paired, _, _) = Files();
        Assert.Equal(0, Run("join", "--paired", paired, "--epsilon", "1.2", "--output", File("pairs.parquet")).Status);
        Assert.True(new FileInfo(File("pairs.parquet")).Length > 1000);
    }

    [Fact]
    public void Join_WritesTheLibrarysPairs_AsSciPyCsr()
    {
        var (paired, _, _) = Files();
        var expected = new ApproximateFiberProduct(Clip.Images, Clip.Texts).Pairs(1.2);
        var (status, output, _) = Run("join", "--paired", paired, "--epsilon", "1.2", "--output", File("pairs.npz"));
        Assert.Equal(0, status);
        Assert.Contains($"{expected.PairCount} pairs", output, StringComparison.Ordinal);
        var arrays = Npy.ReadNpz(File("pairs.npz"));
        Assert.Equal(expected.RowOffsets.ToArray(), (long[])arrays["indptr"].Data);
        Assert.Equal(expected.Columns.ToArray(), (int[])arrays["indices"].Data);
        Assert.Equal(expected.Distances.ToArray(), arrays["data"].ToDouble());

        var nearest = new ApproximateFiberProduct(Clip.Images, Clip.Texts).NearestWithin(1.2, 2);
        Assert.Equal(0, Run("join", "--paired", paired, "--epsilon", "1.2", "--nearest", "2",
            "--output", File("nearest.csv")).Status);
        Assert.Equal(nearest.PairCount + 1, System.IO.File.ReadAllLines(File("nearest.csv")).Length);
    }

    [Fact]
    public void Join_ObeysTheBudget()
    {
        var (paired, _, _) = Files();
        var (status, _, error) = Run("join", "--paired", paired, "--epsilon", "1.2", "--max-pairs", "100",
            "--output", File("p.npz"));
        Assert.Equal(3, status);
        Assert.Contains("100", error, StringComparison.Ordinal);
        var truncated = Run("join", "--paired", paired, "--epsilon", "1.2", "--max-pairs", "100", "--truncate",
            "--output", File("p.json"));
        Assert.Equal((0, "100 pairs (truncated at --max-pairs) → " + File("p.json") + "\n"),
            (truncated.Status, truncated.Out));
    }

    [Fact]
    public void Profile_PrintsTheLibrarysCounts()
    {
        var (paired, _, _) = Files();
        var expected = new ApproximateFiberProduct(Clip.Images, Clip.Texts).Profile([1.1, 1.15, 1.2, 1.25]);
        var lines = Run("profile", "--paired", paired, "--range", "1.1:1.25:4")
            .Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("epsilon,count", lines[0]);
        Assert.Equal(expected.Counts.ToArray(), lines.Skip(1)
            .Select(l => long.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)));
        Assert.Equal(0, Run("profile", "--paired", paired, "--epsilons", "1.1,1.2,inf",
            "--output", File("profile.npz")).Status);
        Assert.Equal([expected.Counts[0], expected.Counts[2], 250000L],
            (long[])Npy.ReadNpz(File("profile.npz"))["count"].Data);
    }

    [Fact]
    public void Decompose_WritesTheLibrarysDecomposition()
    {
        var (paired, _, _) = Files();
        var expected = SubspaceDecomposition.Estimate(Clip.Images, Clip.Texts, new DecompositionOptions { Seed = 3 });
        var (status, output, _) = Run("decompose", "--paired", paired, "--seed", "3", "--output", File("d.npz"));
        Assert.Equal(0, status);
        Assert.StartsWith(
            $"Z_s {expected.Shared.Rank}, Z_I {expected.ImageSpecific.Rank}, Z_T {expected.TextSpecific.Rank}", output,
            StringComparison.Ordinal);
        Assert.Equal(expected.Shared.Rank, Npy.ReadNpz(File("d.npz"))["basis_shared"].Shape[1]);
    }

    [Fact]
    public void Report_ShowsEachNumberBesideItsNull()
    {
        var (paired, _, _) = Files();
        var (status, output, _) = Run("report", "--paired", paired, "--permutations", "19");
        Assert.Equal(0, status);
        var best = new ApproximateFiberProduct(Clip.Images, Clip.Texts).BestF1(Pairing.Diagonal(500));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Best F1 {best.F1:F3}"), output,
            StringComparison.Ordinal);
        Assert.Contains("Shuffled pairings (19 permutations", output, StringComparison.Ordinal);
        Assert.Contains("p = 0.05", output, StringComparison.Ordinal); // the smallest p-value 19 draws allow: 1/20
        Assert.Contains("ImageToText: recall@1", output, StringComparison.Ordinal);
        Assert.Contains("Shared variance", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "Unknown command 'cout'", "cout")]
    [InlineData(2, "count needs --epsilon", "count", "--paired", "P")]
    [InlineData(2, "no option --epsilonn", "count", "--paired", "P", "--epsilon", "1", "--epsilonn", "2")]
    [InlineData(2, "--epsilon expects a number; got 'x'", "count", "--paired", "P", "--epsilon", "x")]
    [InlineData(2, "non-negative number; got -1", "count", "--paired", "P", "--epsilon", "-1")]
    [InlineData(2, "--epsilon needs a value", "count", "--paired", "P", "--epsilon")]
    [InlineData(2, "--threads expects a whole number ≥ 1; got '0'", "count", "--paired", "P", "--epsilon",
        "1", "--threads", "0")]
    [InlineData(2, "--metric expects euclidean, cosine or angular; got 'manhattan'", "count", "--paired", "P",
        "--epsilon", "1", "--metric", "manhattan")]
    [InlineData(2, "expected a .npz, .csv, .json or .parquet file name", "join", "--paired", "P", "--epsilon", "1",
        "--output", "pairs.txt")]
    [InlineData(2, "--range expects from:to:count", "profile", "--paired", "P", "--range", "2:1:3")]
    [InlineData(2, "two embedding files", "count", "only-one.npy", "--epsilon", "1")]
    [InlineData(2, "--truncate takes no value", "join", "--paired", "P", "--truncate=yes")]
    [InlineData(1, "missing.npy", "count", "missing.npy", "missing.npy", "--epsilon", "1")]
    public void BadCommandLines_EndWithTheirStatus_AndNameTheCulprit(int expected, string message, params string[] args)
    {
        var (paired, _, _) = Files();
        var (status, output, error) = Run(args.Select(a => a == "P" ? paired : a).ToArray());
        Assert.Equal(expected, status);
        Assert.Equal("", output);
        Assert.StartsWith("fiberproduct: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadFiles_EndWithStatus1_NamingTheFile()
    {
        var (paired, images, _) = Files();
        Npy.Write(File("ints.npy"), new NpyArray(new long[] { 1, 2, 3, 4 }, 2, 2));
        System.IO.File.WriteAllBytes(File("broken.npy"),
            [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1]);
        foreach (var (file, words) in new[] { (File("ints.npy"), "ints.npy"), (File("broken.npy"), "broken.npy"),
            (File("texts.npz") + ":nope", "no array 'nope'") })
        {
            var (status, _, error) = Run("count", images, file, "--epsilon", "1");
            Assert.Equal(1, status);
            Assert.Contains(words, error, StringComparison.Ordinal);
        }
        var many = Run("count", images, File("texts.npz"), "--epsilon", "1");
        Assert.Equal(2, many.Status);
        Assert.Contains("name one as", many.Error, StringComparison.Ordinal);
        Assert.Equal(2, Run("report", "--paired", paired, "--epsilon", "1").Status); // report takes no --epsilon
    }

    [Fact]
    public void Cancel_EndsWithStatus130()
    {
        var (paired, _, _) = Files();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Equal((130, "fiberproduct: Cancelled.\n"),
            Run(cancelled.Token, "count", "--paired", paired, "--epsilon", "1") is var r
            ? (r.Status, r.Error) : default);
    }

    [Theory]
    [InlineData("count")]
    [InlineData("join")]
    [InlineData("profile")]
    [InlineData("decompose")]
    [InlineData("report")]
    public void Help_ReadsLikeAManPage(string command)
    {
        var (status, page, _) = Run(command, "--help");
        page = "\n" + page;
        Assert.Equal(0, status);
        Assert.Equal(page, "\n" + Run("help", command).Out);
        int at = -1;
        foreach (var section in new[] { "NAME", "SYNOPSIS", "DESCRIPTION", "INPUT", "OPTIONS",
            "EXIT STATUS", "EXAMPLES" })
        {
            int next = page.IndexOf("\n" + section + "\n", StringComparison.Ordinal);
            Assert.True(next > at, $"{command}: section {section} missing or out of order");
            at = next;
        }
        Assert.Contains($"fiberproduct {command} - ", page, StringComparison.Ordinal);
    }

    [Fact]
    public void NoArguments_PrintTheManual_WithStatus2()
    {
        var (status, page, _) = Run();
        Assert.Equal(2, status);
        Assert.Contains("COMMANDS", page, StringComparison.Ordinal);
        Assert.Equal((0, page), Run("--help") is var r ? (r.Status, r.Out) : default);
    }
}
