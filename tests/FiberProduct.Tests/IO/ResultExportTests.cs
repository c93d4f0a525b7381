using System.Text.Json;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.IO;

public class ResultExportTests
{
    private static PairSet Sample(out EpsilonProfile profile)
    {
        var random = new Random(30);
        var product = new ApproximateFiberProduct(Sets.Clustered(random, 40, 8, 0.5), Sets.Clustered(random, 30, 8, 0.5));
        profile = product.Profile([0.3, 0.6, 0.9], includeDistances: true);
        return product.Pairs(0.6);
    }

    [Fact]
    public void PairSets_RoundTripThroughNpzCsvAndJson()
    {
        var pairs = Sample(out _);
        Assert.True(pairs.PairCount > 10);
        string folder = Directory.CreateTempSubdirectory().FullName;

        ResultExport.SaveNpz(pairs, Path.Combine(folder, "pairs.npz"));
        var npz = Npy.ReadNpz(Path.Combine(folder, "pairs.npz"));
        Assert.Equal(pairs.RowOffsets.ToArray(), (long[])npz["indptr"].Data);
        Assert.Equal(pairs.Columns.ToArray(), (int[])npz["indices"].Data);
        Assert.Equal(pairs.Distances.ToArray(), (double[])npz["data"].Data);
        Assert.Equal(new long[] { 40, 30 }, (long[])npz["shape"].Data);

        ResultExport.SaveCsv(pairs, Path.Combine(folder, "pairs.csv"));
        var lines = File.ReadAllLines(Path.Combine(folder, "pairs.csv"));
        Assert.Equal("image,text,distance", lines[0]);
        var parsed = lines.Skip(1).Select(l => l.Split(',')).Select(f => new FiberPair(int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(pairs.ToList(), parsed);

        ResultExport.SaveJson(pairs, Path.Combine(folder, "pairs.json"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "pairs.json")));
        var root = json.RootElement;
        Assert.Equal(40, root.GetProperty("rows").GetInt32());
        Assert.False(root.GetProperty("truncated").GetBoolean());
        var fromJson = root.GetProperty("image").EnumerateArray().Zip(root.GetProperty("text").EnumerateArray(), root.GetProperty("distance").EnumerateArray())
            .Select(t => new FiberPair(t.First.GetInt32(), t.Second.GetInt32(), t.Third.GetDouble())).ToList();
        Assert.Equal(pairs.ToList(), fromJson);
    }

    [Fact]
    public void Profiles_RoundTrip()
    {
        Sample(out var profile);
        string folder = Directory.CreateTempSubdirectory().FullName;
        ResultExport.SaveNpz(profile, Path.Combine(folder, "profile.npz"));
        var npz = Npy.ReadNpz(Path.Combine(folder, "profile.npz"));
        Assert.Equal(profile.Counts.ToArray(), (long[])npz["count"].Data);
        Assert.Equal(profile.SortedDistances.ToArray(), (double[])npz["distances"].Data);
        ResultExport.SaveCsv(profile, Path.Combine(folder, "profile.csv"));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(folder, "profile.csv")).Length);
        ResultExport.SaveJson(profile, Path.Combine(folder, "profile.json"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "profile.json")));
        Assert.Equal(profile.Counts.ToArray(), json.RootElement.GetProperty("count").EnumerateArray().Select(c => c.GetInt64()).ToArray());
    }
}
