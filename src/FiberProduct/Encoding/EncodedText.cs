using FiberProduct.Algebra;

namespace FiberProduct.Encoding;

/// <summary>
/// A token sequence as a polynomial of Z_|V|[x] (token i is the coefficient of x^i) together with its length. The
/// length is kept because polynomials are normalised: a sequence ending in token id 0 (“!” in cl100k_base, [PAD] in
/// BERT) has the same polynomial as the sequence without it.
/// </summary>
/// <param name="Polynomial">Σ id_i x^i over Z_|V|.</param>
/// <param name="TokenCount">How many tokens the sequence has (at least <c>Polynomial.Length</c>).</param>
public sealed record EncodedText(ZnPolynomial Polynomial, int TokenCount);
