using FiberProduct.Algebra;
using FiberProduct.Datasets;
using FiberProduct.Encoding;
using FiberProduct.Tokenizers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Encoding;

/// <summary>Texts to Z_|V|[x] and back: token ids as coefficients, with real tokenizers on the real COCO
/// captions.</summary>
public class TextEncoderTests
{
    private static readonly Lazy<TokenizerAdapter> Cl100k = new(() => TokenizerAdapter.Cl100kBase());
    private static readonly Lazy<TokenizerAdapter> O200k = new(() => TokenizerAdapter.O200kBase());
    private static readonly Lazy<TokenizerAdapter> Bert = new(() => TokenizerAdapter.BertWordPiece(BertVocabulary));
    private static readonly Lazy<IReadOnlyList<string>> Captions = new(() => CocoClip500.Pretrained().Captions);
    private static string BertVocabulary => Path.Combine(AppContext.BaseDirectory, "Data",
        "bert-base-uncased", "vocab.txt");

    [Property(MaxTest = 300)]
    public bool TokenIds_RoundTrip_IncludingTrailingZeros(int[] raw, PositiveInt vocabulary)
    {
        int size = vocabulary.Get % 70000 + 2;
        // trailing zeros vanish from the polynomial
        var ids = (raw ?? []).Select(id => (int)((uint)id % (uint)size)).Append(0).Append(0).ToArray();
        var encoder = new TextEncoder(size);
        var encoded = encoder.Encode(ids);
        return encoded.TokenCount == ids.Length && encoded.Polynomial.Ring == PolynomialRing.ForVocabulary(size)
            && encoder.DecodeIds(encoded).SequenceEqual(ids)
            && Enumerable.Range(0, encoded.Polynomial.Length).All(i => encoded.Polynomial[i] == (uint)ids[i]);
    }

    [Fact]
    public void VocabularySizes_ComeFromTheTokenizers()
    {
        Assert.Equal(100277, Cl100k.Value.VocabularySize); // 100,256 ranks, specials up to <|endofprompt|> = 100276
        Assert.Equal(200019, O200k.Value.VocabularySize);  // 199,998 ranks, specials up to <|endofprompt|> = 200018
        Assert.Equal(30522, Bert.Value.VocabularySize);
        Assert.Equal(PolynomialRing.ForVocabulary(100277), new TextEncoder(Cl100k.Value).Ring);
    }

    [Fact]
    public void KnownTokenIds()
    {
        Assert.Equal([15339, 1917], Cl100k.Value.Encode("hello world"));
        Assert.Equal([1045, 2066, 13137, 20968], Bert.Value.Encode("I like strawberries")); // lower-cased; ##berries
        var withSpecials = TokenizerAdapter.BertWordPiece(BertVocabulary, addSpecialTokens: true);
        Assert.Equal([101, 1045, 2066, 13137, 20968, 102], withSpecials.Encode("I like strawberries"));
        var q = new TextEncoder(Cl100k.Value).Encode("hello world!");
        Assert.Equal(PolynomialRing.ForVocabulary(100277).Create(15339, 1917), q.Polynomial);
        // "!" is token 0 in cl100k_base: it is not a coefficient of the normalised polynomial
        Assert.Equal(3, q.TokenCount);
        Assert.Equal(1, q.Polynomial.Degree);
        Assert.Equal("hello world!", new TextEncoder(Cl100k.Value).Decode(q));
    }

    public static TheoryData<string> TiktokenNames => ["cl100k_base", "o200k_base"];

    [Theory]
    [MemberData(nameof(TiktokenNames))]
    public void EveryCaption_RoundTrips_ThroughTheRing(string name)
    {
        var encoder = new TextEncoder(name == "cl100k_base" ? Cl100k.Value : O200k.Value);
        foreach (string caption in Captions.Value)
        {
            var q = encoder.Encode(caption);
            Assert.True(q.Polynomial.Length <= q.TokenCount);
            Assert.Equal(caption, encoder.Decode(q));
        }
    }

    [Property(MaxTest = 200)]
    public Property CaptionFragments_RoundTrip(PositiveInt first, PositiveInt second, NonNegativeInt cut, bool o200k)
    {
        // Arbitrary cuts and joins of real sentences: byte-level BPE is lossless on any text.
        var captions = Captions.Value;
        string a = captions[first.Get % captions.Count], b = captions[second.Get % captions.Count];
        string text = a[..(cut.Get % (a.Length + 1))] + " " + b.ToUpperInvariant();
        var encoder = new TextEncoder(o200k ? O200k.Value : Cl100k.Value);
        return (encoder.Decode(encoder.Encode(text)) == text).Label(text);
    }

    [Fact]
    public void Bert_RoundTripsIds_AndTextUpToItsNormalisation()
    {
        var encoder = new TextEncoder(Bert.Value);
        foreach (string caption in Captions.Value)
        {
            var q = encoder.Encode(caption);
            var ids = encoder.DecodeIds(q);
            Assert.Equal(Bert.Value.Encode(caption), ids);
            Assert.DoesNotContain(100, ids); // no [UNK] on COCO captions: the vocabulary covers them
            string text = encoder.Decode(q);
            // the decoded text is the normal form: it encodes to the same ids
            Assert.Equal(ids, Bert.Value.Encode(text));
            Assert.Equal(Normalise(caption), Normalise(text));
        }
        static string Normalise(string s) => new(s.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
    }

    [Fact]
    public void BadInput_IsRejected_WithItsValue()
    {
        var encoder = new TextEncoder(1000);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode([5, 999, 1000]));
        Assert.Contains("Token 2 has id 1000", e.Message, StringComparison.Ordinal);
        Assert.Equal("tokenIds", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Encode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextEncoder(1));
        Assert.Throws<InvalidOperationException>(() => encoder.Encode("text without a tokenizer"));
        Assert.Throws<InvalidOperationException>(() => encoder.Decode(encoder.Encode([1, 2])));
        Assert.Throws<ArgumentException>(() => encoder.DecodeIds(new EncodedText(PolynomialRing.Z256.Create(1, 2), 2)));
        Assert.Throws<ArgumentException>(() => encoder.DecodeIds(new EncodedText(encoder.Ring.Create(1, 2, 3), 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cl100k.Value.Decode([100277]));
        Assert.Throws<ArgumentNullException>(() => new TextEncoder(null!));
    }

    [Fact]
    public void BadVocabularyFiles_AreRejected()
    {
        Assert.Throws<FileNotFoundException>(() => TokenizerAdapter.BertWordPiece("/nonexistent/vocab.txt"));
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["[PAD]", "[UNK]", "a", "a"]);
            var e = Assert.Throws<InvalidDataException>(() => TokenizerAdapter.BertWordPiece(path));
            Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
            File.WriteAllLines(path, ["[UNK]"]);
            Assert.Throws<InvalidDataException>(() => TokenizerAdapter.BertWordPiece(path));
        }
        finally { File.Delete(path); }
    }
}
