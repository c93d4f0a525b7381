using System.Globalization;
using FiberProduct.Encoding;
using Microsoft.ML.Tokenizers;

namespace FiberProduct.Tokenizers;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer as an <see cref="ITextTokenizer"/>, with the vocabulary size |V| that fixes the
/// text ring Z_|V|[x]. Use the factories for the common cases: <see cref="Cl100kBase"/> and <see cref="O200kBase"/>
/// (Tiktoken, data bundled by their NuGet packages) and <see cref="BertWordPiece"/> (a BERT vocab.txt file).
/// <para>
/// Input rules (issue 14): a text must be well-formed UTF-16 (a lone surrogate would be encoded as U+FFFD and not come
/// back) and at most <see cref="MaxTextLength"/> characters long; a decoded id sequence at most that many ids, each an
/// id of the vocabulary (cl100k_base and o200k_base have unused ids below |V|, which the tokenizer would decode to
/// nothing). Every refusal is an <see cref="ArgumentException"/> (<see cref="ArgumentOutOfRangeException"/> for
/// lengths and ids) whose message names the position and the value. Control characters and NUL are ordinary text:
/// Tiktoken keeps them; BERT's normalisation drops them, as it drops accents.
/// </para>
/// </summary>
/// <example>
/// <code>
/// var tokenizer = TokenizerAdapter.Cl100kBase();                 // |V| = 100277, data bundled, no download
/// IReadOnlyList&lt;int&gt; ids = tokenizer.Encode("A cat sits on a mat.");
/// string text = tokenizer.Decode(ids);                           // the same text
/// var encoder = new TextEncoder(tokenizer);                      // texts into Z_100277[x]
///
/// var bert = TokenizerAdapter.BertWordPiece("vocab.txt", addSpecialTokens: true);   // [CLS] … [SEP]
/// </code>
/// </example>
public sealed class TokenizerAdapter : ITextTokenizer
{
    /// <summary>
    /// The default <see cref="MaxTextLength"/>: 16,384 characters, ample for captions. Byte-pair encoding costs time
    /// quadratic in the length of a word: one word of 16,384 letters takes about 0.7 s with cl100k_base, one of
    /// 40,000 about 4.5 s (measured on the project's 2-core build machine).
    /// </summary>
    public const int DefaultMaxTextLength = 1 << 14;

    private readonly bool addSpecialTokens;
    private readonly Func<int, bool>? isUnused;

    /// <summary>Wraps a tokenizer whose ids all lie below <paramref name="vocabularySize"/>.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="vocabularySize">|V|: one more than the largest id the tokenizer can produce.</param>
    /// <param name="name">A name for reports (e.g. "cl100k_base").</param>
    /// <param name="addSpecialTokens">Whether encoding adds BERT's [CLS] … [SEP] (other tokenizers add none).</param>
    /// <param name="maxTextLength">The longest text encoded, in UTF-16 code units, and the most ids decoded
    /// at once.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> is below 2, or
    /// <paramref name="maxTextLength"/> below 1.</exception>
    public TokenizerAdapter(Tokenizer tokenizer, int vocabularySize, string name, bool addSpecialTokens = false,
        int maxTextLength = DefaultMaxTextLength)
        : this(tokenizer, vocabularySize, name, addSpecialTokens, maxTextLength, null) { }

