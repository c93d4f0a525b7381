using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FiberProduct.Encoding;
using FiberProduct.Tokenizers;

namespace FiberProduct.Tests.Encoding;

/// <summary>
/// Hostile tokenizer input (issue 14): seeded random and malformed strings and id lists for every tokenizer, the
/// limits, and the kept regression cases in Data/fuzz/tokens. The only refusal is an ArgumentException.
/// FIBERPRODUCT_FUZZ_ITERATIONS and FIBERPRODUCT_FUZZ_SEED set the count (default 200 per tokenizer) and the seed.
/// </summary>
public class TokenizerInputTests
{
    private static readonly Lazy<TokenizerAdapter> Cl100k = new(() => TokenizerAdapter.Cl100kBase());
    private static readonly Lazy<TokenizerAdapter> O200k = new(() => TokenizerAdapter.O200kBase());
    private static readonly Lazy<TokenizerAdapter> Bert = new(() => TokenizerAdapter.BertWordPiece(
        Path.Combine(AppContext.BaseDirectory, "Data", "bert-base-uncased", "vocab.txt")));
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Data", "fuzz", "tokens");

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("FIBERPRODUCT_FUZZ_ITERATIONS"),
        CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 200;
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("FIBERPRODUCT_FUZZ_SEED"),
        CultureInfo.InvariantCulture, out int s) ? s : 14;

    private static TokenizerAdapter Get(string name) =>
        name switch { "cl100k_base" => Cl100k.Value, "o200k_base" => O200k.Value, _ => Bert.Value };

    public static TheoryData<string> Tokenizers => ["cl100k_base", "o200k_base", "bert"];

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void RandomTexts_EncodeExactly_OrAreRefusedForALoneSurrogate(string name)
    {
        var tokenizer = Get(name);
        var random = new Random(Seed * 7 + name.Length);
        for (int k = 0; k < Iterations; k++)
        {
            string text = RandomText(random);
            int lone = LoneSurrogate(text);
            if (lone >= 0)
            {
                var e = Assert.Throws<ArgumentException>(() => tokenizer.Encode(text));
                Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"at index {lone}"), e.Message,
                    StringComparison.Ordinal);
                continue;
            }
            var ids = tokenizer.Encode(text);
            Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
            string back = tokenizer.Decode(ids);
            if (name != "bert") Assert.Equal(text, back);        // byte-level BPE is lossless on well-formed text
            else Assert.Equal(ids, tokenizer.Encode(back));      // WordPiece: the decoded text is the normal form
        }
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void RandomIds_DecodeOrAreRefusedWithArgumentOutOfRange(string name)
    {
        var tokenizer = Get(name);
        var random = new Random(Seed * 11 + name.Length);
        int size = tokenizer.VocabularySize;
        for (int k = 0; k < Iterations; k++)
        {
            var ids = Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(8) switch
            {
                0 => random.Next(int.MinValue, 0),
                1 => size + random.Next(1000),
                2 => size - 1 - random.Next(30), // the specials, and the unused ids below them
                _ => random.Next(size),
            }).ToArray();
            try
            {
                string text = tokenizer.Decode(ids);
                Assert.All(ids, id => Assert.InRange(id, 0, size - 1));
                Assert.NotNull(text);
            }
            catch (ArgumentOutOfRangeException e)
            {
                Assert.Equal("ids", e.ParamName);
                Assert.Contains(ids, id => e.ActualValue is int bad && bad == id);
            }
        }
    }

    [Fact]
    public void Limits_AreTheCallers_AndRefusedWithTheValue()
    {
        var small = TokenizerAdapter.Cl100kBase(maxTextLength: 10);
        Assert.Equal(10, small.MaxTextLength);
        Assert.Equal(TokenizerAdapter.DefaultMaxTextLength, Cl100k.Value.MaxTextLength);
        Assert.NotEmpty(small.Encode(new string('x', 10)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => small.Encode(new string('x', 11)));
        Assert.Contains("11 characters, above the limit of 10", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => small.Decode(new int[11]));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Cl100k.Value.Encode(new string('a', TokenizerAdapter.DefaultMaxTextLength + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenizerAdapter.O200kBase(maxTextLength: 0));
        // Through the text encoder the refusal is the same exception.
        Assert.Throws<ArgumentException>(() => new TextEncoder(small).Encode("a\uD800"));
    }

    [Fact]
    public void KeptTexts_GiveTheirRecordedOutcome()
    {
        foreach (var (outcome, name, field) in Cases("texts.tsv"))
        {
            string text = Regex.Unescape(field);
            if (outcome == "refused") Assert.Throws<ArgumentException>(() => Get(name).Encode(text));
            else Assert.All(Get(name).Encode(text), id => Assert.InRange(id, 0, Get(name).VocabularySize - 1));
        }
    }

    [Fact]
    public void KeptIdLists_GiveTheirRecordedOutcome()
    {
        foreach (var (outcome, name, field) in Cases("ids.tsv"))
        {
            int[] ids = field.Split(' ').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            if (outcome == "refused") Assert.Throws<ArgumentOutOfRangeException>(() => Get(name).Decode(ids));
            else Assert.NotNull(Get(name).Decode(ids));
        }
    }

    private static IEnumerable<(string Outcome, string Tokenizer, string Field)> Cases(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, file)).Where(l => l.Length > 0 && l[0] != '#').ToList();
        Assert.NotEmpty(lines);
        foreach (string line in lines)
        {
            var parts = line.Split('\t');
            Assert.True(parts.Length == 3 && parts[0] is "ok" or "refused", line);
            yield return (parts[0], parts[1], parts[2]);
        }
    }

    // Mixtures of what breaks text handling: arbitrary UTF-16 code units (lone surrogates among them), astral code
    // points, controls and NUL, combining marks, spaces, long runs of one letter, and plain words.
    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        int pieces = random.Next(1, 12);
        for (int p = 0; p < pieces; p++)
        {
            switch (random.Next(8))
            {
                case 0: text.Append((char)random.Next(0x10000)); break;
                case 1: text.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000))); break;
                case 2: text.Append((char)random.Next(0x20)).Append('\u007F').Append('\u0085'); break;
                case 3: text.Append('e').Append((char)random.Next(0x300, 0x370)); break;
                case 4: text.Append(' ', random.Next(1, 5)).Append('\t').Append("\r\n"); break;
                case 5: text.Append((char)('a' + random.Next(26)), random.Next(1, 300)); break;
                case 6: text.Append(random.Next(2) == 0 ? '\uD800' : '\uDFFF'); break;
                default: text.Append("a cat on the mat, 12 € — naïve café "); break;
            }
        }
        return text.ToString();
    }

    /// <summary>The index of the first lone surrogate, by the runtime's own UTF-16 decoder (not the adapter's
    /// scan).</summary>
    private static int LoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            if (System.Text.Rune.DecodeFromUtf16(text.AsSpan(i), out _,
                out int used) != System.Buffers.OperationStatus.Done) return i;
            i += used;
        }
        return -1;
    }
}
