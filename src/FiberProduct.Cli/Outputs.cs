using FiberProduct.Decomposition;
using FiberProduct.Export;
using FiberProduct.Fiber;

namespace FiberProduct.Cli;

/// <summary>Writes a result in the format its file extension names: .npz (NumPy/SciPy), .csv or .json (docs/export.md).</summary>
internal static class Outputs
{
    public static void Save(PairSet pairs, string path) =>
        Dispatch(path, () => ResultExport.SaveNpz(pairs, path), () => ResultExport.SaveCsv(pairs, path), () => ResultExport.SaveJson(pairs, path));

    public static void Save(EpsilonProfile profile, string path) =>
        Dispatch(path, () => ResultExport.SaveNpz(profile, path), () => ResultExport.SaveCsv(profile, path), () => ResultExport.SaveJson(profile, path));

    public static void Save(SubspaceDecomposition decomposition, string path) =>
        Dispatch(path, () => ResultExport.SaveNpz(decomposition, path), () => ResultExport.SaveCsv(decomposition, path),
            () => ResultExport.SaveJson(decomposition, path));

    /// <summary>Checks the extension before any work is done, so a long join never ends in an unwritable name.</summary>
    public static string Checked(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".npz" or ".csv" or ".json" ? path
            : throw new UsageException($"--output '{path}': expected a .npz, .csv or .json file name.");

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
