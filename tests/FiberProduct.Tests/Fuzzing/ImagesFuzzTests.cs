using System.Globalization;
using FiberProduct.Imaging;

namespace FiberProduct.Tests.Fuzzing;

/// <summary>
/// Seeded mutation fuzzing of every image reader, and every input that ever failed kept as a regression case. Each
/// decode runs on its own thread under a hard limit (FIBERPRODUCT_FUZZ_TIMEOUT_S, default 10 s: a hang detector, not
/// a timing check — a correct decode of these small files takes milliseconds). The iteration count per reader
/// (FIBERPRODUCT_FUZZ_ITERATIONS, default 250) and the seed (FIBERPRODUCT_FUZZ_SEED, default 14) come from the
/// environment, so a longer campaign is the same test with a larger count; failing inputs are written to
/// FIBERPRODUCT_FUZZ_FAILURES (default: the temp folder's fiberproduct-fuzz-failures) to be kept under
/// Data/fuzz/images.
/// </summary>
public class ImagesFuzzTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Data", "fuzz", "images");
    private static string Samples => Path.Combine(AppContext.BaseDirectory, "Data", "images");
    private static int Iterations => Environment("FIBERPRODUCT_FUZZ_ITERATIONS", 250);
    private static int Seed => Environment("FIBERPRODUCT_FUZZ_SEED", 14);
    private static TimeSpan Limit => TimeSpan.FromSeconds(Environment("FIBERPRODUCT_FUZZ_TIMEOUT_S", 10));
    private static string FailureFolder => System.Environment.GetEnvironmentVariable("FIBERPRODUCT_FUZZ_FAILURES")
        ?? Path.Combine(Path.GetTempPath(), "fiberproduct-fuzz-failures");

    // Smaller limits than the defaults, so that size refusals are reached by mutated headers too.
    private static readonly ImageReadOptions Options = new() { MaxPixels = 1 << 22, MaxFileBytes = 1 << 22 };

    public static TheoryData<string> Readers => ["png", "jpg", "bmp", "tga", "gif", "psd", "pnm", "hdr"];

    [Theory]
    [MemberData(nameof(Readers))]
    public void MutatedFiles_DecodeOrThrowImageFormatException_WithinTheLimit(string reader)
    {
        var seeds = SeedFiles(reader);
        Assert.NotEmpty(seeds);
        var others = Directory.GetFiles(Folder).Select(File.ReadAllBytes).ToList();
        var random =
            new Random(Seed * 31 + Array.IndexOf(["png", "jpg", "bmp", "tga", "gif", "psd", "pnm", "hdr"], reader));
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        for (int i = 0; i < Iterations; i++)
        {
            var (name, bytes) = seeds[random.Next(seeds.Count)];
            var input = ImagesMutator.Mutate(bytes, others, random);
            string outcome = Run(input, Options).Outcome;
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome.StartsWith("FAIL", StringComparison.Ordinal))
                failures.Add($"{Keep(input, reader, i, name)}: {outcome}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            string.Join("\n", outcomes.Select(o => $"{reader}: {o.Value} × {o.Key}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {Iterations} mutated {reader} inputs failed:\n"
            + string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void EveryKeptCase_GivesItsRecordedOutcome_WithinTheLimit()
    {
        // Files are named outcome.description.ext: ok (decodes), malformed, unsupported, limit.
        var files = Directory.GetFiles(Folder).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).ToList();
        Assert.True(files.Count >= 25, $"only {files.Count} kept cases");
        foreach (string path in files)
        {
            string expected = Path.GetFileName(path).Split('.')[0];
            var (outcome, detail) = Run(path, ImageReadOptions.Default);
            Assert.True(expected switch
            {
                "ok" => outcome.StartsWith("decoded", StringComparison.Ordinal),
                "malformed" => outcome == nameof(ImageRejection.Malformed),
                "unsupported" => outcome == nameof(ImageRejection.Unsupported),
                "limit" => outcome == nameof(ImageRejection.LimitExceeded),
                _ => false,
            }, $"{Path.GetFileName(path)}: {outcome}: {detail}");
        }
    }

    private static List<(string Name, byte[] Bytes)> SeedFiles(string reader)
    {
        string[] extensions = reader == "pnm" ? [".pgm", ".ppm", ".pbm"] : ["." + reader];
        var kept = Directory.GetFiles(Folder).Where(f => !Path.GetFileName(f)
            .StartsWith("malformed", StringComparison.Ordinal));
        // The real photographs too, for the formats they are in (the large PNGs cost milliseconds per decode).
        var photographs = reader is "png" or "jpg" ? Directory.GetFiles(Samples) : [];
        return kept.Concat(photographs).Where(f => extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
    }

    /// <summary>Decodes a file (a path: Load) or bytes (Decode) on a thread of its own; the outcome as a
    /// word.</summary>
    private static (string Outcome, string Detail) Run(object input, ImageReadOptions options)
    {
        string outcome = "FAIL: hang (no result within the limit)", detail = "";
        var thread = new Thread(() =>
        {
            try
            {
                var image = input is string path ? ImageFile.Load(path, options: options)
                    : ImageFile.Decode(new MemoryStream((byte[])input), options: options);
                outcome = image.Width * (long)image.Height <= options.MaxPixels ? "decoded"
                    : "FAIL: above the pixel limit";
            }
            catch (ImageFormatException e)
            {
                bool named = input is string path ? e.Message.Contains(path, StringComparison.Ordinal)
                    && e.FileName == path
                    : e.Message.StartsWith("The image stream", StringComparison.Ordinal);
                outcome = !named ? "FAIL: the message does not name the source: " + e.Message
                    : e.InnerException is { } inner && inner is not InvalidOperationException
                        and not InvalidDataException
                        ? "FAIL: the decoder threw " + inner.GetType().Name + ": " + e.Message
                        : e.Reason.ToString();
                detail = e.Message;
            }
            catch (Exception e) { outcome = "FAIL: " + e.GetType().Name + ": " + e.Message; }
        }, maxStackSize: 16 << 20) { IsBackground = true };
        thread.Start();
        // A hung decoder thread cannot be stopped; it is a background thread, so it ends with the test process.
        return thread.Join(Limit) ? (outcome, detail) : ("FAIL: hang (no result within the limit)", "");
    }

    private static string Keep(byte[] input, string reader, int iteration, string seedName)
    {
        Directory.CreateDirectory(FailureFolder);
        string path = Path.Combine(FailureFolder, string.Create(CultureInfo.InvariantCulture,
            $"{reader}-seed{Seed}-{iteration}-"
            + $"{Path.GetFileNameWithoutExtension(seedName)}{Path.GetExtension(seedName)}"));
        File.WriteAllBytes(path, input);
        return path;
    }

    private static int Environment(string name, int fallback) =>
        int.TryParse(System.Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out int value)
            && value > 0 ? value : fallback;
}
