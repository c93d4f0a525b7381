using System.Globalization;

namespace FiberProduct.Algebra;

/// <summary>Allocation of coefficient arrays with the size checked first, so an impossible length fails clearly instead
/// of with an out-of-memory crash.</summary>
internal static class CoefficientArray
{
    private const long SmallEnoughToSkipCheck = 1 << 26;

    public static uint[] Allocate(long length, string paramName)
    {
        EnsureFits(length, paramName, length, "The result");
        return length == 0 ? [] : new uint[length];
    }

    /// <summary>As <see cref="Allocate"/>, without zeroing: for results the caller overwrites completely.</summary>
    public static uint[] AllocateUninitialized(long length, string paramName)
    {
        EnsureFits(length, paramName, length, "The result");
        return length == 0 ? [] : GC.AllocateUninitializedArray<uint>((int)length);
    }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> (on <paramref name="paramName"/>, with
    /// <paramref name="value"/>) unless a coefficient array of this length can exist and fits in the memory this
    /// process may use: one exception type for every result too long, whether the caller's limit, .NET's array limit or
    /// the memory refuses it.
    /// </summary>
    public static void EnsureFits(long length, string paramName, object value, string what)
    {
        if (length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(paramName, value,
                string.Create(CultureInfo.InvariantCulture,
                    $"{what} has {length} coefficients, more than the largest array .NET can hold "
                    + $"({Array.MaxLength})."));
        long bytes = length * sizeof(uint);
        if (bytes < SmallEnoughToSkipCheck) return; // asking the GC costs more than a short product
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new ArgumentOutOfRangeException(paramName, value,
                string.Create(CultureInfo.InvariantCulture,
                    $"{what} has {length} coefficients, which need {bytes} bytes; only {available} are "
                    + $"available to this process."));
    }
}
