namespace FiberProduct.Algebra.Kernels;

/// <summary>
/// A prime p = c·2^k + 1 &lt; 2^31 for number-theoretic transforms of length up to 2^k, with its
/// twiddle factors in Shoup form (w, ⌊w·2^32/p⌋), computed on first use and grown by doubling.
/// </summary>
internal sealed class NttPrime
{
    /// <summary>
    /// The transform primes, largest first; all have 2-adicity ≥ 25. Three of them multiply to more than
    /// 2^92, above the largest coefficient 2^25·(2^32 − 1)² an exact product can need (see
    /// <see cref="NttMultiplication"/>).
    /// </summary>
    public static readonly NttPrime[] All =
    [
        new(2113929217, 5, 25),  // 63·2^25 + 1
        new(2013265921, 31, 27), // 15·2^27 + 1
        new(1811939329, 13, 26), // 27·2^26 + 1
    ];

    /// <summary>The longest transform every prime supports.</summary>
    public const int MaxLength = 1 << 25;

    private readonly Lock growLock = new();
    private volatile Twiddles? twiddles;

    private NttPrime(uint p, uint generator, int twoAdicity)
    {
        P = p;
        Generator = generator;
        TwoAdicity = twoAdicity;
        Reducer = new ModularReducer(p);
        // Newton iteration for p⁻¹ mod 2^32: each step doubles the correct low bits (p·p ≡ 1 mod 8 to start)
        uint inv = p;
        for (int i = 0; i < 4; i++) inv *= 2 - p * inv;
        MontgomeryFactor = unchecked(0u - inv);
        R = (uint)((1UL << 32) % p);
    }

    public uint P { get; }
    public uint Generator { get; }
    public int TwoAdicity { get; }
    public ModularReducer Reducer { get; }

    /// <summary>−p⁻¹ mod 2^32, for Montgomery reduction with R = 2^32.</summary>
    public uint MontgomeryFactor { get; }

    /// <summary>2^32 mod p.</summary>
    public uint R { get; }

    /// <summary>Shoup companion ⌊w·2^32/p⌋ of a constant w &lt; p.</summary>
    public uint ShoupOf(uint w) => (uint)(((ulong)w << 32) / P);

    /// <summary>Twiddle tables covering transforms of length up to at least <paramref name="length"/> (a power of
    /// two).</summary>
    public Twiddles GetTwiddles(int length)
    {
        var t = twiddles;
        if (t is not null && t.Length >= length) return t;
        lock (growLock)
        {
            t = twiddles;
            if (t is null || t.Length < length)
                twiddles = t = new Twiddles(this, Math.Max(length, Math.Max(64, (t?.Length ?? 0) * 2)));
            return t;
        }
    }

    /// <summary>
    /// For each half-length h = 1, 2, 4, … &lt; Length, entries [h, 2h) hold ω_{2h}^j (j &lt; h), ω_{2h} a
    /// primitive 2h-th root of unity; the inverse tables hold ω_{2h}^{−j}. Every butterfly stage reads one
    /// contiguous slice.
    /// </summary>
    internal sealed class Twiddles
    {
        public Twiddles(NttPrime prime, int length)
        {
            if (length > (1 << prime.TwoAdicity))
                throw new ArgumentOutOfRangeException(nameof(length), length,
                    $"Transforms modulo {prime.P} are limited to length 2^{prime.TwoAdicity}.");
            Length = length;
            Forward = new uint[length]; ForwardShoup = new uint[length];
            Inverse = new uint[length]; InverseShoup = new uint[length];
            var mod = prime.Reducer;
            for (int h = 1; h < length; h *= 2)
            {
                uint root = Pow(mod, prime.Generator, (prime.P - 1) / (2u * (uint)h));
                uint rootInverse = Pow(mod, root, prime.P - 2);
                uint w = 1, wi = 1;
                for (int j = 0; j < h; j++)
                {
                    Forward[h + j] = w; ForwardShoup[h + j] = prime.ShoupOf(w);
                    Inverse[h + j] = wi; InverseShoup[h + j] = prime.ShoupOf(wi);
                    w = mod.Multiply(w, root);
                    wi = mod.Multiply(wi, rootInverse);
                }
            }
        }

        public int Length { get; }
        public uint[] Forward { get; }
        public uint[] ForwardShoup { get; }
        public uint[] Inverse { get; }
        public uint[] InverseShoup { get; }
    }

    internal static uint Pow(in ModularReducer mod, uint b, uint e)
    {
        uint r = 1;
        for (; e != 0; e >>= 1)
        {
            if ((e & 1) != 0) r = mod.Multiply(r, b);
            b = mod.Multiply(b, b);
        }
        return r;
    }
}
