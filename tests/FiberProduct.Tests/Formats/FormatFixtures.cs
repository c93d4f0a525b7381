using System.Diagnostics;
using System.Text.Json;
using FiberProduct.Embedding;
using FsCheck;
using FsCheck.Fluent;

namespace FiberProduct.Tests.Formats;

/// <summary>
/// The fixtures under Data/formats (written by the reference libraries: parquet-wasm and h5py, see make_fixtures.*),
/// the values they hold, and the reference readers for the write-with-us, read-with-them round trips.
/// </summary>
internal static class FormatFixtures
{
    public const int N = 5;
    public const int D = 4;

    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "formats", name);

    /// <summary>The value at row i, column k of modality m in a float32 (or, when wide, float64) fixture: the
    /// formula of Data/formats/values.mjs and make_fixtures.py.</summary>
    public static double Value(int i, int k, int m, bool wide)
    {
        if (i == 0)
        {
            double[] specials = wide
                ? [-0.0, double.Epsilon, 1e300, 1.0 / 3]
                : [-0.0, Math.ScaleB(1, -149), 3.4028234663852886e38, -Math.ScaleB(1, -126)];
            return specials[k] * (m == 0 ? 1 : -1);
        }
        return ((i * 37 + k * 11 + m * 5) % 23 - 11) / 16.0;
    }

    /// <summary>The set a fixture column or dataset holds.</summary>
    public static EmbeddingSet Expected(int m, bool wide)
    {
        var values = new double[N * D];
        for (int i = 0; i < N; i++)
            for (int k = 0; k < D; k++) values[i * D + k] = Value(i, k, m, wide);
        return wide ? new EmbeddingSet(values, N, D) : new EmbeddingSet(Array.ConvertAll(values, v => (float)v), N, D);
    }

    /// <summary>The values' bytes, little endian, row-major, in the set's own precision.</summary>
    public static byte[] Bytes(EmbeddingSet set) => set.Precision == EmbeddingPrecision.Float32
        ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(set.Values).ToArray()
        : System.Runtime.InteropServices.MemoryMarshal.AsBytes(set.DoubleValues).ToArray();

    /// <summary>Equal precision, shape and bits (so −0 differs from 0).</summary>
    public static void AssertSame(EmbeddingSet expected, EmbeddingSet actual)
    {
        Assert.Equal(expected.Precision, actual.Precision);
        Assert.Equal((expected.Count, expected.Dimension), (actual.Count, actual.Dimension));
        Assert.Equal(Convert.ToHexString(Bytes(expected)), Convert.ToHexString(Bytes(actual)));
    }

    public static string TempFile(string extension) =>
        Path.Combine(Path.GetTempPath(), "fiberproduct-formats-" + Guid.NewGuid().ToString("N") + extension);

    /// <summary>A copy of a fixture cut to its first <paramref name="bytes"/> bytes (negative: that many
    /// fewer).</summary>
    public static string Truncated(string fixture, int bytes)
    {
        var all = File.ReadAllBytes(Data(fixture));
        string path = TempFile(Path.GetExtension(fixture));
        File.WriteAllBytes(path, all[..(bytes >= 0 ? bytes : all.Length + bytes)]);
        return path;
    }

    /// <summary>Sets of 1–9 rows and 1–7 columns, float32 or float64, whose values mix ordinary numbers with the
    /// edges a writer or reader can lose: ±0, subnormals, the float32 maximum, and (float64) beyond float32.</summary>
    public static Arbitrary<EmbeddingSet> Sets()
    {
        var specials32 = Gen.Elements(0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, -float.MaxValue,
            BitConverter.Int32BitsToSingle(0x007F_FFFF), float.MinValue, 1f / 3);
        var specials64 = Gen.Elements(0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, -double.MaxValue,
            1e300, -1e-310, (double)float.MaxValue * 4, 1.0 / 3, BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF));
        var ordinary = Gen.Choose(-1_000_000, 1_000_000).Select(v => v / 4096.0);
        var float32 = Gen.Frequency((3, ordinary.Select(v => (float)v)), (1, specials32));
        var float64 = Gen.Frequency((3, ordinary), (1, specials64), (1, ordinary.Select(v => v * Math.PI)));
        return (from n in Gen.Choose(1, 9)
                from d in Gen.Choose(1, 7)
                from wide in Gen.Elements(false, true)
                from set in wide
                    ? float64.ArrayOf(n * d).Select(v => new EmbeddingSet(v, n, d))
                    : float32.ArrayOf(n * d).Select(v => new EmbeddingSet(v, n, d))
                select set).ToArbitrary();
    }

    /// <summary>Runs a reference tool; null when it cannot run here (the caller skips).</summary>
    public static (int Exit, string Output, string Error)? Run(string program, string workingDirectory,
        params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000)) { process.Kill(entireProcessTree: true); return (-1, "", "timed out"); }
            return (process.ExitCode, output.Result, error.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>The source folder of the fixtures, where npm installs the reference Parquet tools.</summary>
    public static string? SourceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "FiberProduct.Tests", "Data", "formats");
            if (File.Exists(Path.Combine(dir.FullName, "FiberProduct.sln")) && Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>Reads a column with parquet-wasm (Data/formats/read_parquet.mjs), or skips when node or the npm
    /// packages are missing (.ci/run installs them with npm ci).</summary>
    public static JsonElement ReadWithParquetWasm(string file, string column)
    {
        string? folder = SourceFolder();
        if (folder is null || !Directory.Exists(Path.Combine(folder, "node_modules", "parquet-wasm")))
            Assert.Skip(
                "The reference Parquet reader is not installed: run npm ci in tests/FiberProduct.Tests/Data/formats.");
        var run = Run("node", folder, "read_parquet.mjs", file, column);
        if (run is null) Assert.Skip("node is not installed.");
        Assert.True(run.Value.Exit == 0, "parquet-wasm failed: " + run.Value.Error);
        return JsonDocument.Parse(run.Value.Output).RootElement.Clone();
    }

    /// <summary>Reads a dataset with h5py (Data/formats/read_hdf5.py), or skips when Debian's python3-h5py is
    /// missing (.ci/run installs it).</summary>
    public static JsonElement ReadWithH5py(string file, string dataset)
    {
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var probe = Run(python, AppContext.BaseDirectory, "-c", "import h5py, numpy");
        if (probe is null || probe.Value.Exit != 0) Assert.Skip("h5py is not installed (Debian: python3-h5py).");
        var run = Run(python, AppContext.BaseDirectory, Data("read_hdf5.py"), file, dataset);
        Assert.True(run!.Value.Exit == 0, "h5py failed: " + run.Value.Error);
        return JsonDocument.Parse(run.Value.Output).RootElement.Clone();
    }
}
