using System.Runtime.CompilerServices;

namespace FiberProduct.Algebra.Kernels;

/// <summary>
/// Arithmetic modulo a fixed n, 2 ≤ n &lt; 2^32, with Barrett reduction of 64-bit values
/// (one high multiply instead of a hardware division on the hot paths).
/// </summary>
internal readonly struct ModularReducer
{
    private readonly ulong barrett; // floor((2^64 − 1) / n)

    public ModularReducer(uint modulus)
    {
        Modulus = modulus;
        // equals floor(2^64 / n) unless n is a power of two, where it is one less; either way barrett ≥ 2^64/n − 1,
        // which keeps the correction in Reduce to one step
        barrett = ulong.MaxValue / modulus;
    }

    public uint Modulus { get; }

    /// <summary>x mod n for any 64-bit x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Reduce(ulong x)
    {
        ulong q = Math.BigMul(x, barrett, out _);
        ulong r = x - q * Modulus;
        // q is at most one below the true quotient ⌊x/n⌋: barrett ≥ 2^64/n − 1 gives x·barrett/2^64 > x/n − 1 for
        // x < 2^64, so q > x/n − 2; and barrett ≤ 2^64/n gives q ≤ ⌊x/n⌋. Hence r < 2n, and one correction finishes.
        if (r >= Modulus) r -= Modulus;
        return (uint)r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Add(uint a, uint b)
    {
        uint d = Modulus - b; // in [1, n]
        return a >= d ? a - d : a + b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Subtract(uint a, uint b) => a >= b ? a - b : a - b + Modulus;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Negate(uint a) => a == 0 ? 0 : Modulus - a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Multiply(uint a, uint b) => Reduce((ulong)a * b);
}
