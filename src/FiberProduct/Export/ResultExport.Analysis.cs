using System.Globalization;
using System.Text.Json;
using FiberProduct.Analysis;
using FiberProduct.Decomposition;
using FiberProduct.Fiber;
using FiberProduct.IO;

namespace FiberProduct.Export;

// Exports of the analysis results: precision–recall curves, certified radii and decompositions.
public static partial class ResultExport
{
    private static readonly string[] PartNames = ["shared", "image_specific", "text_specific", "residual"];

    /// <summary>
    /// A precision–recall curve (<see cref="ApproximateFiberProduct.AlignmentCurve"/>) as .npz: float64 arrays
    /// <c>epsilon</c>, <c>precision</c>, <c>recall</c>, <c>f1</c> and int64 <c>pairs</c>,
    /// <c>true_positives</c>, <c>truth</c>.
    /// </summary>
    /// <param name="curve">The precision–recall curve, one score per ε
    /// (<see cref="ApproximateFiberProduct.AlignmentCurve"/>).</param>
    /// <param name="path">The .npz file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="curve"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveNpz(IReadOnlyList<AlignmentScore> curve, string path)
    {
        ArgumentNullException.ThrowIfNull(curve);
        int n = curve.Count;
        Npy.WriteNpz(path, new Dictionary<string, NpyArray>
        {
            ["epsilon"] = new(curve.Select(s => s.Epsilon).ToArray(), n),
            ["precision"] = new(curve.Select(s => s.Precision).ToArray(), n),
            ["recall"] = new(curve.Select(s => s.Recall).ToArray(), n),
            ["f1"] = new(curve.Select(s => s.F1).ToArray(), n),
            ["pairs"] = new(curve.Select(s => s.Pairs).ToArray(), n),
            ["true_positives"] = new(curve.Select(s => s.TruePositives).ToArray(), n),
            ["truth"] = new(curve.Select(s => (long)s.TruthCount).ToArray(), n),
        }, compress: false);
    }

