using System.Globalization;

namespace FiberProduct.Fiber;

/// <summary>
/// A known ground-truth correspondence between images and texts (for instance COCO's image–caption pairs): the
/// pairs an alignment should recover, against which F_ε is scored by precision and recall.
/// </summary>
public sealed class Pairing
{
    private readonly (int Image, int Text)[] pairs;

    private Pairing((int Image, int Text)[] pairs) => this.pairs = pairs;

    /// <summary>Row i of the images goes with row i of the texts, for i &lt; <paramref name="count"/>.</summary>
    /// <param name="count">The number of true pairs (i, i), at most the number of images and of texts it is scored
    /// on.</param>
    /// <returns>The pairing {(i, i) : i &lt; count}.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static Pairing Diagonal(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new Pairing(Enumerable.Range(0, count).Select(i => (i, i)).ToArray());
    }

    /// <summary>An explicit list of (image, text) pairs; duplicates are rejected.</summary>
    /// <param name="pairs">The true (image, text) pairs, in any order (copied).</param>
    /// <returns>The pairing, keeping the pairs in the order given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pairs"/> is null.</exception>
    /// <exception cref="ArgumentException">A pair appears twice or has a negative index.</exception>
    public static Pairing FromPairs(IEnumerable<(int Image, int Text)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = pairs.ToArray();
        var seen = new HashSet<(int, int)>();
        foreach (var p in list)
        {
            if (p.Image < 0 || p.Text < 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Pair ({p.Image}, {p.Text}) has a negative index."), nameof(pairs));
            if (!seen.Add(p))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Pair ({p.Image}, {p.Text}) is listed twice."), nameof(pairs));
        }
        return new Pairing(list);
    }

    /// <summary>The number of true pairs |T|.</summary>
    public int Count => pairs.Length;

    /// <summary>The true pairs.</summary>
    public IReadOnlyList<(int Image, int Text)> Pairs => pairs;
}

/// <summary>How well F_ε recovers a known pairing T at one tolerance.</summary>
/// <param name="Epsilon">The tolerance ε.</param>
/// <param name="Pairs">|F_ε|.</param>
/// <param name="TruePositives">|F_ε ∩ T|.</param>
/// <param name="TruthCount">|T|.</param>
public readonly record struct AlignmentScore(double Epsilon, long Pairs, long TruePositives, int TruthCount)
{
    /// <summary>|F_ε ∩ T| / |F_ε| (1 when F_ε is empty: nothing wrong was claimed).</summary>
    public double Precision => Pairs == 0 ? 1 : (double)TruePositives / Pairs;

    /// <summary>|F_ε ∩ T| / |T| (1 when T is empty).</summary>
    public double Recall => TruthCount == 0 ? 1 : (double)TruePositives / TruthCount;

    /// <summary>The harmonic mean 2·|F_ε ∩ T| / (|F_ε| + |T|) (0 when both are empty).</summary>
    public double F1 => Pairs + TruthCount == 0 ? 0 : 2.0 * TruePositives / (Pairs + TruthCount);

    /// <summary>The score in one line; precision reads "undefined" when F_ε is empty (0/0), whatever
    /// <see cref="Precision"/> returns.</summary>
    /// <returns>For instance "ε = 1.1615: |F_ε| = 388, 159 of 500 true pairs, precision 41.0 %, recall 31.8 %, F1
    /// 0.358".</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ε = {Epsilon:G6}: |F_ε| = {Pairs}, {TruePositives} of {TruthCount} true pairs, precision "
        + $"{(Pairs == 0 ? "undefined" : Precision.ToString("P1", CultureInfo.InvariantCulture))}, recall "
        + $"{Recall:P1}, F1 {F1:F3}");
}
