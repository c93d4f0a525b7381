using System.Globalization;
using System.Text;

namespace FiberProduct.IO;

/// <summary>The kinds of value Python's <c>ast.literal_eval</c> can return.</summary>
internal enum PyKind { Str, Bytes, Int, Bool, Float, Complex, None, Ellipsis, Tuple, List, Set, Dict }

/// <summary>
/// A value as <c>ast.literal_eval</c> returns it, reduced to what a .npy header check needs: strings and integers
/// keep their value, containers their items, dictionaries their string keys (the last value of a repeated key,
/// as a Python dict keeps it).
/// </summary>
internal sealed class PyValue
{
    public required PyKind Kind { get; init; }
    public string? Text { get; init; }
    /// <summary>The integer's value when it fits a long; see <see cref="IntTooLarge"/>.</summary>
    public long Int { get; init; }
    public bool IntTooLarge { get; init; }
    public List<PyValue>? Items { get; init; }
    public Dictionary<string, PyValue>? StrKeys { get; init; }
    /// <summary>The dictionary has a key that is not a str (a .npy header then has the wrong keys).</summary>
    public bool OtherKeys { get; init; }
    /// <summary>An <c>ast.Constant</c> node (possibly in parentheses): the only operand literal_eval lets a sign or a
    /// complex sum take.</summary>
    public bool IsConstant { get; init; }
    /// <summary>A sign applied to a constant (an <c>ast.UnaryOp</c>): allowed as the left side of a
    /// complex sum.</summary>
    public bool IsSigned { get; init; }

    public bool Hashable => Kind switch
    {
        PyKind.List or PyKind.Set or PyKind.Dict => false,
        PyKind.Tuple => Items!.TrueForAll(i => i.Hashable),
        _ => true,
    };

    public bool IsNumber => Kind is PyKind.Int or PyKind.Float or PyKind.Complex;

