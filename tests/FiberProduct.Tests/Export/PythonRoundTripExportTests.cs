using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FiberProduct.Analysis;
using FiberProduct.Decomposition;
using FiberProduct.Export;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Export;

/// <summary>
/// The exports read by the Python libraries researchers use: scipy.sparse.load_npz on the pair files, NumPy and pandas
/// on the profiles, curves and decompositions. The Python side runs when python3 with numpy, scipy and pandas is
/// present (CI installs the Debian packages); otherwise the test reports itself skipped, never passed.
/// </summary>
public class PythonRoundTripExportTests
{
    // The checks run in Python against values C# wrote into expected.json, so a wrong array, key or layout fails here.
    private const string Script = """
        import json, sys
        import numpy as np, pandas as pd, scipy.sparse as sp
        folder = sys.argv[1]
        def path(name): return folder + "/" + name
        expected = json.load(open(path("expected.json")))

        # Pair sets (and pairs with certified radii): SciPy's own reader, CSR of distances.
        for name in ("pairs.npz", "radii.npz"):
            m = sp.load_npz(path(name))
            assert m.format == "csr", (name, m.format)
            assert m.shape == tuple(expected["shape"]), (name, m.shape)
            assert m.nnz == expected["nnz"], (name, m.nnz)
            assert np.array_equal(m.indptr, expected["indptr"]), name
            assert np.array_equal(m.indices, expected["indices"]), name
            assert np.array_equal(m.data, np.array(expected["data"], dtype=np.float64)), name   # bit for bit
        with np.load(path("pairs.npz"), allow_pickle=False) as z:
            assert z["format"].shape == () and z["format"].dtype == np.dtype("S3") and z["format"].item() == b"csr"
            assert int(z["truncated"][0]) == 0
        csv = pd.read_csv(path("pairs.csv"), float_precision="round_trip")  # the default parser may be off by an ulp
        assert list(csv.columns) == ["image", "text", "distance"]
        assert np.array_equal(csv["distance"].to_numpy(), np.array(expected["data"])), "pairs.csv distances"

        # ε-profiles: NumPy and pandas.
        with np.load(path("profile.npz"), allow_pickle=False) as z:
            assert z["count"].dtype == np.int64 and list(z["count"]) == expected["counts"]
            assert np.array_equal(z["epsilon"], np.array(expected["epsilons"]))
        frame = pd.read_csv(path("profile.csv"), float_precision="round_trip")
        assert list(frame["count"]) == expected["counts"] and np.array_equal(frame["epsilon"], expected["epsilons"])
        assert list(pd.read_json(path("profile.json"))["count"]) == expected["counts"]

        # Precision–recall curves.
        curve = pd.read_csv(path("curve.csv"), float_precision="round_trip")
        assert np.array_equal(curve["f1"].to_numpy(), np.array(expected["f1"]))
        with np.load(path("curve.npz"), allow_pickle=False) as z:
            assert np.array_equal(z["recall"], np.array(expected["recall"]))

        # Decompositions: bases as (d, rank) float64 in C order, the variance table in pandas.
        with np.load(path("decomposition.npz"), allow_pickle=False) as z:
            basis = z["basis_shared"]
            assert basis.shape == tuple(expected["shared_shape"]), basis.shape
            assert basis[5, 1] == expected["shared_5_1"]
            assert np.allclose(basis.T @ basis, np.eye(basis.shape[1]), atol=1e-12), "shared basis not orthonormal"
            assert z["variance_share"].shape == (2, 4)
        table = pd.read_csv(path("decomposition.csv"), index_col="part", float_precision="round_trip")
        assert list(table.index) == ["shared", "image_specific", "text_specific", "residual"]
        assert table["rank"].sum() == expected["dimension"]
        assert table.loc["shared", "image_share"] == expected["shared_image_share"]
        print("python round trip: ok")
        """;

