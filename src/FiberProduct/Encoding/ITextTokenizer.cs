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
    IReadOnlyList<int> Encode(string text);

    /// <summary>The text of a sequence of token ids.</summary>
    string Decode(IReadOnlyList<int> ids);
}