    public string Describe() => Kind switch
    {
        PyKind.Str => "'" + Text + "'",
        PyKind.Int => IntTooLarge ? "an integer beyond 64 bits" : Int.ToString(CultureInfo.InvariantCulture),
        PyKind.Bool => Int != 0 ? "True" : "False",
        PyKind.Tuple => "(" + string.Join(", ", Items!.Select(i => i.Describe())) + (Items!.Count == 1 ? ",)" : ")"),
        _ => "a " + Kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>A header that Python's parser or <c>ast.literal_eval</c> would refuse, with the reason.</summary>
internal sealed class PythonLiteralException(string reason, int position) : Exception(reason)
{
    public int Position { get; } = position;
}

/// <summary>
/// The part of Python 3 that <c>ast.literal_eval</c> accepts, parsed the way CPython 3.11 parses it: strings (every
/// prefix and escape but <c>\N{…}</c>, adjacent literals concatenated), integers in all four bases with underscores,
/// floats and imaginary numbers, a sign on a number, a real plus or minus an imaginary number, tuples, lists, sets,
/// dicts, <c>set()</c>, True, False, None and <c>...</c>; comments, line continuations, implicit line joining inside
/// brackets and the indentation rule outside them; at most 200 nested brackets. NumPy reads a .npy header with
/// literal_eval, so this decides exactly which headers NumPy accepts.
/// </summary>
/// <remarks>
/// Linear in the header's length: no backtracking, integers beyond 64 bits are flagged rather than built, and
/// adjacent strings are concatenated in one builder. With Python 2 longs allowed (format versions 1.0 and
/// 2.0) an <c>L</c> after a number is dropped, as NumPy's <c>_filter_header</c> does for headers Python 2 wrote; the
/// filter only runs where literal_eval fails, and a number followed by L always fails, so dropping it while parsing
/// gives the same answer.
/// </remarks>
internal sealed class PythonLiteral
{
    private const int MaxNesting = 200; // CPython's tokenizer refuses the 201st open bracket

    private enum Tok
    {
        LBrace, RBrace, LParen, RParen, LBracket, RBracket, Comma, Colon, Plus, Minus,
        Str, Bytes, Number, Name, Ellipsis, Newline, End,
    }

    private readonly string s;
    private readonly bool python2Longs;
    private int pos;
    private int depth;
    private bool atLineStart = true;

    // The current token.
    private Tok tok;
    private int tokStart;
    private string tokText = "";
    private PyValue? tokValue;

    private PythonLiteral(string source, bool python2Longs)
    {
        // CPython translates \r\n and \r to \n before tokenising; literal_eval strips leading spaces and tabs.
        s = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimStart(' ', '\t');
        this.python2Longs = python2Longs;
    }

    /// <summary>Evaluates <paramref name="source"/> as <c>ast.literal_eval</c> does.</summary>
    /// <exception cref="PythonLiteralException">Python would refuse the text, or it is not a literal.</exception>
    public static PyValue Evaluate(string source, bool python2Longs)
    {
        var parser = new PythonLiteral(source, python2Longs);
        int nul = source.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0) throw new PythonLiteralException("the header contains a NUL character", nul);
        parser.Next();
        var value = parser.ParseTop();
        return value;
    }

    private PyValue ParseTop()
    {
        var value = ParseExpression();
        if (tok == Tok.Comma) throw Fail("the header is a tuple, not a dictionary");
        while (tok == Tok.Newline) Next();
        if (tok != Tok.End) throw Fail("unexpected text after the value");
        return value;
    }

    private PythonLiteralException Fail(string reason) => new(reason, tokStart);

    /// <summary>A signed value, or literal_eval's one binary form: a real number plus or minus an
    /// imaginary one.</summary>
    private PyValue ParseExpression()
    {
        var left = ParseSigned();
        if (tok is not (Tok.Plus or Tok.Minus)) return left;
        Next();
        var right = ParseSigned();
        if (tok is Tok.Plus or Tok.Minus) throw Fail("arithmetic is not a literal");
        bool leftReal = (left.IsConstant || left.IsSigned) && left.Kind is PyKind.Int or PyKind.Float;
        if (!leftReal || !right.IsConstant || right.Kind != PyKind.Complex)
            throw Fail("only a real number plus or minus an imaginary number is a literal");
        return new PyValue { Kind = PyKind.Complex };
    }

    private PyValue ParseSigned()
    {
        if (tok is not (Tok.Plus or Tok.Minus)) return ParseAtom();
        bool negate = tok == Tok.Minus;
        Next();
        var operand = ParseSigned();
        // literal_eval takes a sign only on a constant int, float or complex: not on True, not twice.
        if (!operand.IsConstant || !operand.IsNumber) throw Fail("a sign applies only to a number");
        return operand.Kind != PyKind.Int ? new PyValue { Kind = operand.Kind, IsSigned = true }
            : new PyValue
            {
                Kind = PyKind.Int, Int = negate ? -operand.Int
                    : operand.Int, IntTooLarge = operand.IntTooLarge, IsSigned = true,
            };
    }

    private PyValue ParseAtom()
    {
        switch (tok)
        {
            case Tok.Number:
            {
                var v = tokValue!;
                Next();
                return v;
            }
            case Tok.Str or Tok.Bytes:
            {
                var kind = tok;
                var text = new StringBuilder(tokText);
                Next();
                while (tok is Tok.Str or Tok.Bytes)
                {
                    if (tok != kind) throw Fail("bytes and str literals cannot be concatenated");
                    text.Append(tokText);
                    Next();
                }
                return new PyValue { Kind = kind == Tok.Str ? PyKind.Str
                    : PyKind.Bytes, Text = text.ToString(), IsConstant = true };
            }
            case Tok.Ellipsis:
                Next();
                return new PyValue { Kind = PyKind.Ellipsis, IsConstant = true };
            case Tok.Name:
                return ParseName();
            case Tok.LParen:
            {
                Next();
                if (tok == Tok.RParen) { Next(); return new PyValue { Kind = PyKind.Tuple, Items = [] }; }
                var first = ParseExpression();
                if (tok == Tok.RParen) { Next(); return first; } // parentheses only group
                var items = ParseRest(first, Tok.RParen);
                return new PyValue { Kind = PyKind.Tuple, Items = items };
            }
            case Tok.LBracket:
            {
                Next();
                if (tok == Tok.RBracket) { Next(); return new PyValue { Kind = PyKind.List, Items = [] }; }
                var items = ParseRest(ParseExpression(), Tok.RBracket);
                return new PyValue { Kind = PyKind.List, Items = items };
            }
            case Tok.LBrace:
                return ParseBraces();
            default:
                throw Fail(tok == Tok.End ? "the header ends inside a value" : "a value is expected");
        }
    }

    private PyValue ParseName()
    {
        string name = tokText;
        Next();
        switch (name)
        {
            case "True": return new PyValue { Kind = PyKind.Bool, Int = 1, IsConstant = true };
            case "False": return new PyValue { Kind = PyKind.Bool, Int = 0, IsConstant = true };
            case "None": return new PyValue { Kind = PyKind.None, IsConstant = true };
        }
        // Python normalises identifiers to NFKC, so a full-width "ｓｅｔ" names set too; literal_eval allows set().
        if (name.Normalize(NormalizationForm.FormKC) == "set" && tok == Tok.LParen)
        {
            Next();
            if (tok == Tok.RParen) { Next(); return new PyValue { Kind = PyKind.Set, Items = [] }; }
        }
        throw Fail($"the name '{name}' is not a literal");
    }

    /// <summary>The items after the first of a tuple or list: ", item" repeated, an optional trailing comma, the
    /// closer.</summary>
    private List<PyValue> ParseRest(PyValue first, Tok closer)
    {
        var items = new List<PyValue> { first };
        while (tok == Tok.Comma)
        {
            Next();
            if (tok == closer) break;
            items.Add(ParseExpression());
        }
        if (tok != closer) throw Fail("a comma or closing bracket is expected");
        Next();
        return items;
    }

    private PyValue ParseBraces()
    {
        Next();
        if (tok == Tok.RBrace) { Next(); return new PyValue { Kind = PyKind.Dict, StrKeys = [] }; }
        var first = ParseExpression();
        if (tok != Tok.Colon)
        {
            var items = ParseRest(first, Tok.RBrace);
            if (!items.TrueForAll(i => i.Hashable)) throw Fail("a set item is unhashable");
            return new PyValue { Kind = PyKind.Set, Items = items };
        }
        var keys = new Dictionary<string, PyValue>(StringComparer.Ordinal);
        bool otherKeys = false;
        var key = first;
        while (true)
        {
            Next(); // the colon
            var value = ParseExpression();
            if (!key.Hashable) throw Fail("a dictionary key is unhashable");
            if (key.Kind == PyKind.Str) keys[key.Text!] = value; // a repeated key keeps its last value, as in Python
            else otherKeys = true;
            if (tok == Tok.Comma) Next();
            else if (tok != Tok.RBrace) throw Fail("a comma or '}' is expected");
            if (tok == Tok.RBrace) break;
            key = ParseExpression();
            if (tok != Tok.Colon) throw Fail("a ':' is expected after a dictionary key");
        }
        Next();
        return new PyValue { Kind = PyKind.Dict, StrKeys = keys, OtherKeys = otherKeys };
    }

    // ---- Tokeniser ----

    private void Next()
    {
        SkipTrivia();
        tokStart = pos;
        if (pos >= s.Length) { tok = Tok.End; return; }
        char c = s[pos];
        // only at depth 0: SkipTrivia eats the others
        if (c == '\n') { pos++; tok = Tok.Newline; atLineStart = true; return; }
        if (char.IsAsciiDigit(c) || (c == '.' && pos + 1 < s.Length && char.IsAsciiDigit(s[pos + 1])))
        {
            LexNumber();
            return;
        }
        if (c == '.' && string.CompareOrdinal(s, pos, "...", 0, 3) == 0) { pos += 3; tok = Tok.Ellipsis; return; }
        if (c is '\'' or '"') { LexString(""); return; }
        if (IsIdentifierStart(c))
        {
            int start = pos;
            while (pos < s.Length && IsIdentifierPart(s[pos])) pos++;
            string word = s[start..pos];
            if (pos < s.Length && s[pos] is '\'' or '"' && IsStringPrefix(word)) { LexString(word); return; }
            tok = Tok.Name;
            tokText = word;
            return;
        }
        pos++;
        switch (c)
        {
            case '{': Open(); tok = Tok.LBrace; return;
            case '(': Open(); tok = Tok.LParen; return;
            case '[': Open(); tok = Tok.LBracket; return;
            case '}': Close(); tok = Tok.RBrace; return;
            case ')': Close(); tok = Tok.RParen; return;
            case ']': Close(); tok = Tok.RBracket; return;
            case ',': tok = Tok.Comma; return;
            case ':': tok = Tok.Colon; return;
            case '+': tok = Tok.Plus; return;
            case '-': tok = Tok.Minus; return;
        }
        throw new PythonLiteralException(
            string.Create(CultureInfo.InvariantCulture, $"the character U+{(int)c:X4} is not part of a literal"),
                pos - 1);
    }

    private void Open()
    {
        if (depth >= MaxNesting)
            throw new PythonLiteralException("too many nested brackets (Python allows 200)", pos - 1);
        depth++;
    }

    private void Close()
    {
        if (depth == 0) throw new PythonLiteralException("a closing bracket has no opening one", pos - 1);
        depth--;
    }

    /// <summary>Spaces, tabs, form feeds, comments, line continuations; newlines inside brackets; blank lines; and
    /// the indentation check at the start of a line outside brackets, where Python expects column 0.</summary>
    private void SkipTrivia()
    {
        while (true)
        {
            if (atLineStart && depth == 0)
            {
                int column = 0;
                while (pos < s.Length && s[pos] is ' ' or '\t' or '\f')
                {
                    column = s[pos] switch { ' ' => column + 1, '\t' => (column / 8 + 1) * 8, _ => 0 };
                    pos++;
                }
                bool comment = pos < s.Length && s[pos] == '#';
                if (comment) while (pos < s.Length && s[pos] != '\n') pos++;
                if (pos < s.Length && s[pos] == '\n') { pos++; continue; } // a blank line
                // NumPy's filter for Python 2 headers re-tokenises the text and drops a last line of blanks, which
                // Python would take for an indentation.
                if (column > 0 && !comment && !(python2Longs && pos >= s.Length))
                    throw new PythonLiteralException("unexpected indentation", pos);
                atLineStart = false;
            }
            if (pos >= s.Length) return;
            char c = s[pos];
            if (c is ' ' or '\t' or '\f') { pos++; continue; }
            if (c == '#') { while (pos < s.Length && s[pos] != '\n') pos++; continue; }
            if (c == '\\')
            {
                if (pos + 1 >= s.Length || s[pos + 1] != '\n')
                    throw new PythonLiteralException("a backslash outside a string must end the line", pos);
                if (pos + 2 >= s.Length)
                    throw new PythonLiteralException("the header ends after a line continuation", pos);
                pos += 2;
                continue;
            }
            if (c == '\n' && depth > 0) { pos++; continue; }
            return;
        }
    }

    private static bool IsIdentifierStart(char c) =>
        char.IsAsciiLetter(c) || c == '_' || (c > 0x7F && IsUnicodeIdentifierPart(c, start: true));

    private static bool IsIdentifierPart(char c) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || (c > 0x7F && IsUnicodeIdentifierPart(c, start: false));

    /// <summary>An approximation of Unicode's XID classes, which decide Python identifiers; identifiers other than
    /// True, False, None and set are refused anyway, so only the split between tokens depends on it.</summary>
    private static bool IsUnicodeIdentifierPart(char c, bool start)
    {
        var category = char.GetUnicodeCategory(c);
        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber =>
                    true,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.ConnectorPunctuation => !start,
            UnicodeCategory.Surrogate => true,
            _ => false,
        };
    }