    private TokenizerAdapter(Tokenizer tokenizer, int vocabularySize, string name, bool addSpecialTokens,
        int maxTextLength, Func<int, bool>? isUnused)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTextLength, 1);
        Tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        Name = name;
        MaxTextLength = maxTextLength;
        this.addSpecialTokens = addSpecialTokens;
        this.isUnused = isUnused;
    }

    /// <summary>OpenAI's cl100k_base byte-pair encoding (GPT-3.5/4); |V| = 100,277 including its special
    /// tokens.</summary>
    /// <param name="maxTextLength">The longest text encoded and the most ids decoded at once.</param>
    /// <returns>A new adapter; each call reads the encoding's ranks (about 100,000) from the bundled data, so keep and
    /// reuse it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTextLength"/> is below 1.</exception>
    /// <example>
    /// <code>
    /// var encoder = new TextEncoder(TokenizerAdapter.Cl100kBase());
    /// EncodedText caption = encoder.Encode("Two dogs play in the snow.");   // caption.Polynomial ∈ Z_100277[x]
    /// </code>
    /// </example>
    public static TokenizerAdapter Cl100kBase(int maxTextLength = DefaultMaxTextLength) =>
        Tiktoken("cl100k_base", maxTextLength);

    /// <summary>OpenAI's o200k_base byte-pair encoding (GPT-4o); |V| = 200,019 including its special tokens.</summary>
    /// <param name="maxTextLength">The longest text encoded and the most ids decoded at once.</param>
    /// <returns>A new adapter; each call reads the encoding's ranks (about 200,000) from the bundled data, so keep and
    /// reuse it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTextLength"/> is below 1.</exception>
    public static TokenizerAdapter O200kBase(int maxTextLength = DefaultMaxTextLength) =>
        Tiktoken("o200k_base", maxTextLength);

    /// <summary>
    /// BERT's WordPiece tokenizer from a vocab.txt file (one token per line, the id is the line number); |V| is the
    /// number of lines. Lossy by design: with <paramref name="lowerCase"/> the text is lower-cased and accents are
    /// stripped, and decoding joins word pieces with single spaces, so ids round-trip exactly and texts up to that
    /// normalisation.
    /// </summary>
    /// <param name="vocabularyFile">vocab.txt.</param>
    /// <param name="lowerCase">Lower-case and strip accents first (the uncased models).</param>
    /// <param name="addSpecialTokens">Whether encoding adds [CLS] … [SEP].</param>
    /// <param name="maxTextLength">The longest text encoded and the most ids decoded at once.</param>
    /// <exception cref="FileNotFoundException">The vocabulary file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has fewer than two lines or repeats a token.</exception>
    /// <returns>A new adapter with |V| = the number of lines of the file.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTextLength"/> is below 1.</exception>
    /// <example>
    /// <code>
    /// var bert = TokenizerAdapter.BertWordPiece("bert-base-uncased/vocab.txt");   // |V| = 30522
    /// var ids = bert.Encode("Héllo World");      // lower-cased, accents stripped: "hello world"
    /// </code>
    /// </example>
    public static TokenizerAdapter BertWordPiece(string vocabularyFile, bool lowerCase = true,
        bool addSpecialTokens = false, int maxTextLength = DefaultMaxTextLength)
    {
        ArgumentNullException.ThrowIfNull(vocabularyFile);
        if (!File.Exists(vocabularyFile))
            throw new FileNotFoundException($"No BERT vocabulary file at '{vocabularyFile}'.", vocabularyFile);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lines = 0;
        foreach (string line in File.ReadLines(vocabularyFile))
        {
            if (!seen.Add(line))
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"'{vocabularyFile}' repeats the token '{line}' on line {lines + 1}; ids would be ambiguous."));
            lines++;
        }
        if (lines < 2)
            throw new InvalidDataException(
                $"'{vocabularyFile}' holds {lines} token(s); a vocabulary needs at least 2.");
        var options = new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase };
        return new TokenizerAdapter(BertTokenizer.Create(vocabularyFile, options), lines,
            "bert-wordpiece:" + Path.GetFileName(vocabularyFile), addSpecialTokens, maxTextLength);
    }

    /// <summary>The wrapped tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>|V|.</summary>
    public int VocabularySize { get; }

    /// <summary>The tokenizer's name (cl100k_base, o200k_base, bert-wordpiece:FILE, or as given).</summary>
    public string Name { get; }

    /// <summary>The longest text <see cref="Encode"/> takes (UTF-16 code units), and the most ids
    /// <see cref="Decode"/> takes.</summary>
    public int MaxTextLength { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The text is longer than <see cref="MaxTextLength"/>.</exception>
    /// <exception cref="ArgumentException">The text is not well-formed UTF-16: a surrogate without its
    /// pair.</exception>
    /// <exception cref="InvalidOperationException">The tokenizer produced an id outside 0 … |V| − 1 (the vocabulary
    /// size given to the constructor is wrong; not a problem of the text).</exception>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxTextLength)
            throw new ArgumentOutOfRangeException(nameof(text), text.Length,
                string.Create(CultureInfo.InvariantCulture,
                    $"The text has {text.Length} characters, above the limit of {MaxTextLength} for "
                    + $"{Name} (maxTextLength)."));
        int bad = LoneSurrogate(text);
        if (bad >= 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The text has a lone surrogate U+{(int)text[bad]:X4} at index {bad}; it is not well-formed UTF-16 "
                + $"and would not survive encoding."), nameof(text));
        var ids = Tokenizer is BertTokenizer bert ? bert.EncodeToIds(text, addSpecialTokens,
            considerPreTokenization: true, considerNormalization: true) : Tokenizer.EncodeToIds(text);
        for (int i = 0; i < ids.Count; i++)
            if ((uint)ids[i] >= (uint)VocabularySize)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{Name} produced token id {ids[i]} at position {i}, outside 0 … {VocabularySize - 1}; the "
                    + $"vocabulary size given for it is wrong."));
        return ids;
    }

    /// <inheritdoc/>
    /// <remarks>Ids whose bytes split a character (a byte-level token alone) decode to U+FFFD for the piece, as
    /// Microsoft.ML.Tokenizers does; the ids themselves are exact in <see cref="Encode"/>'s output.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside 0 … |V| − 1 or one of the unused ids below
    /// |V|, or there are more than <see cref="MaxTextLength"/> ids.</exception>
    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count > MaxTextLength)
            throw new ArgumentOutOfRangeException(nameof(ids), ids.Count, string.Create(CultureInfo.InvariantCulture,
                $"There are {ids.Count} ids, above the limit of {MaxTextLength} for {Name} (maxTextLength)."));
        for (int i = 0; i < ids.Count; i++)
        {
            if ((uint)ids[i] >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i],
                    string.Create(CultureInfo.InvariantCulture,
                        $"Token {i} has id {ids[i]}, outside the vocabulary of {Name} (0 … {VocabularySize - 1})."));
            if (isUnused?.Invoke(ids[i]) == true)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i],
                    string.Create(CultureInfo.InvariantCulture,
                        $"Token {i} has id {ids[i]}, which {Name} does not use (it would decode to nothing)."));
        }
        return Tokenizer.Decode(ids) ?? string.Empty;
    }

    // The index of the first surrogate without its pair, or −1.
    private static int LoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else return i;
        }
        return -1;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} (|V| = {VocabularySize})");

    private static TokenizerAdapter Tiktoken(string encoding, int maxTextLength)
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        // |V| = one more than the largest id over the mergeable ranks and the special tokens. The ids below that which
        // are neither (cl100k_base: 100256 and 100261 … 100275) are unused; the tokenizer decodes them to nothing, so
        // Decode refuses them. The tokenizer does not expose its ranks, so read them from the data package it uses.
        var used = Ranks(encoding);
        used.UnionWith(tokenizer.SpecialTokens?.Values ?? []);
        return new TokenizerAdapter(tokenizer, used.Max() + 1, encoding, false, maxTextLength,
            id => !used.Contains(id));
    }

    // The data packages hold a "Capacity: N" line, then one base64 token per line whose rank is its line number (or,
    // in the tiktoken file format, "token rank").
    private static HashSet<int> Ranks(string encoding)
    {
        string package = encoding switch { "cl100k_base" => "Microsoft.ML.Tokenizers.Data.Cl100kBase",
            _ => "Microsoft.ML.Tokenizers.Data.O200kBase" };
        using var compressed = System.Reflection.Assembly.Load(package)
            .GetManifestResourceStream(encoding + ".tiktoken.deflate")
            ?? throw new InvalidOperationException($"{package} does not hold {encoding}.tiktoken.deflate.");
        using var reader = new StreamReader(
            new System.IO.Compression.DeflateStream(compressed, System.IO.Compression.CompressionMode.Decompress));
        var ranks = new HashSet<int>();
        int next = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.LastIndexOf(' ');
            int rank = space > 0 ? int.Parse(line.AsSpan(space + 1), CultureInfo.InvariantCulture) : next;
            ranks.Add(rank);
            next = rank + 1;
        }
        return ranks;
    }
}
