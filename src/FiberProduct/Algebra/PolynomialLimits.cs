using System.Globalization;

namespace FiberProduct.Algebra;

/// <summary>
/// The size limits of operations on <see cref="ZnPolynomial"/> whose result can be far longer than their inputs
/// (multiplication, powers, composition, monomials): each has an overload taking the most coefficients the caller
/// allows, the others use <see cref="DefaultMaxLength"/>. The limit is checked before any work is done, against a
/// length the operation provably does not exceed; a result that could be longer throws
/// <see cref="ArgumentOutOfRangeException"/>
/// naming the argument and its value, and nothing is computed.
/// </summary>
public static class PolynomialLimits
{
    /// <summary>
    /// The default limit on the coefficients an operation may produce or compute with: 2^26 (256 MiB of coefficients).
    /// It holds the product of two factors of 2^25 terms, beyond every multiplication threshold and the longest single
    /// transform, and stops a runaway power or composition long before it exhausts memory.
    /// </summary>
    public const long DefaultMaxLength = 1L << 26;

    /// <summary>Throws unless <paramref name="maxLength"/> is at least 1.</summary>
    internal static void CheckLimit(long maxLength, string paramName)
    {
        if (maxLength < 1)
            throw new ArgumentOutOfRangeException(paramName, maxLength,
                "The most coefficients an operation may produce must be at least 1.");
    }

    /// <summary>
    /// Throws an <see cref="ArgumentOutOfRangeException"/> on <paramref name="paramName"/> (with
    /// <paramref name="value"/>) when <paramref name="length"/> coefficients exceed <paramref name="maxLength"/>, or
    /// cannot be stored at all.
    /// </summary>
    internal static void Ensure(Int128 length, long maxLength, string paramName, object value, string what)
    {
        if (length <= maxLength)
        {
            CoefficientArray.EnsureFits((long)length, paramName, value, what);
            return;
        }
        throw new ArgumentOutOfRangeException(paramName, value,
            string.Create(CultureInfo.InvariantCulture,
                $"{what} can have up to {length} coefficients, more than the limit of {maxLength} (pass a larger "
                + $"maxLength to allow it)."));
    }
}
