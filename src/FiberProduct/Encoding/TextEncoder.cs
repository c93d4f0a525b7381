using System.Globalization;
using FiberProduct.Algebra;

namespace FiberProduct.Encoding;

/// <summary>
/// Texts to Z_|V|[x] and back, losslessly (the paper's text model): the token ids of a text become the coefficients of
/// a polynomial, the first token the constant term. |V| comes from the tokenizer; an id outside 0 … |V| − 1 is rejected,
/// never reduced.
/// </summary>
public sealed class TextEncoder
{
    private readonly ITextTokenizer? tokenizer;

    /// <summary>An encoder for token ids of a vocabulary of the given size (no tokenizer: ids in, ids out).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> is below 2.</exception>
    public TextEncoder(int vocabularySize) => Ring = PolynomialRing.ForVocabulary(vocabularySize);

    /// <summary>An encoder for texts, through the tokenizer; the ring is Z_|V|[x] with |V| the tokenizer's vocabulary size.</summary>
    public TextEncoder(ITextTokenizer tokenizer)
        : this((tokenizer ?? throw new ArgumentNullException(nameof(tokenizer))).VocabularySize) => this.tokenizer = tokenizer;

    /// <summary>Z_|V|[x].</summary>
    public PolynomialRing Ring { get; }

    /// <summary>|V|.</summary>
    public int VocabularySize => (int)Ring.Modulus;

    /// <summary>The polynomial Σ id_i x^i of a token sequence.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or ≥ |V|; the message names its position and value.</exception>
    public EncodedText Encode(ReadOnlySpan<int> tokenIds)
    {
        for (int i = 0; i < tokenIds.Length; i++)
            if ((uint)tokenIds[i] >= Ring.Modulus)
                throw new ArgumentOutOfRangeException(nameof(tokenIds), tokenIds[i],
                    string.Create(CultureInfo.InvariantCulture, $"Token {i} has id {tokenIds[i]}, outside the vocabulary 0 … {Ring.Modulus - 1} (|V| = {Ring.Modulus})."));
        return new EncodedText(Ring.Create(tokenIds), tokenIds.Length);
    }

    /// <summary>The polynomial of a text, through the tokenizer.</summary>
    /// <exception cref="InvalidOperationException">The encoder was made without a tokenizer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The tokenizer produced an id ≥ |V| (its vocabulary size is wrong).</exception>
    public EncodedText Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Tokenizer.Encode(text);
        var span = new int[ids.Count];
        for (int i = 0; i < span.Length; i++) span[i] = ids[i];
        return Encode(span);
    }

    /// <summary>The token ids back: the coefficients of the polynomial, padded with id 0 up to the token count.</summary>
    /// <exception cref="ArgumentException">The polynomial is not over Z_|V| or is longer than the token count.</exception>
    public int[] DecodeIds(EncodedText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Polynomial.Ring != Ring)
            throw new ArgumentException($"The polynomial lies in {text.Polynomial.Ring}, not {Ring}.", nameof(text));
        if (text.TokenCount < text.Polynomial.Length)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Token count {text.TokenCount} is below the polynomial's length {text.Polynomial.Length} (degree {text.Polynomial.Degree})."), nameof(text));
        var ids = new int[text.TokenCount];
        var coefficients = text.Polynomial.Coefficients;
        for (int i = 0; i < coefficients.Length; i++) ids[i] = (int)coefficients[i];
        return ids;
    }

    /// <summary>The text back, through the tokenizer.</summary>
    /// <exception cref="InvalidOperationException">The encoder was made without a tokenizer.</exception>
    public string Decode(EncodedText text) => Tokenizer.Decode(DecodeIds(text));

    private ITextTokenizer Tokenizer => tokenizer ?? throw new InvalidOperationException("This encoder was made from a vocabulary size, without a tokenizer; use the token-id overloads.");
}
