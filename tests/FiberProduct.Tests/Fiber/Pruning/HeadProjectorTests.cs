using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Pruning;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber.Pruning;

/// <summary>
/// The quantised heads' error bound holds: for every row, the distance between the quantised head (times the step)
/// and the exact head along the basis — its k coordinates and the norm of the rest, in float64 — is at most the
/// bound the projector reports, for the whole head and for its leading coordinates; the join's layouts
/// hold those values.
/// </summary>
public class HeadProjectorTests
{
    public sealed record Projection(EmbeddingSet Rows, double[] Axes, int AxisCount, int K, bool UnitVectors)
    {
        internal Basis Basis { get; } = new(Axes, AxisCount, Rows.Dimension,
            DenseRows.Orthogonality(Axes, AxisCount, Rows.Dimension));

        public override string ToString() =>
            $"{Rows.Count} rows in R^{Rows.Dimension}, {Basis.Count} axes, k = "
            + $"{K}{(UnitVectors ? ", unit vectors" : "")}";
    }

    /// <summary>
    /// Rows at magnitudes 2^-40 … 2^30, near a low-rank subspace or not, and a random orthonormal basis.
    /// </summary>
    public static Arbitrary<Projection> Projections() =>
        (from n in Gen.Choose(1, 40)
         from d in Gen.Elements(16, 17, 31, 64, 130)
         from axes in Gen.Choose(1, 12)
         from exponent in Gen.Elements(0, 0, -40, -10, 10, 30)
         from unit in Gen.Elements(false, false, true)
         from seed in Gen.Choose(0, int.MaxValue)
         select Make(n, d, axes, exponent, unit, new Random(seed))).ToArbitrary();

    private static Projection Make(int n, int d, int axes, int exponent, bool unit, Random random)
    {
        var basis = new double[axes * d];
        for (int i = 0; i < basis.Length; i++) basis[i] = Sets.Gaussian(random);
        int r = DenseRows.Orthonormalize(basis, axes, d);
        var values = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            var row = new double[d];
            for (int c = 0; c < d; c++) row[c] = 0.05 * Sets.Gaussian(random);
            // Mostly along the basis, so the heads carry most of the norm and the tail is small (its bound is the
            // subtle one).
            for (int a = 0; a < r; a++)
            {
                double w = Sets.Gaussian(random);
                for (int c = 0; c < d; c++) row[c] += w * basis[a * d + c];
            }
            foreach (double v in row) norm += v * v;
            for (int c = 0; c < d; c++)
                values[i * d + c] = (float)(unit ? row[c] / Math.Sqrt(norm) : Math.ScaleB(row[c], exponent));
        }
        var set = new EmbeddingSet(values, n, d);
        return new Projection(set, basis[..(r * d)], r, random.Next(0, r + 1), unit);
    }

    private static HeadProjector Projector(Projection c)
    {
        double largest = Math.Sqrt(Enumerable.Range(0, c.Rows.Count).Max(c.Rows.SquaredNorm));
        return new HeadProjector(c.Basis, HeadProjector.QuantumFor(largest), c.UnitVectors ? Math.ScaleB(1, -23) : 0);
    }

    /// <summary>
    /// The exact head of a row along the basis: k coordinates and the norm of the rest (float64 sums).
    /// </summary>
    private static double[] ExactHead(Projection c, int i)
    {
        int d = c.Rows.Dimension;
        var row = c.Rows.Row(i);
        var head = new double[c.K + 1];
        double along = 0;
        for (int a = 0; a < c.K; a++)
        {
            for (int t = 0; t < d; t++) head[a] += c.Basis.Rows[a * d + t] * row[t];
            along += head[a] * head[a];
        }
        head[c.K] = Math.Sqrt(Math.Max(0, c.Rows.SquaredNorm(i) - along));
        return head;
    }

    private static double Distance(ReadOnlySpan<short> quantised, double quantum, double[] exact, int count)
    {
        double sum = 0;
        for (int c = 0; c < count; c++) sum += Math.Pow(quantised[c] * quantum - exact[c], 2);
        return Math.Sqrt(sum);
    }

    [Property(Arbitrary = [typeof(HeadProjectorTests)], MaxTest = 300)]
    public bool QuantisedHead_LiesWithinItsBound_OfTheExactHead(Projection c)
    {
        var projector = Projector(c);
        var heads = projector.Heads(c.Rows, null, c.K, ExecutionScope.Serial);
        var quantised = new short[c.K + 1];
        for (int i = 0; i < c.Rows.Count; i++)
        {
            var (norm, error) = projector.Quantize(heads.AsSpan(i * c.K, c.K), c.Rows.SquaredNorm(i), quantised);
            var exact = ExactHead(c, i);
            if (Distance(quantised, projector.Quantum, exact, c.K + 1) > error) return false;
            if (norm != quantised.Sum(q => q * q)) return false;
            // The leading coordinates on their own (no tail) are within their own, tighter bound.
            for (int lead = 0; lead <= c.K; lead += Math.Max(1, c.K / 3))
                if (Distance(quantised, projector.Quantum, exact,
                    lead) > projector.CoordinateError(c.Rows.SquaredNorm(i), lead))
                    return false;
        }
        return true;
    }

    [Property(Arbitrary = [typeof(HeadProjectorTests)], MaxTest = 100)]
    public bool JoinLayouts_HoldTheQuantisedHeads_InJoinOrder(Projection c)
    {
        // Rows row-major and columns packed in panels, both through an order: the same values, norms and bounds as one
        // row quantised on its own.
        var projector = Projector(c);
        var order = Enumerable.Range(0, c.Rows.Count).Reverse().ToArray();
        var heads = projector.Quantize(c.Rows, order, c.Rows, order, c.K, ExecutionScope.Serial);
        var floats = projector.Heads(c.Rows, order, c.K, ExecutionScope.Serial);
        var one = new short[c.K + 1];
        double largest = 0;
        for (int i = 0; i < c.Rows.Count; i++)
        {
            var (norm, error) = projector.Quantize(floats.AsSpan(i * c.K, c.K), c.Rows.SquaredNorm(order[i]), one);
            largest = Math.Max(largest, error);
            for (int v = 0; v <= c.K; v++)
                if (heads.X[i * heads.Stride + v] != one[v]
                    || heads.PackedY[QuantizedHeads.PackedIndex(i, v, heads.Stride)] != one[v])
                    return false;
            if (heads.NormsX[i] != norm || heads.NormsY[i] != norm || heads.ErrorX[i] != error) return false;
        }
        return heads.ErrorY == largest && heads.Dimension == c.K;
    }

    [Fact]
    public void Quantum_KeepsEveryHeadWithin2To14Steps()
    {
        foreach (double largest in new[] { 1e-30, 0.7, 1.0, 1.0009, 3, 1 << 30 })
        {
            double quantum = HeadProjector.QuantumFor(largest);
            Assert.Equal(quantum, Math.ScaleB(1, Math.ILogB(quantum))); // a power of two: v / quantum is exact
            Assert.InRange(largest * (1 + 1.0 / 1024) / quantum, (1 << HeadProjector.QuantizedBits) / 2.0,
                1 << HeadProjector.QuantizedBits);
        }
    }
}
