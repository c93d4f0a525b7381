using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FiberProduct.Algebra.Kernels;

namespace FiberProduct.Tests.Algebra;

/// <summary>
/// The building blocks of the multiplication kernels, each against its definition in BigInteger or UInt128
/// arithmetic: residue arithmetic at the boundaries where a comparison decides (a + b = n, a = b, 0), vector add and
/// subtract at every SIMD remainder, the transform primes' constants and twiddle tables, the transform itself against
/// the naive DFT at every size to 2^14 (past the cache-block recursion at 2^13), and Karatsuba with every cutoff down
/// to 2. These tests are fast on purpose: the mutation runs (docs/testing.md) run them once per mutant.
/// </summary>
public class KernelArithmeticTests
{
    /// <summary>
    /// Every modulus size: one, two and three transform primes, powers of two, and the extremes of uint.
    /// </summary>
    public static TheoryData<uint> Moduli =>
        new(2u, 3u, 255u, 256u, 257u, 65537u, 100277u, 2147483647u, 2147483648u, 4294967291u, 4294967295u);

    /// <summary>
    /// Residues where a comparison in the arithmetic decides: 0, 1, n − 1, n − 2, ⌊n/2⌋, ⌈n/2⌉ and random ones.
    /// </summary>
    private static uint[] Boundary(uint n, Random random) =>
        [.. new[] { 0u, 1u, n - 1, n - 2, n / 2, n - n / 2, (uint)random.NextInt64(n), (uint)random.NextInt64(n) }
            .Where(v => v < n).Distinct()];

    [Theory]
    [MemberData(nameof(Moduli))]
    public void ScalarResidueArithmetic_MatchesItsDefinition_AtEveryBoundary(uint n)
    {
        var mod = new ModularReducer(n);
        var values = Boundary(n, new Random((int)(n % int.MaxValue)));
        foreach (uint a in values)
        {
            Assert.Equal((uint)((n - (ulong)a) % n), mod.Negate(a));
            // b = n − a makes a + b exactly n: the comparison in Add decides whether it wraps to 0.
            foreach (uint b in values.Append((n - a) % n))
            {
                Assert.Equal((uint)(((ulong)a + b) % n), mod.Add(a, b));
                Assert.Equal((uint)(((ulong)a + n - b) % n), mod.Subtract(a, b));
                Assert.Equal((uint)((ulong)a * b % n), mod.Multiply(a, b));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Moduli))]
    public void Reduce_IsTheRemainder_ForQuotientsAtEveryCorrection(uint n)
    {
        // Multiples of n and their neighbours across the whole 64-bit range, where the Barrett quotient may fall one
        // short and the correction is needed.
        var mod = new ModularReducer(n);
        var random = new Random((int)(n % 1_000_003));
        for (int i = 0; i < 2000; i++)
        {
            ulong q = i < 64 ? ulong.MaxValue / n - (ulong)i : (ulong)random.NextInt64() % (ulong.MaxValue / n);
            foreach (ulong r in new ulong[] { 0, 1, n - 1UL, n / 2 })
            {
                UInt128 x = (UInt128)q * n + r;
                if (x > ulong.MaxValue) continue;
                Assert.Equal((uint)r, mod.Reduce((ulong)x));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Moduli))]
    public void VectorAddAndSubtract_MatchScalar_AtEveryLengthAndInPlace(uint n)
    {
        var mod = new ModularReducer(n);
        var random = new Random((int)(n % 999_983));
        for (int length = 0; length <= 3 * Vector256<uint>.Count + 3; length++)
        {
            // Pairs that sum to exactly n, equal pairs, zeros and maxima, so every lane sees the comparisons decide.
            var x = new uint[length];
            var y = new uint[length];
            for (int i = 0; i < length; i++)
            {
                uint a = (uint)random.NextInt64(n);
                (x[i], y[i]) = (i % 5) switch
                {
                    0 => (a, (n - a) % n),
                    1 => (a, a),
                    2 => (n - 1, n - 1),
                    3 => (0u, n - 1),
                    _ => (a, (uint)random.NextInt64(n)),
                };
            }
            // The results land in the front of longer buffers: a write past the destination would change the guard.
            const uint Guard = 0xDEADBEEF;
            var sumBuffer = Enumerable.Repeat(Guard, length + 9).ToArray();
            var differenceBuffer = Enumerable.Repeat(Guard, length + 9).ToArray();
            ModularVectors.Add(x, y, sumBuffer.AsSpan(0, length), mod);
            ModularVectors.Subtract(x, y, differenceBuffer.AsSpan(0, length), mod);
            Assert.All(sumBuffer[length..], v => Assert.Equal(Guard, v));
            Assert.All(differenceBuffer[length..], v => Assert.Equal(Guard, v));
            var sum = sumBuffer[..length];
            var difference = differenceBuffer[..length];
            for (int i = 0; i < length; i++)
            {
                Assert.Equal((uint)(((ulong)x[i] + y[i]) % n), sum[i]);
                Assert.Equal((uint)(((ulong)x[i] + n - y[i]) % n), difference[i]);
            }
            var inPlace = x.ToArray();
            ModularVectors.Add(inPlace, y, inPlace, mod);
            Assert.Equal(sum, inPlace);
            inPlace = x.ToArray();
            ModularVectors.Subtract(inPlace, y, inPlace, mod);
            Assert.Equal(difference, inPlace);
        }
    }

