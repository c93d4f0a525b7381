using FiberProduct.Algebra;

namespace FiberProduct.Tests.Algebra;

/// <summary>Turns raw generated values into valid test inputs for a given ring (generation only; the library itself
/// never wraps).</summary>
internal static class Residues
{
    /// <summary>
    /// Raw values as residues: the top 256 values of uint map to the top 256 residues (n − 1, n − 2, …), so the
    /// maximal coefficients that stress every overflow bound are as common as the generator makes them; the rest
    /// reduce modulo n.
    /// </summary>
    public static uint[] Of(uint[]? raw, uint modulus) => raw is null ? [] : Array.ConvertAll(raw, v => Of(v, modulus));

    public static uint Of(uint raw, uint modulus) =>
        raw >= uint.MaxValue - 255 && uint.MaxValue - raw < modulus
            ? modulus - 1 - (uint.MaxValue - raw) : raw % modulus;

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