    private static bool IsStringPrefix(string word) =>
        word.ToLowerInvariant() is "r" or "u" or "b" or "br" or "rb" or "f" or "fr" or "rf";

    private void LexString(string prefix)
    {
        string lower = prefix.ToLowerInvariant();
        if (lower.Contains('f', StringComparison.Ordinal))
            throw new PythonLiteralException("an f-string is not a literal", tokStart);
        bool raw = lower.Contains('r', StringComparison.Ordinal);
        bool bytes = lower.Contains('b', StringComparison.Ordinal);
        char quote = s[pos];
        bool triple = pos + 2 < s.Length && s[pos + 1] == quote && s[pos + 2] == quote;
        pos += triple ? 3 : 1;
        var text = new StringBuilder();
        while (true)
        {
            if (pos >= s.Length) throw new PythonLiteralException("a string is not terminated", tokStart);
            char c = s[pos];
            if (c == quote && (!triple || (pos + 2 < s.Length && s[pos + 1] == quote && s[pos + 2] == quote)))
            {
                pos += triple ? 3 : 1;
                break;
            }
            if (c == '\n' && !triple)
                throw new PythonLiteralException("a string is not terminated on its line", tokStart);
            if (bytes && c > 0x7F) throw new PythonLiteralException("a bytes literal holds only ASCII characters", pos);
            if (c != '\\') { text.Append(c); pos++; continue; }
            if (pos + 1 >= s.Length) throw new PythonLiteralException("a string is not terminated", tokStart);
            if (raw)
            {
                // A backslash keeps the next character (even a quote or newline) and itself.
                text.Append(c).Append(s[pos + 1]);
                pos += 2;
                continue;
            }
            LexEscape(text, bytes);
        }
        tok = bytes ? Tok.Bytes : Tok.Str;
        tokText = text.ToString();
    }

