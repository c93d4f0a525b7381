using System.Globalization;
using FiberProduct.Encoding;
using Microsoft.ML.Tokenizers;

namespace FiberProduct.Tokenizers;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer as an <see cref="ITextTokenizer"/>, with the vocabulary size |V| that fixes the
/// text ring Z_|V|[x]. Use the factories for the common cases: <see cref="Cl100kBase"/> and <see cref="O200kBase"/>
/// (Tiktoken, data bundled by their NuGet packages) and <see cref="BertWordPiece"/> (a BERT vocab.txt file).
/// </summary>
public sealed class TokenizerAdapter : ITextTokenizer
{
    private readonly bool addSpecialTokens;

    /// <summary>Wraps a tokenizer whose ids all lie below <paramref name="vocabularySize"/>.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="vocabularySize">|V|: one more than the largest id the tokenizer can produce.</param>
    /// <param name="name">A name for reports (e.g. "cl100k_base").</param>
    /// <param name="addSpecialTokens">Whether encoding adds BERT's [CLS] … [SEP] (other tokenizers add none).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> is below 2.</exception>
    public TokenizerAdapter(Tokenizer tokenizer, int vocabularySize, string name, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 2);
        Tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        Name = name;
        this.addSpecialTokens = addSpecialTokens;
    }

    /// <summary>OpenAI's cl100k_base byte-pair encoding (GPT-3.5/4); |V| = 100,277 including its special tokens.</summary>
    public static TokenizerAdapter Cl100kBase() => Tiktoken("cl100k_base");

    /// <summary>OpenAI's o200k_base byte-pair encoding (GPT-4o); |V| = 200,019 including its special tokens.</summary>
    public static TokenizerAdapter O200kBase() => Tiktoken("o200k_base");

    /// <summary>
    /// BERT's WordPiece tokenizer from a vocab.txt file (one token per line, the id is the line number); |V| is the
    /// number of lines. Lossy by design: with <paramref name="lowerCase"/> the text is lower-cased and accents are
    /// stripped, and decoding joins word pieces with single spaces, so ids round-trip exactly and texts up to that
    /// normalisation.
    /// </summary>
    /// <exception cref="FileNotFoundException">The vocabulary file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has fewer than two lines or repeats a token.</exception>
    public static TokenizerAdapter BertWordPiece(string vocabularyFile, bool lowerCase = true, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(vocabularyFile);
        if (!File.Exists(vocabularyFile)) throw new FileNotFoundException($"No BERT vocabulary file at '{vocabularyFile}'.", vocabularyFile);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lines = 0;
        foreach (string line in File.ReadLines(vocabularyFile))
        {
            if (!seen.Add(line))
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{vocabularyFile}' repeats the token '{line}' on line {lines + 1}; ids would be ambiguous."));
            lines++;
        }
        if (lines < 2) throw new InvalidDataException($"'{vocabularyFile}' holds {lines} token(s); a vocabulary needs at least 2.");
        var options = new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase };
        return new TokenizerAdapter(BertTokenizer.Create(vocabularyFile, options), lines, "bert-wordpiece:" + Path.GetFileName(vocabularyFile), addSpecialTokens);
    }

    /// <summary>The wrapped tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>|V|.</summary>
    public int VocabularySize { get; }

    /// <summary>The tokenizer's name (cl100k_base, o200k_base, bert-wordpiece:FILE, or as given).</summary>
    public string Name { get; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The tokenizer produced an id outside 0 … |V| − 1.</exception>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Tokenizer is BertTokenizer bert ? bert.EncodeToIds(text, addSpecialTokens, considerPreTokenization: true, considerNormalization: true) : Tokenizer.EncodeToIds(text);
        for (int i = 0; i < ids.Count; i++)
            if ((uint)ids[i] >= (uint)VocabularySize)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{Name} produced token id {ids[i]} at position {i}, outside 0 … {VocabularySize - 1}; the vocabulary size given for it is wrong."));
        return ids;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside 0 … |V| − 1.</exception>
    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (int i = 0; i < ids.Count; i++)
            if ((uint)ids[i] >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i],
                    string.Create(CultureInfo.InvariantCulture, $"Token {i} has id {ids[i]}, outside the vocabulary of {Name} (0 … {VocabularySize - 1})."));
        return Tokenizer.Decode(ids) ?? string.Empty;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (|V| = {VocabularySize})");

    private static TokenizerAdapter Tiktoken(string encoding)
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        // |V| = one more than the largest id over the mergeable ranks and the special tokens (cl100k_base has a gap
        // below its specials). The tokenizer does not expose its ranks, so read them from the data package it uses.
        int largest = LargestRank(encoding);
        if (tokenizer.SpecialTokens is { Count: > 0 } special) largest = Math.Max(largest, special.Values.Max());
        return new TokenizerAdapter(tokenizer, largest + 1, encoding);
    }

    private static int LargestRank(string encoding)
    {
        string package = encoding switch { "cl100k_base" => "Microsoft.ML.Tokenizers.Data.Cl100kBase", _ => "Microsoft.ML.Tokenizers.Data.O200kBase" };
        using var compressed = System.Reflection.Assembly.Load(package).GetManifestResourceStream(encoding + ".tiktoken.deflate")
            ?? throw new InvalidOperationException($"{package} does not hold {encoding}.tiktoken.deflate.");
        using var reader = new StreamReader(new System.IO.Compression.DeflateStream(compressed, System.IO.Compression.CompressionMode.Decompress));
        int largest = -1;
        while (reader.ReadLine() is { } line)
        {
            int space = line.LastIndexOf(' ');
            if (space > 0) largest = Math.Max(largest, int.Parse(line.AsSpan(space + 1), CultureInfo.InvariantCulture));
        }
        return largest;
    }
}