    [Fact]
    public void ScipyNumPyAndPandas_ReadTheExports()
    {
        string? python = FindPython();
        if (python is null)
            Assert.Skip(
                "python3 with numpy, scipy and pandas is not installed (Debian: apt-get install python3-numpy "
                + "python3-scipy python3-pandas).");

        var random = new Random(32);
        var (images, texts) = (Sets.Clustered(random, 60, 8, 0.5), Sets.Clustered(random, 60, 8, 0.5));
        var product = new ApproximateFiberProduct(images, texts);
        var pairs = product.Pairs(0.8);
        Assert.True(pairs.PairCount > 10);
        var certified = Robustness.Certify(pairs, 0.8);
        var profile = product.Profile([0.2, 0.5, 0.8, 1.1]);
        var curve = product.AlignmentCurve(Pairing.Diagonal(60));
        var decomposition = SubspaceDecomposition.Estimate(images, texts,
            new DecompositionOptions { Seed = 1, ImageSignalRank = 4, TextSignalRank = 4, JointRank = 2 });

        string folder = Directory.CreateTempSubdirectory().FullName;
        string P(string name) => Path.Combine(folder, name);
        ResultExport.SaveNpz(pairs, P("pairs.npz"));
        ResultExport.SaveCsv(pairs, P("pairs.csv"));
        ResultExport.SaveNpz(certified, P("radii.npz"));
        ResultExport.SaveNpz(profile, P("profile.npz"));
        ResultExport.SaveCsv(profile, P("profile.csv"));
        ResultExport.SaveJson(profile, P("profile.json"));
        ResultExport.SaveCsv(curve, P("curve.csv"));
        ResultExport.SaveNpz(curve, P("curve.npz"));
        ResultExport.SaveNpz(decomposition, P("decomposition.npz"));
        ResultExport.SaveCsv(decomposition, P("decomposition.csv"));
        File.WriteAllText(P("expected.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["shape"] = new[] { pairs.RowCount, pairs.ColumnCount },
            ["nnz"] = pairs.PairCount,
            ["indptr"] = pairs.RowOffsets.ToArray(),
            ["indices"] = pairs.Columns.ToArray(),
            ["data"] = pairs.Distances.ToArray(), // System.Text.Json writes doubles round-trippably
            ["epsilons"] = profile.Epsilons.ToArray(),
            ["counts"] = profile.Counts.ToArray(),
            ["f1"] = curve.Select(s => s.F1).ToArray(),
            ["recall"] = curve.Select(s => s.Recall).ToArray(),
            ["shared_shape"] = new[] { decomposition.Dimension, decomposition.Shared.Rank },
            ["shared_5_1"] = decomposition.Shared.BasisVectors()[5, 1],
            ["dimension"] = decomposition.Dimension,
            ["shared_image_share"] = decomposition.VarianceShare(Modality.Images, SubspacePart.Shared),
        }));
        File.WriteAllText(P("check.py"), Script);

        var (code, output) = Run(python, $"\"{P("check.py")}\" \"{folder}\"");
        Assert.True(code == 0, "the Python side failed:\n" + output);
        Assert.Contains("python round trip: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PairFiles_CarrySciPysFormatTag_AndReadBackHere()
    {
        var random = new Random(33);
        var pairs = new ApproximateFiberProduct(Sets.Clustered(random, 20, 4, 0.5),
            Sets.Clustered(random, 10, 4, 0.5)).Pairs(0.7);
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pairs.npz");
        ResultExport.SaveNpz(pairs, path);
        var format = Npy.ReadNpz(path)["format"];
        Assert.Equal(NpyElementType.Bytes, format.ElementType);
        Assert.Empty(format.Shape); // 0-d, as scipy.sparse.save_npz writes it
        Assert.Equal(["csr"], (string[])format.Data);
        Assert.Equal(pairs.Columns.ToArray(), (int[])Npy.ReadNpz(path)["indices"].Data);
    }

    /// <summary>python3 (the Debian one first) when it imports numpy, scipy and pandas; otherwise null.</summary>
    private static string? FindPython()
    {
        foreach (string candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                if (Run(candidate, "-c \"import numpy, scipy.sparse, pandas\"").Code == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under this name
            }
        }
        return null;
    }

    private static (int Code, string Output) Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true,
            RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, string.Create(CultureInfo.InvariantCulture, $"{stdout}{stderr.Result}"));
    }
}