    private void LexEscape(StringBuilder text, bool bytes)
    {
        char e = s[pos + 1];
        pos += 2;
        switch (e)
        {
            case '\n': return;
            case '\\' or '\'' or '"': text.Append(e); return;
            case 'a': text.Append('\a'); return;
            case 'b': text.Append('\b'); return;
            case 'f': text.Append('\f'); return;
            case 'n': text.Append('\n'); return;
            case 'r': text.Append('\r'); return;
            case 't': text.Append('\t'); return;
            case 'v': text.Append('\v'); return;
            case >= '0' and <= '7':
            {
                int value = e - '0';
                for (int k = 0; k < 2 && pos < s.Length && s[pos] is >= '0' and <= '7'; k++)
                    value = value * 8 + (s[pos++] - '0');
                text.Append((char)(bytes ? value & 0xFF : value)); // Python 3.11 keeps the low byte in bytes
                return;
            }
            case 'x': text.Append((char)Hex(2)); return;
            case 'u' when !bytes: text.Append((char)Hex(4)); return;
            case 'U' when !bytes:
            {
                int value = Hex(8);
                if (value > 0x10FFFF) throw new PythonLiteralException("a \\U escape beyond U+10FFFF", pos - 10);
                // Python allows a lone surrogate in a str; ConvertFromUtf32 does not.
                if (value < 0x10000) text.Append((char)value);
                else text.Append(char.ConvertFromUtf32(value));
                return;
            }
            case 'N' when !bytes:
                // Named escapes need Unicode's name table, which .NET does not carry; NumPy never writes them.
                throw new PythonLiteralException("a \\N{…} escape (FiberProduct does not read named escapes)",
                    pos - 2);
            default:
                text.Append('\\').Append(e); // Python keeps an unknown escape as it is
                return;
        }
    }