    [Fact]
    public void TransformPrimes_HaveTheirMontgomeryAndShoupConstants()
    {
        var random = new Random(3);
        foreach (var prime in NttPrime.All)
        {
            Assert.Equal((uint)((1UL << 32) % prime.P), prime.R);
            Assert.Equal(uint.MaxValue, unchecked(prime.P * prime.MontgomeryFactor)); // p·f ≡ −1 mod 2^32
            foreach (uint w in new[] { 0u, 1u, prime.P - 1, (uint)random.NextInt64(prime.P) })
                Assert.Equal((uint)(((ulong)w << 32) / prime.P), prime.ShoupOf(w));
            foreach (uint e in new[] { 0u, 1u, 2u, prime.P - 2, prime.P - 1, (uint)random.NextInt64(prime.P) })
            {
                uint b = (uint)random.NextInt64(prime.P);
                Assert.Equal((uint)BigInteger.ModPow(b, e, prime.P), NttPrime.Pow(prime.Reducer, b, e));
            }
        }
    }

    [Fact]
    public void TwiddleTables_HoldPrimitiveRootsAndTheirInverses()
    {
        foreach (var prime in NttPrime.All)
        {
            var tw = prime.GetTwiddles(1 << 10);
            Assert.True(tw.Length >= 1 << 10);
            Assert.True(BitOperations.IsPow2(tw.Length));
            for (int h = 1; h < 1 << 10; h *= 2) // the table may be longer (grown by other tests): its head is checked
            {
                // Entries [h, 2h) are ω^j for a primitive 2h-th root ω: ω^0 = 1, ω^h = −1; the inverse table
                // inverts them.
                uint omega = h == 1 ? prime.P - 1 : tw.Forward[h + 1];
                Assert.Equal(1u, tw.Forward[h]);
                Assert.Equal(prime.P - 1, NttPrime.Pow(prime.Reducer, omega, (uint)h));
                for (int j = 0; j < h; j++)
                {
                    Assert.Equal(NttPrime.Pow(prime.Reducer, omega, (uint)j), tw.Forward[h + j]);
                    Assert.Equal(1u, prime.Reducer.Multiply(tw.Forward[h + j], tw.Inverse[h + j]));
                    Assert.Equal(prime.ShoupOf(tw.Forward[h + j]), tw.ForwardShoup[h + j]);
                    Assert.Equal(prime.ShoupOf(tw.Inverse[h + j]), tw.InverseShoup[h + j]);
                }
            }
        }
    }

    [Fact]
    public void Twiddles_GrowOnDemand_AndRefuseLengthsPastTheTwoAdicity()
    {
        var prime = NttPrime.All[0];
        int before = prime.GetTwiddles(1).Length;
        var grown = prime.GetTwiddles(before * 4);
        Assert.True(grown.Length >= before * 4);
        Assert.Same(grown, prime.GetTwiddles(before)); // a table covers every shorter length
        Assert.Throws<ArgumentOutOfRangeException>(() => new NttPrime.Twiddles(prime, 2 << prime.TwoAdicity));
    }

    /// <summary>
    /// The naive DFT in the forward transform's output order (bit-reversed): out[i] = Σ a_k ω^(k·rev(i)).
    /// </summary>
    private static uint[] NaiveDft(uint[] a, NttPrime prime, uint omega)
    {
        int n = a.Length, bits = BitOperations.Log2((uint)n);
        var result = new uint[n];
        for (int i = 0; i < n; i++)
        {
            int rev = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
            uint w = NttPrime.Pow(prime.Reducer, omega, (uint)rev), power = 1;
            BigInteger sum = 0;
            for (int k = 0; k < n; k++) { sum += (ulong)a[k] * power; power = prime.Reducer.Multiply(power, w); }
            result[i] = (uint)(sum % prime.P);
        }
        return result;
    }

