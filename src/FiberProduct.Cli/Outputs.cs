using FiberProduct.Decomposition;
using FiberProduct.Export;
using FiberProduct.Fiber;
using FiberProduct.Formats;

namespace FiberProduct.Cli;

/// <summary>
/// Writes a result in the format its file extension names: .npz (NumPy/SciPy), .csv or .json (docs/export.md), and for
/// pair sets also .parquet (a long table image, text, distance).
/// </summary>
internal static class Outputs
{
    public static void Save(PairSet pairs, string path)
    {
        if (Path.GetExtension(path).Equals(".parquet", StringComparison.OrdinalIgnoreCase))
            ParquetPairs.Save(path, pairs);
        else Dispatch(path, () => ResultExport.SaveNpz(pairs, path), () => ResultExport.SaveCsv(pairs, path),
            () => ResultExport.SaveJson(pairs, path));
    }

    public static void Save(EpsilonProfile profile, string path) =>
        Dispatch(path, () => ResultExport.SaveNpz(profile, path), () => ResultExport.SaveCsv(profile, path),
            () => ResultExport.SaveJson(profile, path));

    public static void Save(SubspaceDecomposition decomposition, string path) =>
        Dispatch(path, () => ResultExport.SaveNpz(decomposition, path), () => ResultExport.SaveCsv(decomposition, path),
            () => ResultExport.SaveJson(decomposition, path));

    /// <summary>Checks the extension before any work is done, so a long join never ends in an unwritable
    /// name.</summary>
    public static string Checked(string path, bool parquet = false) =>
        Path.GetExtension(path).ToLowerInvariant() is ".npz" or ".csv" or ".json" || parquet
            && path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)
            ? path
                : throw new UsageException(
                    $"--output '{path}': expected a .npz, "
                    + $".csv{(parquet ? ", .json or .parquet" : " or .json")} file name.");

    private static void Dispatch(string path, Action npz, Action csv, Action json)
    {
        switch (Path.GetExtension(Checked(path)).ToLowerInvariant())
        {
            case ".npz": npz(); break;
            case ".csv": csv(); break;
            default: json(); break;
        }
    }
}
