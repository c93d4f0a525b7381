using System.Buffers.Binary;
using System.Globalization;
using FiberProduct.IO;

namespace FiberProduct.Tests.IO;

/// <summary>
/// The header parser against NumPy's verdicts. Data/fuzz/npy/numpy-headers.tsv holds generated headers (valid ones,
/// their Python spellings, and near misses) with what NumPy made of each, recorded by gen_headers.py next to it;
/// NumPy is not needed to run this test.
/// </summary>
public class NpyNumPyParityTests
{
    /// <summary>The committed corpus, or another one written by gen_headers.py
    /// (FIBERPRODUCT_NPY_PARITY_CORPUS).</summary>
    private static readonly string Corpus = Environment.GetEnvironmentVariable("FIBERPRODUCT_NPY_PARITY_CORPUS")
        ?? Path.Combine(AppContext.BaseDirectory, "Data", "fuzz", "npy", "numpy-headers.tsv");

    private static readonly NpyReadLimits Limits = new() { MaxArrayBytes = 64 << 20 };

    private static byte[] File(int major, byte[] header, long dataBytes)
    {
        var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var length = new byte[4];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length, 0, 2);
        }
        else { BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length); stream.Write(length); }
        stream.Write(header);
        stream.Write(new byte[dataBytes]);
        return stream.ToArray();
    }

    [Fact]
    public void EveryHeader_GetsNumPysVerdict()
    {
        var disagreements = new List<string>();
        int accepted = 0, cases = 0;
        foreach (var line in System.IO.File.ReadLines(Corpus))
        {
            if (line.StartsWith('#')) continue;
            var fields = line.Split('\t');
            int major = int.Parse(fields[0], CultureInfo.InvariantCulture);
            var header = Convert.FromHexString(fields[1]);
            string verdict = fields[2];
            cases++;
            string[]? expected = verdict == "refuse" ? null : verdict.Split(' ');
            int[] shape = expected is null || expected[1].Length == 0 ? []
                : expected[1].Split(',').Select(int.Parse).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            int itemSize = expected is null ? 0 : int.Parse(expected[2][2..], CultureInfo.InvariantCulture);
            string got;
            try
            {
                // An accepted header of a huge array is checked as far as the array-size limit, which comes after
                // the header checks and before the data is read.
                bool huge = count * itemSize > Limits.MaxArrayBytes / 2;
                var array = Npy.Read(
                    new MemoryStream(File(major, header, expected is null || huge ? 8 : count * itemSize)), Limits);
                got = "ok " + string.Join(",", array.Shape) + " " + array.ElementType;
            }
            catch (InvalidDataException e) when (expected is not null
                && e.Message.Contains("MaxArrayBytes", StringComparison.Ordinal))
            {
                got = "ok " + expected[1] + " (as far as the limit)";
            }
            catch (InvalidDataException e) { got = "refuse (" + e.Message + ")"; }
            if (expected is not null) accepted++;
            bool agree = expected is null ? got.StartsWith("refuse", StringComparison.Ordinal)
                : got.StartsWith("ok " + expected[1] + " ", StringComparison.Ordinal);
            if (!agree)
                disagreements.Add(
                    $"v{major} {verdict} but {got}: "
                    + $"{System.Text.Encoding.Latin1.GetString(header).ReplaceLineEndings("⏎")}");
        }
        Assert.True(cases >= 1000 && accepted > cases / 10, $"the corpus holds {cases} cases, {accepted} accepted");
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {cases} disagree:\n"
            + string.Join("\n", disagreements.Take(30)));
    }
}
