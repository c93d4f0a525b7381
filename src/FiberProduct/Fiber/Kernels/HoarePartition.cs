using System.Numerics;
using System.Runtime.CompilerServices;

namespace FiberProduct.Fiber.Kernels;

/// <summary>One Hoare partition step, shared by the k-d order's selection and the sort of a result's rows.</summary>
internal static class HoarePartition
{
    /// <summary>
    /// Partitions keys[left..right] (inclusive; items alongside) around the median of the first, middle and last key:
    /// afterwards keys[left..j] ≤ pivot ≤ keys[i..right] with j &lt; i, keys between them equal to the pivot. Equal
    /// keys are exchanged too, so runs of them split evenly; deterministic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int I, int J) Around<TKey, TItem>(TKey[] keys, TItem[] items, int left, int right)
        where TKey : INumber<TKey>
    {
        TKey a = keys[left], b = keys[left + (right - left) / 2], c = keys[right];
        TKey pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        int i = left, j = right;
        while (i <= j)
        {
            while (keys[i] < pivot) i++;
            while (keys[j] > pivot) j--;
            if (i <= j)
            {
                (keys[i], keys[j]) = (keys[j], keys[i]);
                (items[i], items[j]) = (items[j], items[i]);
                i++; j--;
            }
        }
        return (i, j);
    }
}
