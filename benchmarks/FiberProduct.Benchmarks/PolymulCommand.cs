using FiberProduct.Algebra;
using FiberProduct.Algebra.Kernels;

namespace FiberProduct.Benchmarks;

/// <summary>
/// <c>polymul --modulus N --length L [--algorithm auto|schoolbook|karatsuba|ntt]</c>: median seconds per
/// multiplication of two random dense polynomials of length L over Z_N, after warm-up, as one line
/// <c>modulus=N length=L algorithm=A seconds=S</c>; the same measurement FLINT's nmod_poly_mul gets from
/// benchmarks/peers/flint_mul.c. <c>--sweep</c> times every algorithm over a range of lengths, to set the
/// dispatcher's thresholds.
/// </summary>
internal static class PolymulCommand
{
    public static int Run(string[] args)
    {
        var options = CommandMode.Parse(args);
        uint modulus = uint.Parse(options.GetValueOrDefault("modulus", "256"),
            System.Globalization.CultureInfo.InvariantCulture);
        if (options.ContainsKey("sweep")) return Sweep(modulus);

        int length = int.Parse(options.GetValueOrDefault("length", "1024"),
            System.Globalization.CultureInfo.InvariantCulture);
        var algorithm = Enum.Parse<MultiplicationAlgorithm>(
            options.GetValueOrDefault("algorithm", "automatic"), ignoreCase: true);
        double seconds = Time(modulus, length, algorithm);
        Console.WriteLine(
            $"modulus={modulus} length={length} algorithm={algorithm.ToString().ToLowerInvariant()} "
            + $"seconds={CommandMode.Format(seconds)}");
        return 0;
    }

    internal static double Time(uint modulus, int length, MultiplicationAlgorithm algorithm)
    {
        var ring = new PolynomialRing(modulus);
        var random = new Random(42);
        // Dense operands with a non-zero leading coefficient, as flint_mul.c builds them.
        ZnPolynomial Operand()
        {
            var c = new uint[length];
            for (int i = 0; i < length; i++) c[i] = (uint)random.NextInt64(modulus);
            c[^1] = 1;
            return ring.Create(c);
        }
        var a = Operand();
        var b = Operand();
        return CommandMode.MedianSeconds(() => ZnPolynomial.Multiply(a, b, algorithm), batches: length >= 1 << 18 ? 5
            : 7);
    }

    private static int Sweep(uint modulus)
    {
        int[] lengths = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 2048, 4096];
        Console.WriteLine($"modulus={modulus}: seconds per multiplication");
        Console.WriteLine("length   schoolbook  karatsuba   ntt         automatic");
        foreach (int length in lengths)
        {
            var row = new[] { MultiplicationAlgorithm.Schoolbook, MultiplicationAlgorithm.Karatsuba,
                MultiplicationAlgorithm.Ntt, MultiplicationAlgorithm.Automatic }
                .Select(a => CommandMode.Format(Time(modulus, length, a)));
            Console.WriteLine($"{length,-8} {string.Join("   ", row)}");
        }
        return 0;
    }
}
