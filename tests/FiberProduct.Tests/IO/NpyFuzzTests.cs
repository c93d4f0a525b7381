using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using FiberProduct.IO;
using static FiberProduct.Tests.IO.NpyTestFiles;

namespace FiberProduct.Tests.IO;

/// <summary>
/// Seeded mutation fuzzing of the .npy and .npz readers: valid files of every kind the reader takes are mutated
/// (bit flips, interesting bytes and integers, insertions, deletions, duplications, truncations, splices of two
/// files) and each result must read or fail with <see cref="InvalidDataException"/> within a hard time limit.
/// Inputs that fail otherwise are written to a folder (named in the failure) to be kept under Data/fuzz/npy, where
/// <see cref="RegressionCases_ReadOrFailCleanly"/> runs them on every build.
/// </summary>
/// <remarks>
/// FIBERPRODUCT_FUZZ_NPY_COUNT sets the number of inputs (default 5,000, a few seconds), FIBERPRODUCT_FUZZ_SEED
/// the seed, FIBERPRODUCT_FUZZ_REPORT a file to append the campaign's figures to, FIBERPRODUCT_FUZZ_TIMEOUT_S the
/// per-input limit (default 10 s, far above the milliseconds an input takes: it catches hangs, it is not a speed
/// check). docs/hostile-input.md gives the campaign command.
/// </remarks>
public class NpyFuzzTests
{
    private static readonly NpyReadLimits Limits = new() { MaxArrayBytes = 64 << 20, MaxNpzMemberBytes = 64 << 20,
        MaxNpzTotalBytes = 128 << 20 };
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "Data", "fuzz", "npy");

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture,
            out int value) ? value : fallback;

    private static TimeSpan PerInput => TimeSpan.FromSeconds(Setting("FIBERPRODUCT_FUZZ_TIMEOUT_S", 10));

    /// <summary>Valid files: every dtype, both byte orders, both orders, the three versions, 0-d and empty arrays,
    /// Python spellings in the header, and .npz archives stored and deflated.</summary>
    internal static List<byte[]> Seeds()
    {
        var seeds = new List<byte[]>();
        var random = new Random(1);
        byte[] Body(int bytes) { var b = new byte[bytes]; random.NextBytes(b); return b; }
        seeds.Add(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", Body(48)));
        seeds.Add(Npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", Body(48)));
        seeds.Add(Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (5,), }", Body(10), version: 2));
        seeds.Add(Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }", Body(8), version: 3));
        seeds.Add(Npy("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 1, 3), }", Body(24)));
        seeds.Add(Npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", Body(8)));
        seeds.Add(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7), }", []));
        seeds.Add(
            Npy("{\"shape\": (0x2, 1_0L,), 'descr': '<' 'f4', # c\n 'fortran_order': (True), 'shape': (2, 2)}",
                Body(16)));
        var a = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", Body(16));
        var b = Npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", Body(32));
        seeds.Add(Zip(CompressionLevel.NoCompression, ("a.npy", a), ("b.npy", b)));
        seeds.Add(Zip(CompressionLevel.Optimal, ("a.npy", a), ("b.npy", b)));
        seeds.Add(Zip(CompressionLevel.Optimal,
            ("zeros.npy", Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (64, 64), }", new byte[32768]))));
        return seeds;
    }

    private static readonly byte[] InterestingBytes = [0, 1, 0x7F, 0x80, 0xFF, (byte)'(', (byte)')', (byte)',',
        (byte)'\'', (byte)'"', (byte)'L', (byte)'\n', (byte)'\\', (byte)'#', (byte)'0', (byte)'9', (byte)'-', (byte)'_',
        (byte)'x', (byte)'j', (byte)'{', (byte)'}', (byte)':', (byte)' '];

    private static readonly uint[] InterestingIntegers =
        [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF, 0x8000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 10_000, 10_001, 65_535];

    internal static byte[] Mutate(Random rng, List<byte[]> seeds)
    {
        var seed = seeds[rng.Next(seeds.Count)];
        if (seed[0] == 0x93 && rng.Next(2) == 0) return MutateHeaderText(rng, seed);
        var data = new List<byte>(seed);
        int rounds = 1 + rng.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            // Half the mutations land in the first 128 bytes: the magic string, version, length and header.
            int Position(int extra = 0) => data.Count + extra == 0 ? 0
                : rng.Next(2) == 0 ? rng.Next(Math.Min(128, data.Count + extra)) : rng.Next(data.Count + extra);
            switch (rng.Next(9))
            {
                case 0 when data.Count > 0: { int p = Position(); data[p] ^= (byte)(1 << rng.Next(8)); break; }
                case 1 when data.Count > 0: data[Position()] =
                    InterestingBytes[rng.Next(InterestingBytes.Length)]; break;
                case 2 when data.Count >= 4:
                {
                    int p = Position(-3);
                    uint v = InterestingIntegers[rng.Next(InterestingIntegers.Length)];
                    int width = rng.Next(2) == 0 ? 2 : 4;
                    for (int k = 0; k < width && p + k < data.Count; k++) data[p + k] = (byte)(v >> (8 * k));
                    break;
                }
                case 3:
                {
                    var bytes = new byte[1 + rng.Next(16)];
                    for (int k = 0; k < bytes.Length; k++)
                        bytes[k] = rng.Next(2) == 0 ? InterestingBytes[rng.Next(InterestingBytes.Length)]
                            : (byte)rng.Next(256);
                    data.InsertRange(Position(1), bytes);
                    break;
                }
                case 4 when data.Count > 1:
                {
                    int p = Position();
                    data.RemoveRange(p, Math.Min(1 + rng.Next(16), data.Count - p));
                    break;
                }
                case 5 when data.Count > 1:
                {
                    int p = Position();
                    int n = Math.Min(1 + rng.Next(64), data.Count - p);
                    data.InsertRange(Position(1), data.GetRange(p, n));
                    break;
                }
                case 6 when data.Count > 1: // truncation
                {
                    int cut = rng.Next(data.Count);
                    data.RemoveRange(cut, data.Count - cut);
                    break;
                }
                case 7:
                {
                    var other = seeds[rng.Next(seeds.Count)];
                    int from = rng.Next(other.Length);
                    int p = Position(1);
                    data.RemoveRange(p, Math.Min(rng.Next(64), data.Count - p));
                    data.InsertRange(p, other.Skip(from).Take(1 + rng.Next(128)));
                    break;
                }
                default: if (data.Count > 0) data[rng.Next(data.Count)] = (byte)rng.Next(256); break;
            }
        }
        return [.. data];
    }

    /// <summary>Edits the header text of a .npy seed (characters of Python's literal syntax inserted, deleted,
    /// replaced, spans repeated) and writes the length field to match, so the edit reaches the parser and a header
    /// that still parses reaches the data.</summary>
    private static byte[] MutateHeaderText(Random rng, byte[] seed)
    {
        int version = seed[6];
        int prefix = version == 1 ? 10 : 12;
        int length = version == 1 ? BitConverter.ToUInt16(seed, 8) : BitConverter.ToInt32(seed, 8);
        var text = new List<byte>(seed.AsSpan(prefix, length).ToArray());
        int rounds = 1 + rng.Next(3);
        for (int r = 0; r < rounds; r++)
        {
            int p = rng.Next(text.Count + 1);
            byte interesting = InterestingBytes[rng.Next(InterestingBytes.Length)];
            switch (rng.Next(4))
            {
                case 0: text.Insert(p, interesting); break;
                case 1 when p < text.Count: text.RemoveAt(p); break;
                case 2 when p < text.Count: text[p] = interesting; break;
                default:
                {
                    int from = rng.Next(text.Count), n = Math.Min(1 + rng.Next(24), text.Count - from);
                    text.InsertRange(p, text.GetRange(from, n));
                    break;
                }
            }
        }
        var result = new List<byte>(seed.AsSpan(0, 8).ToArray());
        result.AddRange(version == 1 ? BitConverter.GetBytes((ushort)text.Count) : BitConverter.GetBytes(text.Count));
        result.AddRange(text);
        result.AddRange(seed.AsSpan(prefix + length).ToArray());
        return [.. result];
    }

    /// <summary>Reads the bytes as .npy (seekable and forward-only) and as .npz; returns what went wrong (or null)
    /// and how many of the three readers read the bytes without an error.</summary>
    internal static (string? Failure, int Reads) Check(byte[] input)
    {
        int reads = 0;
        var readers = new (string Name, Action Read)[]
        {
            ("Npy.Read", () => FiberProduct.IO.Npy.Read(new MemoryStream(input), Limits)),
            ("Npy.Read (forward only)", () => FiberProduct.IO.Npy.Read(new ForwardOnlyStream(input), Limits)),
            ("Npy.ReadNpz", () => FiberProduct.IO.Npy.ReadNpz(new MemoryStream(input), Limits)),
        };
        foreach (var (name, read) in readers)
        {
            var task = Task.Run(() =>
            {
                try { read(); Interlocked.Increment(ref reads); return null; }
                catch (InvalidDataException) { return null; }
                catch (Exception e) { return $"{name} threw {e.GetType().Name}: {e.Message}"; }
            });
            if (!task.Wait(PerInput)) return ($"{name} ran longer than {PerInput.TotalSeconds} s", reads);
            if (task.Result is string failure) return (failure, reads);
        }
        return (null, reads);
    }

    private static string Keep(byte[] input)
    {
        string folder = Path.Combine(Path.GetTempPath(), "fiberproduct-fuzz-npy");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(input))[..16] + ".bin");
        File.WriteAllBytes(path, input);
        return path;
    }

    [Fact]
    public void MutatedFiles_ReadOrFailCleanly()
    {
        int count = Setting("FIBERPRODUCT_FUZZ_NPY_COUNT", 5000);
        int seed = Setting("FIBERPRODUCT_FUZZ_SEED", 20261129);
        var rng = new Random(seed);
        var seeds = Seeds();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        int read = 0;
        for (int i = 0; i < count; i++)
        {
            var input = Mutate(rng, seeds);
            var (failure, reads) = Check(input);
            if (failure is not null) failures.Add($"{Keep(input)}: {failure}");
            if (reads > 0) read++;
        }
        string summary =
            $"fuzz: {count} inputs (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s, {read} read by a reader, "
            + $"{failures.Count} failures";
        TestContext.Current.SendDiagnosticMessage(summary);
        if (Environment.GetEnvironmentVariable("FIBERPRODUCT_FUZZ_REPORT") is { Length: > 0 } report)
            File.AppendAllText(report, summary + "\n");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {count} inputs (seed {seed}) failed; keep each file under Data/fuzz/npy:\n"
            + string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void RegressionCases_ReadOrFailCleanly()
    {
        var files = Directory.GetFiles(Corpus).Where(f => Path.GetExtension(f) is ".bin" or ".npy" or ".npz")
            .Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var failures = files.Select(f => Check(File.ReadAllBytes(f)).Failure is string failure
            ? $"{Path.GetFileName(f)}: {failure}" : null).OfType<string>().ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
