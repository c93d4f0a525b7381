using System.Numerics;

namespace FiberProduct.Fiber.Exact;

/// <summary>
/// An exact sum of products a·b of integers below 2^63 in magnitude, without <see cref="BigInteger"/> per term: each
/// product (below 2^126) goes whole into a 128-bit sum of its sign, and each wrap of that sum past 2^128 is counted.
/// Exact for up to 2^64 terms; <see cref="Value"/> assembles the result once.
/// </summary>
internal struct WideSum
{
    private UInt128 positive, negative;
    private ulong positiveWraps, negativeWraps;

    public void Add(long a, long b)
    {
        ulong high = Math.BigMul((ulong)Math.Abs(a), (ulong)Math.Abs(b), out ulong low);
        var product = new UInt128(high, low);
        if ((a ^ b) >= 0 || a == 0 || b == 0)
        {
            positive += product;
            if (positive < product) positiveWraps++;
        }
        else
        {
            negative += product;
            if (negative < product) negativeWraps++;
        }
    }

    public readonly BigInteger Value =>
        ((BigInteger)positiveWraps << 128) + positive - ((BigInteger)negativeWraps << 128) - negative;
}
