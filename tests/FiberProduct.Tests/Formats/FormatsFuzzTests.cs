using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FiberProduct.Formats;
using FiberProduct.Tests.IO;
using static FiberProduct.Tests.Formats.FormatFixtures;

namespace FiberProduct.Tests.Formats;

/// <summary>
/// Seeded mutation fuzzing of the Parquet and HDF5 readers, with the .npy fuzzer's mutations (bit flips, interesting
/// integers, insertions, deletions, duplications, truncations, splices) on the reference fixtures: every result must
/// read or fail with <see cref="InvalidDataException"/> naming the source, within a time limit. Failing inputs are
/// written to a temporary folder named in the failure.
/// </summary>
/// <remarks>FIBERPRODUCT_FUZZ_FORMATS_COUNT sets the inputs per format (default 300), FIBERPRODUCT_FUZZ_SEED the seed,
/// FIBERPRODUCT_FUZZ_REPORT a file to append the campaign's figures to.</remarks>
public class FormatsFuzzTests
{
    private static readonly FormatReadLimits Limits = new() { MaxArrayBytes = 64 << 20 };
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(10);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture,
            out int value) ? value : fallback;

    private static string? Check(Func<Task> read)
    {
        var task = Task.Run(async () =>
        {
            try { await read(); return null; }
            catch (InvalidDataException e) when (e.Message.StartsWith("'fuzz', ", StringComparison.Ordinal))
            {
                return null;
            }
            catch (Exception e) { return $"{e.GetType().Name}: {e.Message}"; }
        });
        return task.Wait(PerInput) ? task.Result : $"ran longer than {PerInput.TotalSeconds} s";
    }

    private static List<string> Campaign(string[] fixtures, Func<byte[], string?> check, out int read)
    {
        var seeds = fixtures.Select(f => File.ReadAllBytes(Data(f))).ToList();
        int count = Setting("FIBERPRODUCT_FUZZ_FORMATS_COUNT", 300);
        var rng = new Random(Setting("FIBERPRODUCT_FUZZ_SEED", 20261129));
        var failures = new List<string>();
        read = 0;
        for (int i = 0; i < count; i++)
        {
            var input = NpyFuzzTests.Mutate(rng, seeds);
            string? failure = check(input);
            if (failure == "read") { read++; continue; }
            if (failure is null) continue;
            string folder = Path.Combine(Path.GetTempPath(), "fiberproduct-fuzz-formats");
            Directory.CreateDirectory(folder);
            string path = Path.Combine(folder,
                Convert.ToHexStringLower(SHA256.HashData(input))[..16] + Path.GetExtension(fixtures[0]));
            File.WriteAllBytes(path, input);
            failures.Add($"{path}: {failure}");
        }
        return failures;
    }

    [Fact]
    public void MutatedParquetFiles_ReadOrFailCleanly() =>
        Fuzz("Parquet", ["pairs_f32.parquet", "pairs_f64.parquet", "fixed_size_f32.parquet"],
            ["image_embedding", "text_embedding", "embedding"],
            (input, column) =>
                ParquetEmbeddings.ReadAsync(new MemoryStream(input), "fuzz", column, Limits, CancellationToken.None));

    [Fact]
    public void MutatedHdf5Files_ReadOrFailCleanly() => Fuzz("HDF5",
        ["embeddings.h5"], ["embeddings", "clip/image", "chunked", "big_endian"],
        (input, dataset) =>
        {
            Hdf5Embeddings.Read(new MemoryStream(input), "fuzz", dataset, Limits);
            return Task.CompletedTask;
        });

    /// <summary>
    /// One campaign: every mutation of the fixtures is read as each named column or dataset; each read must succeed or
    /// fail cleanly, and some must succeed, so the readers' checks past the headers are reached.
    /// </summary>
    private static void Fuzz(string format, string[] fixtures, string[] members, Func<byte[], string, Task> reader)
    {
        var clock = Stopwatch.StartNew();
        var failures = Campaign(fixtures, input =>
        {
            bool any = false;
            foreach (string member in members)
            {
                var failure = Check(async () =>
                {
                    await reader(input, member);
                    any = true;
                });
                if (failure is not null) return member + ": " + failure;
            }
            return any ? "read" : null;
        }, out int read);
        string summary =
            $"{format} fuzz: {read} inputs read, {failures.Count} failures, {clock.Elapsed.TotalSeconds:F1} s";
        TestContext.Current.SendDiagnosticMessage(summary);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.True(read > 0,
            summary + ": no mutated input reached the values, so the readers' inner checks went untested.");
        if (Environment.GetEnvironmentVariable("FIBERPRODUCT_FUZZ_REPORT") is { Length: > 0 } report)
            File.AppendAllText(report, summary + Environment.NewLine);
    }
}
