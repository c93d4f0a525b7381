namespace FiberProduct.Encoding;

/// <summary>
/// A tokenizer as the text encoder needs it: text to token ids in 0 … |V| − 1 and back. The core library ships no
/// tokenizer; the FiberProduct.Tokenizers package adapts Microsoft.ML.Tokenizers (Tiktoken, BERT WordPiece) to this.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>|V|: every id the tokenizer produces is below it, so the texts live in Z_|V|[x].</summary>
    int VocabularySize { get; }

    /// <summary>The token ids of a text, in reading order.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The ids, each in 0 … <see cref="VocabularySize"/> − 1.</returns>
    IReadOnlyList<int> Encode(string text);

    /// <summary>The text of a sequence of token ids.</summary>
    /// <param name="ids">Token ids, each in 0 … <see cref="VocabularySize"/> − 1.</param>
    /// <returns>The decoded text.</returns>
    string Decode(IReadOnlyList<int> ids);
}