    private static uint ReverseBits(uint v)
    {
        uint r = 0;
        for (int b = 0; b < 32; b++) { r = (r << 1) | (v & 1); v >>= 1; }
        return r;
    }

    [Fact]
    public void ForwardTransform_IsTheDft_AndInverseUndoesIt_AtEverySizeTo2To14()
    {
        var random = new Random(14);
        foreach (var prime in NttPrime.All)
        {
            for (int size = 1; size <= 1 << 14; size *= 2)
            {
                var tw = prime.GetTwiddles(size);
                var a = new uint[size];
                for (int i = 0; i < size; i++) a[i] = i % 7 == 0 ? prime.P - 1 : (uint)random.NextInt64(prime.P);
                var x = a.ToArray();
                NumberTheoreticTransform.Forward(x, prime, tw);
                if (size <= 256)
                {
                    uint omega = size == 1 ? 1 : size == 2 ? prime.P - 1 : tw.Forward[size / 2 + 1];
                    Assert.Equal(NaiveDft(a, prime, omega), x);
                }
                NumberTheoreticTransform.Inverse(x, prime, tw);
                // Inverse(Forward(a)) = size · a.
                for (int i = 0; i < size; i++) Assert.Equal(prime.Reducer.Multiply(a[i], (uint)size), x[i]);
            }
        }
    }

    [Fact]
    public void PointwiseMultiply_IsTheScaledProduct_AtEveryLength()
    {
        var random = new Random(8);
        foreach (var prime in NttPrime.All)
        {
            for (int length = 0; length <= 3 * Vector256<uint>.Count + 3; length++)
            {
                var a = new uint[length];
                var b = new uint[length];
                for (int i = 0; i < length; i++)
                    (a[i], b[i]) = i % 4 == 0 ? (prime.P - 1, prime.P - 1)
                        : ((uint)random.NextInt64(prime.P), (uint)random.NextInt64(prime.P));
                uint s = (uint)random.NextInt64(1, prime.P);
                var x = a.ToArray();
                NumberTheoreticTransform.PointwiseMultiply(x, b, s, prime);
                for (int i = 0; i < length; i++)
                    Assert.Equal((uint)((BigInteger)a[i] * b[i] * s % prime.P), x[i]);
            }
        }
    }

    [Fact]
    public void ShoupMultiply_IsTheProduct_ForAnyFirstFactor()
    {
        var random = new Random(9);
        foreach (var prime in NttPrime.All)
        {
            for (int i = 0; i < 500; i++)
            {
                uint w = i < 2 ? prime.P - 1 - (uint)i : (uint)random.NextInt64(prime.P);
                var xs = new uint[8];
                for (int l = 0; l < 8; l++) xs[l] = l == 0 ? uint.MaxValue - (uint)i : (uint)random.NextInt64(1L << 32);
                uint ws = prime.ShoupOf(w);
                // The vector form uses AVX2 instructions; the transform calls it only where they exist (CI also runs
                // with AVX2 switched off, where the scalar form is the one in use).
                var vector = Avx2.IsSupported
                    ? NumberTheoreticTransform.ShoupMultiply(Vector256.Create(xs), Vector256.Create(w),
                        Vector256.Create(ws), Vector256.Create(prime.P))
                    : (Vector256<uint>?)null;
                for (int l = 0; l < 8; l++)
                {
                    uint expected = (uint)((ulong)xs[l] * w % prime.P);
                    Assert.Equal(expected, NumberTheoreticTransform.ShoupMultiply(xs[l], w, ws, prime.P));
                    if (vector is { } v) Assert.Equal(expected, v[l]);
                }
            }
        }
    }

    [Theory]
    [InlineData(2u, 2113929216, 1)] // (n − 1)² · length = p0 − 1 < p0: one prime is enough
    [InlineData(2u, 2113929217, 2)] // = p0: a coefficient could be p0 ≡ 0, so one prime is not
    [InlineData(256u, 32509, 1)]    // 65025 · 32509 < p0 < 65025 · 32510
    [InlineData(256u, 32510, 2)]
    [InlineData(65537u, 1, 2)]      // 2^32 > p0
    [InlineData(4294967295u, 1, 3)]
    public void PrimesNeeded_IsTheFewestWhoseProductExceedsTheBound(uint modulus, int length, int expected) =>
        Assert.Equal(expected, NttMultiplication.PrimesNeeded(length, modulus));

