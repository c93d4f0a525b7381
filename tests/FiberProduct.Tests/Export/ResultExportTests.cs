using System.Text.Json;
using FiberProduct.Analysis;
using FiberProduct.Decomposition;
using FiberProduct.Fiber;
using FiberProduct.Export;
using FiberProduct.IO;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Export;

public class ResultExportTests
{
    private static PairSet Sample(out EpsilonProfile profile)
    {
        var random = new Random(30);
        var product = new ApproximateFiberProduct(Sets.Clustered(random, 40, 8, 0.5),
            Sets.Clustered(random, 30, 8, 0.5));
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
        var parsed = lines.Skip(1).Select(l => l.Split(','))
            .Select(f => new FiberPair(int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture),
                double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(pairs.ToList(), parsed);

        ResultExport.SaveJson(pairs, Path.Combine(folder, "pairs.json"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "pairs.json")));
        var root = json.RootElement;
        Assert.Equal(40, root.GetProperty("rows").GetInt32());
        Assert.False(root.GetProperty("truncated").GetBoolean());
        var fromJson = root.GetProperty("image").EnumerateArray()
            .Zip(root.GetProperty("text").EnumerateArray(), root.GetProperty("distance").EnumerateArray())
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
        Assert.Equal(profile.Counts.ToArray(), json.RootElement.GetProperty("count").EnumerateArray()
            .Select(c => c.GetInt64()).ToArray());
    }

    [Fact]
    public void Curves_Radii_AndDecompositions_RoundTrip()
    {
        var random = new Random(31);
        var (images, texts) = (Sets.Clustered(random, 60, 8, 0.5), Sets.Clustered(random, 60, 8, 0.5));
        var product = new ApproximateFiberProduct(images, texts);
        var curve = product.AlignmentCurve(Pairing.Diagonal(60));
        string folder = Directory.CreateTempSubdirectory().FullName;
        string P(string name) => Path.Combine(folder, name);

        ResultExport.SaveNpz(curve, P("curve.npz"));
        var npz = Npy.ReadNpz(P("curve.npz"));
        Assert.Equal(curve.Select(c => c.Epsilon), (double[])npz["epsilon"].Data);
        Assert.Equal(curve.Select(c => c.Precision), (double[])npz["precision"].Data);
        Assert.Equal(curve.Select(c => c.TruePositives), (long[])npz["true_positives"].Data);
        ResultExport.SaveCsv(curve, P("curve.csv"));
        var lines = File.ReadAllLines(P("curve.csv"));
        Assert.Equal("epsilon,pairs,true_positives,truth,precision,recall,f1", lines[0]);
        Assert.Equal(curve.Count + 1, lines.Length);
        Assert.Equal(curve[^1].F1, double.Parse(lines[^1].Split(',')[6],
            System.Globalization.CultureInfo.InvariantCulture));
        ResultExport.SaveJson(curve, P("curve.json"));
        using (var json = JsonDocument.Parse(File.ReadAllText(P("curve.json"))))
            Assert.Equal(curve.Select(c => c.Recall), json.RootElement.GetProperty("recall").EnumerateArray()
                .Select(e => e.GetDouble()));

        var certified = Robustness.Certify(product.Pairs(0.8), 0.8);
        ResultExport.SaveNpz(certified, P("radii.npz"));
        npz = Npy.ReadNpz(P("radii.npz"));
        Assert.Equal(certified.Radii, (double[])npz["radius"].Data);
        Assert.Equal(certified.Pairs.Columns.ToArray(), (int[])npz["indices"].Data);
        Assert.All((double[])npz["radius"].Data, r => Assert.InRange(r, 0, 0.8));
        ResultExport.SaveCsv(certified, P("radii.csv"));
        Assert.Equal("image,text,distance,radius", File.ReadLines(P("radii.csv")).First());
        Assert.Equal(certified.Pairs.PairCount + 1, File.ReadLines(P("radii.csv")).Count());
        ResultExport.SaveJson(certified, P("radii.json"));
        using (var json = JsonDocument.Parse(File.ReadAllText(P("radii.json"))))
            Assert.Equal(certified.Radii, json.RootElement.GetProperty("radius").EnumerateArray()
                .Select(e => e.GetDouble()));

        var decomposition = SubspaceDecomposition.Estimate(images, texts,
            new DecompositionOptions { Seed = 1, ImageSignalRank = 4, TextSignalRank = 4, JointRank = 2 });
        ResultExport.SaveNpz(decomposition, P("decomposition.npz"));
        npz = Npy.ReadNpz(P("decomposition.npz"));
        var shared = decomposition.Shared.BasisVectors();
        Assert.Equal([8, 2], npz["basis_shared"].Shape);
        Assert.Equal(shared[5, 1], ((double[])npz["basis_shared"].Data)[5 * 2 + 1]); // C order: row 5, column 1
        Assert.Equal([2, 4], npz["variance_share"].Shape);
        Assert.Equal(decomposition.VarianceShare(Modality.Texts, SubspacePart.ImageSpecific),
            ((double[])npz["variance_share"].Data)[4 + 1]);
        Assert.Equal(8, ((double[])npz["image_mean"].Data).Length);
        ResultExport.SaveCsv(decomposition, P("decomposition.csv"));
        var table = File.ReadAllLines(P("decomposition.csv"));
        Assert.Equal(["part,rank,image_share,text_share,gap_share", "shared", "image_specific",
            "text_specific", "residual"], table.Select((l, i) => i == 0 ? l : l.Split(',')[0]));
        Assert.Equal(8, table.Skip(1)
            .Sum(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)));
        ResultExport.SaveJson(decomposition, P("decomposition.json"));
        using (var json = JsonDocument.Parse(File.ReadAllText(P("decomposition.json"))))
        {
            var basis = json.RootElement.GetProperty("bases").GetProperty("shared");
            Assert.Equal(2, basis.GetArrayLength());
            Assert.Equal(shared[5, 1], basis[1][5].GetDouble());
            Assert.Equal(decomposition.Shared.Rank, json.RootElement.GetProperty("parts")
                .GetProperty("rank")[0].GetDouble());
        }
    }
}
