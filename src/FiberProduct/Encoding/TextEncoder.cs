using System.Globalization;
using FiberProduct.Algebra;

namespace FiberProduct.Encoding;

/// <summary>
/// Texts to Z_|V|[x] and back, losslessly (the paper's text model): the token ids of a text become the coefficients of
/// a polynomial, the first token the constant term. |V| comes from the tokenizer; an id outside 0 … |V| − 1 is
/// rejected, never reduced.
/// </summary>
/// <example>
/// <code>
/// var encoder = new TextEncoder(TokenizerAdapter.Cl100kBase());   // FiberProduct.Tokenizers; |V| = 100277
/// EncodedText caption = encoder.Encode("A cat sits on a mat.");
/// ZnPolynomial q = caption.Polynomial;                            // in Z_100277[x], first token the constant term
/// string again = encoder.Decode(caption);                         // "A cat sits on a mat."
///
/// var ids = new TextEncoder(30522).Encode([101, 7592, 2088, 102]);   // token ids in, no tokenizer
/// </code>
/// </example>
public sealed class TextEncoder
{
    private readonly ITextTokenizer? tokenizer;

    /// <summary>An encoder for token ids of a vocabulary of the given size (no tokenizer: ids in, ids out).</summary>
    /// <param name="vocabularySize">|V|, at least 2: ids lie in 0 … |V| − 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> is below 2.</exception>
    public TextEncoder(int vocabularySize) => Ring = PolynomialRing.ForVocabulary(vocabularySize);

    /// <summary>An encoder for texts, through the tokenizer; the ring is Z_|V|[x] with |V| the tokenizer's vocabulary
    /// size.</summary>
    /// <param name="tokenizer">The tokenizer, for instance a FiberProduct.Tokenizers TokenizerAdapter.</param>
    /// <exception cref="ArgumentOutOfRangeException">The tokenizer's vocabulary size is below 2.</exception>
    public TextEncoder(ITextTokenizer tokenizer)
        : this((tokenizer ?? throw new ArgumentNullException(nameof(tokenizer))).VocabularySize) =>
            this.tokenizer = tokenizer;

    /// <summary>Z_|V|[x].</summary>
    public PolynomialRing Ring { get; }

    /// <summary>|V|.</summary>
    public int VocabularySize => (int)Ring.Modulus;

    /// <summary>The polynomial Σ id_i x^i of a token sequence.</summary>
    /// <param name="tokenIds">The ids, first token first; each in 0 … |V| − 1.</param>
    /// <returns>The polynomial (degree below the token count, lower when the sequence ends in id 0) and the
    /// count.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or ≥ |V|; the message names its position and
    /// value.</exception>
    public EncodedText Encode(ReadOnlySpan<int> tokenIds)
    {
        for (int i = 0; i < tokenIds.Length; i++)
            if ((uint)tokenIds[i] >= Ring.Modulus)
                throw new ArgumentOutOfRangeException(nameof(tokenIds), tokenIds[i],
                    string.Create(CultureInfo.InvariantCulture,
                        $"Token {i} has id {tokenIds[i]}, outside the vocabulary 0 … {Ring.Modulus - 1} "
                        + $"(|V| = {Ring.Modulus})."));
        return new EncodedText(Ring.Create(tokenIds), tokenIds.Length);
    }

    /// <summary>The polynomial of a text, through the tokenizer.</summary>
    /// <param name="text">The text; what the tokenizer accepts (see its own limits).</param>
    /// <returns>The polynomial of the text's token ids and their count.</returns>
    /// <exception cref="ArgumentException">The tokenizer refuses the text (a TokenizerAdapter: longer than its
    /// MaxTextLength, or not well-formed UTF-16).</exception>
    /// <exception cref="InvalidOperationException">The encoder was made without a tokenizer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The tokenizer produced an id ≥ |V| (its vocabulary size is
    /// wrong).</exception>
    public EncodedText Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Tokenizer.Encode(text);
        var span = new int[ids.Count];
        for (int i = 0; i < span.Length; i++) span[i] = ids[i];
        return Encode(span);
    }

    /// <summary>The token ids back: the coefficients of the polynomial, padded with id 0 up to the token
    /// count.</summary>
    /// <param name="text">An encoded text of this encoder's ring.</param>
    /// <returns>A new array of <c>text.TokenCount</c> ids, exactly the ids that were encoded.</returns>
    /// <exception cref="ArgumentException">The polynomial is not over Z_|V| or is longer than the token
    /// count.</exception>
    public int[] DecodeIds(EncodedText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Polynomial.Ring != Ring)
            throw new ArgumentException($"The polynomial lies in {text.Polynomial.Ring}, not {Ring}.", nameof(text));
        if (text.TokenCount < text.Polynomial.Length)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Token count {text.TokenCount} is below the polynomial's length {text.Polynomial.Length} (degree "
                + $"{text.Polynomial.Degree})."), nameof(text));
        var ids = new int[text.TokenCount];
        var coefficients = text.Polynomial.Coefficients;
        for (int i = 0; i < coefficients.Length; i++) ids[i] = (int)coefficients[i];
        return ids;
    }

    /// <summary>The text back, through the tokenizer.</summary>
    /// <param name="text">An encoded text of this encoder's ring.</param>
    /// <returns>The tokenizer's decoding of the ids: the original text for a lossless tokenizer (Tiktoken), the
    /// normalised text for BERT WordPiece.</returns>
    /// <exception cref="InvalidOperationException">The encoder was made without a tokenizer.</exception>
    /// <exception cref="ArgumentException">The polynomial is not over Z_|V| or is longer than the token
    /// count.</exception>
    public string Decode(EncodedText text) => Tokenizer.Decode(DecodeIds(text));

    private ITextTokenizer Tokenizer => tokenizer
        ?? throw new InvalidOperationException(
            "This encoder was made from a vocabulary size, without a tokenizer; use the token-id overloads.");
}
