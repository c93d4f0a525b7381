using FiberProduct.Fiber;

namespace FiberProduct.Orleans.Tests.Cluster;

/// <summary>Equality of answers to the bit: the same pairs in the same order with the same float64 distances.</summary>
internal static class Same
{
    public static bool Pairs(PairSet expected, PairSet actual) =>
        expected.RowCount == actual.RowCount && expected.ColumnCount == actual.ColumnCount
        && expected.RowOffsets.SequenceEqual(actual.RowOffsets) && expected.Columns.SequenceEqual(actual.Columns)
        && Bits(expected.Distances).SequenceEqual(Bits(actual.Distances)) && !actual.IsTruncated;

    public static bool Profile(EpsilonProfile expected, EpsilonProfile actual) =>
        expected.Epsilons.SequenceEqual(actual.Epsilons) && expected.Counts.SequenceEqual(actual.Counts)
        && expected.HasDistances == actual.HasDistances
        && Bits(expected.SortedDistances).SequenceEqual(Bits(actual.SortedDistances));

    private static long[] Bits(ReadOnlySpan<double> values)
    {
        var bits = new long[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.DoubleToInt64Bits(values[i]);
        return bits;
    }
}
