using System.Globalization;

namespace FiberProduct.Algebra;

/// <summary>Allocation of coefficient arrays with the size checked first, so an impossible length fails clearly instead of with an out-of-memory crash.</summary>
internal static class CoefficientArray
{
    private const long SmallEnoughToSkipCheck = 1 << 26;

    public static uint[] Allocate(long length, string paramName)
    {
        EnsureFits(length, paramName);
        return length == 0 ? [] : new uint[length];
    }

    /// <summary>As <see cref="Allocate"/>, without zeroing: for results the caller overwrites completely.</summary>
    public static uint[] AllocateUninitialized(long length, string paramName)
    {
        EnsureFits(length, paramName);
        return length == 0 ? [] : GC.AllocateUninitializedArray<uint>((int)length);
    }

    /// <summary>Throws unless a coefficient array of this length can exist and fits in the memory this process may use.</summary>
    public static void EnsureFits(long length, string paramName)
    {
        if (length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(paramName, length,
                string.Create(CultureInfo.InvariantCulture, $"A polynomial with {length} coefficients exceeds the largest array .NET can hold ({Array.MaxLength})."));
        long bytes = length * sizeof(uint);
        if (bytes < SmallEnoughToSkipCheck) return; // asking the GC costs more than a short product
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new InsufficientMemoryException(
                string.Create(CultureInfo.InvariantCulture, $"A polynomial with {length} coefficients needs {bytes} bytes; only {available} are available to this process ({paramName})."));
    }
}
