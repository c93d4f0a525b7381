using FiberProduct.Algebra;

namespace FiberProduct.Tests.Algebra;

/// <summary>Turns raw generated values into valid test inputs for a given ring (generation only; the library itself never wraps).</summary>
internal static class Residues
{
    public static uint[] Of(uint[]? raw, uint modulus) => raw is null ? [] : Array.ConvertAll(raw, v => v % modulus);

    public static ZnPolynomial Polynomial(PolynomialRing ring, uint[]? raw) => ring.Create(Of(raw, ring.Modulus));

    public static uint[] Random(Random random, int length, uint modulus)
    {
        var values = new uint[length];
        for (int i = 0; i < length; i++) values[i] = (uint)random.NextInt64(modulus);
        return values;
    }

    /// <summary>Coefficients at the top of the range, the worst case for every overflow bound.</summary>
    public static uint[] Maximal(int length, uint modulus) => Enumerable.Repeat(modulus - 1, length).ToArray();
}