    private int Hex(int digits)
    {
        int value = 0;
        for (int k = 0; k < digits; k++, pos++)
        {
            if (pos >= s.Length || !char.IsAsciiHexDigit(s[pos]))
                throw new PythonLiteralException("a truncated \\x, \\u or \\U escape", pos);
            value = value * 16 + DigitValue(s[pos], 16);
        }
        return value;
    }

    private void LexNumber()
    {
        int start = pos;
        var kind = PyKind.Int;
        long value = 0;
        bool tooLarge = false;
        if (s[pos] == '0' && pos + 1 < s.Length && s[pos + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B')
        {
            int radix = char.ToLowerInvariant(s[pos + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            pos += 2;
            int digits = 0;
            while (pos < s.Length)
            {
                if (s[pos] == '_' && pos + 1 < s.Length && DigitValue(s[pos + 1], radix) >= 0) pos++;
                int d = pos < s.Length ? DigitValue(s[pos], radix) : -1;
                if (d < 0) break;
                Accumulate(ref value, ref tooLarge, radix, d);
                digits++;
                pos++;
            }
            if (digits == 0) throw new PythonLiteralException("a number without digits", start);
        }
        else
        {
            bool leadingZero = s[pos] == '0', nonZero = false;
            if (char.IsAsciiDigit(s[pos]))
                DigitPart(d => { nonZero |= d != 0; Accumulate(ref value, ref tooLarge, 10, d); });
            if (pos < s.Length && s[pos] == '.')
            {
                kind = PyKind.Float;
                pos++;
                if (pos < s.Length && char.IsAsciiDigit(s[pos])) DigitPart(_ => { });
            }
            if (pos < s.Length && s[pos] is 'e' or 'E')
            {
                int sign = pos + 1 < s.Length && s[pos + 1] is '+' or '-' ? 1 : 0;
                if (pos + 1 + sign < s.Length && char.IsAsciiDigit(s[pos + 1 + sign]))
                {
                    kind = PyKind.Float;
                    pos += 1 + sign;
                    DigitPart(_ => { });
                }
            }
            if (pos < s.Length && s[pos] is 'j' or 'J') { kind = PyKind.Complex; pos++; }
            if (kind == PyKind.Int && leadingZero && nonZero)
                throw new PythonLiteralException("leading zeros in a decimal integer", start);
        }
        if (pos < s.Length && IsIdentifierPart(s[pos]))
        {
            // A number runs straight into a name: Python refuses, except the Python 2 long suffix NumPy filters out.
            if (!(python2Longs && s[pos] == 'L' && (pos + 1 >= s.Length || !IsIdentifierPart(s[pos + 1]))))
                throw new PythonLiteralException("a number runs into a name", start);
            pos++;
        }
        if (python2Longs)
        {
            // NumPy's filter drops each L name token that follows a number token on the same line, even after
            // spaces; a dropped token does not reset its "last token was a number" flag, so "4L L" is 4 too.
            while (true)
            {
                int p = pos;
                while (p < s.Length && s[p] is ' ' or '\t' or '\f') p++;
                if (p < s.Length && s[p] == 'L' && (p + 1 >= s.Length || !IsIdentifierPart(s[p + 1]))) pos = p + 1;
                else break;
            }
        }
        tok = Tok.Number;
        tokValue = new PyValue { Kind = kind, Int = value, IntTooLarge = tooLarge, IsConstant = true };
    }

    /// <summary>Decimal digits with single underscores between them.</summary>
    private void DigitPart(Action<int> digit)
    {
        while (true)
        {
            digit(s[pos] - '0');
            pos++;
            if (pos < s.Length && char.IsAsciiDigit(s[pos])) continue;
            if (pos + 1 < s.Length && s[pos] == '_' && char.IsAsciiDigit(s[pos + 1])) { pos++; continue; }
            if (pos < s.Length && s[pos] == '_')
                throw new PythonLiteralException("an underscore must sit between digits", pos);
            return;
        }
    }

    private static int DigitValue(char c, int radix)
    {
        int d = c switch { >= '0' and <= '9' => c - '0', >= 'a' and <= 'f' => c - 'a' + 10, >= 'A'
            and <= 'F' => c - 'A' + 10, _ => -1 };
        return d < radix ? d : -1;
    }

    private static void Accumulate(ref long value, ref bool tooLarge, int radix, int digit)
    {
        if (tooLarge) return;
        if (value > (long.MaxValue - digit) / radix) { tooLarge = true; return; }
        value = value * radix + digit;
    }
}