    /// <summary>A precision–recall curve as CSV with header
    /// <c>epsilon,pairs,true_positives,truth,precision,recall,f1</c>.</summary>
    /// <param name="curve">The precision–recall curve, one score per ε
    /// (<see cref="ApproximateFiberProduct.AlignmentCurve"/>).</param>
    /// <param name="path">The .csv file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="curve"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveCsv(IReadOnlyList<AlignmentScore> curve, string path)
    {
        ArgumentNullException.ThrowIfNull(curve);
        using var writer = new StreamWriter(path);
        writer.WriteLine("epsilon,pairs,true_positives,truth,precision,recall,f1");
        foreach (var s in curve)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Epsilon:R},{s.Pairs},{s.TruePositives},{s.TruthCount},{s.Precision:R},{s.Recall:R},{s.F1:R}"));
    }

    /// <summary>A precision–recall curve as columnar JSON (the CSV's columns as arrays).</summary>
    /// <param name="curve">The precision–recall curve, one score per ε
    /// (<see cref="ApproximateFiberProduct.AlignmentCurve"/>).</param>
    /// <param name="path">The .json file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="curve"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveJson(IReadOnlyList<AlignmentScore> curve, string path)
    {
        ArgumentNullException.ThrowIfNull(curve);
        WriteJson(path, json =>
        {
            WriteArray(json, "epsilon", curve.Select(s => s.Epsilon));
            WriteArray(json, "pairs", curve.Select(s => (double)s.Pairs));
            WriteArray(json, "true_positives", curve.Select(s => (double)s.TruePositives));
            WriteArray(json, "truth", curve.Select(s => (double)s.TruthCount));
            WriteArray(json, "precision", curve.Select(s => s.Precision));
            WriteArray(json, "recall", curve.Select(s => s.Recall));
            WriteArray(json, "f1", curve.Select(s => s.F1));
        });
    }

    /// <summary>
    /// Pairs with their certified radii as .npz: the pair set's CSR arrays (as <see cref="SaveNpz(PairSet, string)"/>)
    /// plus <c>radius</c> (float64, aligned with <c>data</c>) and <c>epsilon</c>.
    /// </summary>
    /// <param name="certified">The pairs and their radii (<see cref="Robustness.Certify"/>).</param>
    /// <param name="path">The .npz file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="certified"/> or <paramref name="path"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveNpz(CertifiedPairs certified, string path)
    {
        ArgumentNullException.ThrowIfNull(certified);
        var arrays = PairArrays(certified.Pairs);
        arrays["radius"] = new(certified.Radii.ToArray(), certified.Radii.Length);
        arrays["epsilon"] = new(new[] { certified.Epsilon }, 1);
        Npy.WriteNpz(path, arrays, compress: false);
    }

    /// <summary>Pairs with their certified radii as CSV: <c>image,text,distance,radius</c>.</summary>
    /// <param name="certified">The pairs and their radii (<see cref="Robustness.Certify"/>).</param>
    /// <param name="path">The .csv file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="certified"/> or <paramref name="path"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveCsv(CertifiedPairs certified, string path)
    {
        ArgumentNullException.ThrowIfNull(certified);
        using var writer = new StreamWriter(path);
        writer.WriteLine("image,text,distance,radius");
        int k = 0;
        foreach (var pair in certified.Pairs)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pair.Image},{pair.Text},{pair.Distance:R},{certified.Radii[k++]:R}"));
    }

    /// <summary>Pairs with their certified radii as columnar JSON: <c>epsilon</c> and arrays <c>image</c>, <c>text</c>,
    /// <c>distance</c>, <c>radius</c>.</summary>
    /// <param name="certified">The pairs and their radii (<see cref="Robustness.Certify"/>).</param>
    /// <param name="path">The .json file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="certified"/> or <paramref name="path"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveJson(CertifiedPairs certified, string path)
    {
        ArgumentNullException.ThrowIfNull(certified);
        WriteJson(path, json =>
        {
            json.WriteNumber("epsilon", certified.Epsilon);
            WriteArray(json, "image", certified.Pairs.Select(p => (double)p.Image));
            WriteArray(json, "text", certified.Pairs.Select(p => (double)p.Text));
            WriteArray(json, "distance", certified.Pairs.Select(p => p.Distance));
            WriteArray(json, "radius", certified.Radii);
        });
    }

    /// <summary>
    /// A decomposition as .npz: the orthonormal bases <c>basis_shared</c>, <c>basis_image_specific</c>,
    /// <c>basis_text_specific</c>, <c>basis_residual</c> (float64, shape (d, rank), columns the basis vectors),
    /// <c>image_mean</c>, <c>text_mean</c> (d), <c>principal_angles</c> (radians), <c>canonical_correlations</c>
    /// (empty for the AJIVE estimate), <c>variance_share</c> (2 × 4: rows images, texts; columns Z_s, Z_I, Z_T,
    /// Z_⊥), <c>gap_share</c> (4) and <c>signal_rank</c> (int64 [images, texts]).
    /// </summary>
    /// <param name="decomposition">The decomposition to write.</param>
    /// <param name="path">The .npz file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="decomposition"/> or <paramref name="path"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    /// <example>
    /// <code>
    /// var decomposition = SubspaceDecomposition.Estimate(images, texts);
    /// ResultExport.SaveNpz(decomposition, "decomposition.npz"); // numpy.load(...)["basis_shared"] is d × dim Z_s
    /// </code>
    /// </example>
    public static void SaveNpz(SubspaceDecomposition decomposition, string path)
    {
        ArgumentNullException.ThrowIfNull(decomposition);
        int d = decomposition.Dimension;
        var arrays = new Dictionary<string, NpyArray>();
        foreach (var part in Enum.GetValues<SubspacePart>())
        {
            var basis = decomposition[part].BasisVectors();
            arrays["basis_" + PartNames[(int)part]] = new(Flatten(basis), d, basis.GetLength(1));
        }
        arrays["image_mean"] = new(decomposition.ImageMean.ToArray(), d);
        arrays["text_mean"] = new(decomposition.TextMean.ToArray(), d);
        arrays["principal_angles"] = new(decomposition.PrincipalAngles.ToArray(), decomposition.PrincipalAngles.Length);
        arrays["canonical_correlations"] = new(decomposition.CanonicalCorrelations.ToArray(),
            decomposition.CanonicalCorrelations.Length);
        arrays["variance_share"] = new(Enum.GetValues<Modality>()
            .SelectMany(m => Enum.GetValues<SubspacePart>().Select(p => decomposition.VarianceShare(m, p))).ToArray(),
            2, 4);
        arrays["gap_share"] = new(Enum.GetValues<SubspacePart>().Select(decomposition.GapShare).ToArray(), 4);
        arrays["signal_rank"] = new(new long[] { decomposition.ImageSignalRank, decomposition.TextSignalRank }, 2);
        Npy.WriteNpz(path, arrays, compress: false);
    }

    /// <summary>
    /// A decomposition's variance table as CSV, one line per part: <c>part,rank,image_share,text_share,gap_share</c>
    /// (parts shared, image_specific, text_specific, residual). The bases go to .npz or JSON.
    /// </summary>
    /// <param name="decomposition">The decomposition to write.</param>
    /// <param name="path">The .csv file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="decomposition"/> or <paramref name="path"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveCsv(SubspaceDecomposition decomposition, string path)
    {
        ArgumentNullException.ThrowIfNull(decomposition);
        using var writer = new StreamWriter(path);
        writer.WriteLine("part,rank,image_share,text_share,gap_share");
        foreach (var part in Enum.GetValues<SubspacePart>())
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{PartNames[(int)part]},{decomposition[part].Rank},"
                + $"{decomposition.VarianceShare(Modality.Images, part):R},"
                + $"{decomposition.VarianceShare(Modality.Texts, part):R},{decomposition.GapShare(part):R}"));
    }

    /// <summary>
    /// A decomposition as JSON: <c>dimension</c>, <c>signal_rank</c>, <c>principal_angles</c>,
    /// <c>canonical_correlations</c>, <c>image_mean</c>, <c>text_mean</c>, <c>parts</c> (the variance table's columns
    /// as arrays) and <c>bases</c> (per part, a list of basis vectors, each a list of d numbers).
    /// </summary>
    /// <param name="decomposition">The decomposition to write.</param>
    /// <param name="path">The .json file to write; an existing file is overwritten, the folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="decomposition"/> or <paramref name="path"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The file cannot be created or written (for instance, no such folder).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to <paramref name="path"/> is not permitted.</exception>
    public static void SaveJson(SubspaceDecomposition decomposition, string path)
    {
        ArgumentNullException.ThrowIfNull(decomposition);
        var parts = Enum.GetValues<SubspacePart>();
        WriteJson(path, json =>
        {
            json.WriteNumber("dimension", decomposition.Dimension);
            WriteArray(json, "signal_rank", [decomposition.ImageSignalRank, decomposition.TextSignalRank]);
            WriteArray(json, "principal_angles", decomposition.PrincipalAngles.ToArray());
            WriteArray(json, "canonical_correlations", decomposition.CanonicalCorrelations.ToArray());
            WriteArray(json, "image_mean", decomposition.ImageMean);
            WriteArray(json, "text_mean", decomposition.TextMean);
            json.WriteStartObject("parts");
            json.WriteStartArray("part");
            foreach (var part in parts) json.WriteStringValue(PartNames[(int)part]);
            json.WriteEndArray();
            WriteArray(json, "rank", parts.Select(p => (double)decomposition[p].Rank));
            WriteArray(json, "image_share", parts.Select(p => decomposition.VarianceShare(Modality.Images, p)));
            WriteArray(json, "text_share", parts.Select(p => decomposition.VarianceShare(Modality.Texts, p)));
            WriteArray(json, "gap_share", parts.Select(decomposition.GapShare));
            json.WriteEndObject();
            json.WriteStartObject("bases");
            foreach (var part in parts)
            {
                var basis = decomposition[part].BasisVectors();
                json.WriteStartArray(PartNames[(int)part]);
                for (int column = 0; column < basis.GetLength(1); column++)
                {
                    json.WriteStartArray();
                    for (int row = 0; row < basis.GetLength(0); row++) json.WriteNumberValue(basis[row, column]);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    }

    private static void WriteJson(string path, Action<Utf8JsonWriter> body)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
    }

    private static double[] Flatten(double[,] matrix)
    {
        var flat = new double[matrix.Length];
        Buffer.BlockCopy(matrix, 0, flat, 0, flat.Length * sizeof(double)); // row-major, as .npy's C order
        return flat;
    }
}