    [Fact]
    public void PrimesNeeded_RefusesBoundsBeyondThreePrimes() =>
        Assert.Throws<InvalidOperationException>(() => NttMultiplication.PrimesNeeded(int.MaxValue, uint.MaxValue));

    [Theory]
    [InlineData(256u)]
    [InlineData(100277u)]
    [InlineData(4294967291u)]
    public void Ntt_CrossesTheCacheBlockRecursion_AndMatchesSchoolbook(uint modulus)
    {
        // A product of 8193 … 16384 terms: the transform of 2^14 recurses once past its 2^13 cache block.
        var random = new Random((int)(modulus % 65521));
        var a = Residues.Random(random, 4100, modulus);
        var b = Residues.Random(random, 4097, modulus);
        var mod = new ModularReducer(modulus);
        var expected = new uint[a.Length + b.Length - 1];
        Schoolbook.Multiply(a, b, expected, mod);
        var actual = new uint[expected.Length];
        NttMultiplication.Multiply(a, b, actual, mod);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(4294967291u)]
    [InlineData(4294967295u)]
    public void Ntt_ReducesInputsEqualToATransformPrime(uint modulus)
    {
        // Coefficients p_i themselves (possible residues when n > p_i) are 0 modulo that prime and must be loaded as 0.
        var mod = new ModularReducer(modulus);
        foreach (int length in new[] { 3, 20, 300 })
        {
            var a = Enumerable.Range(0, length).Select(i => NttPrime.All[i % 3].P + (uint)(i / 3 % 2)).ToArray();
            var b = Enumerable.Range(0, length).Select(i => NttPrime.All[(i + 1) % 3].P).ToArray();
            var expected = new uint[2 * length - 1];
            Schoolbook.Reference(a, b, expected, mod);
            var actual = new uint[expected.Length];
            NttMultiplication.Multiply(a, b, actual, mod);
            Assert.Equal(expected, actual);
            NttMultiplication.Multiply(a, a, actual, mod); // squaring: one transform serves both factors
            Schoolbook.Reference(a, a.ToArray(), expected, mod);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(256u)]
    [InlineData(100277u)]
    [InlineData(2147483647u)]
    [InlineData(4294967295u)]
    public void Karatsuba_MatchesTheReference_ForEveryCutoffAndShape(uint modulus)
    {
        // Cutoffs down to 2 (and below, which must act as 2) make every recursion level and odd split occur on short
        // inputs; unbalanced shapes cut the longer factor into pieces, the last one short.
        var mod = new ModularReducer(modulus);
        var random = new Random((int)(modulus % 7919));
        foreach (int cutoff in new[] { 0, 1, 2, 3, 5, 8 })
            foreach (var (la, lb) in new[] { (1, 1), (2, 2), (3, 3), (5, 5), (7, 6), (9, 9), (16, 16), (17, 17),
                         (33, 31),
                         (40, 3), (41, 7), (100, 9), (64, 63), (3, 50) })
            {
                var a = la % 3 == 0 ? Residues.Maximal(la, modulus) : Residues.Random(random, la, modulus);
                var b = Residues.Random(random, lb, modulus);
                var expected = new uint[la + lb - 1];
                Schoolbook.Reference(a, b, expected, mod);
                // Dirty: every entry must be written.
                var actual = Enumerable.Repeat(uint.MaxValue, la + lb + 2).ToArray();
                Karatsuba.Multiply(a, b, actual, mod, cutoff, Schoolbook.Reference);
                Assert.Equal(expected, actual[..expected.Length]);
            }
    }

    [Theory]
    [InlineData(2147483647u)]
    [InlineData(4294967291u)]
    public void Schoolbook_ReducesBetweenBlocksOfRows_ForLargeModuli(uint modulus)
    {
        // Moduli whose squared residues fill 62 or 64 bits: a block of rows is one to four long, so long maximal
        // factors cross many block boundaries; a dirty output buffer shows any coefficient left unwritten.
        var mod = new ModularReducer(modulus);
        foreach (var (la, lb) in new[] { (2, 1), (9, 2), (37, 5), (5, 37), (64, 64) })
        {
            var a = Residues.Maximal(la, modulus);
            var b = Residues.Maximal(lb, modulus);
            b[0] = modulus - 2;
            var expected = new uint[la + lb - 1];
            Schoolbook.Reference(a, b, expected, mod);
            var actual = Enumerable.Repeat(uint.MaxValue, la + lb - 1).ToArray();
            Schoolbook.Multiply(a, b, actual, mod);
            Assert.Equal(expected, actual);
        }
    }
}
