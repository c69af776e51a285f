using System.Buffers;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The grammar the backend leg holds a backend's bytes to (RFC 9110 section 5, RFC 9112 sections 2.2, 4, 5 and 7.1):
/// tokens, field values, lines ended by CRLF only. Strict like Kestrel after CVE-2025-55315: a bare CR or LF, a
/// control byte or a malformed chunk extension is refused, never read past, since a parser that reads past what
/// another would stop at is how responses get split.
/// </summary>
internal static class HttpSyntax
{
    /// <summary>tchar (RFC 9110 section 5.6.2).</summary>
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>What a field value may not hold: control bytes except HTAB, and DEL (field-vchar, obs-text and SP/HTAB are fine).</summary>
    private static readonly SearchValues<byte> NotFieldValue = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);
    private static readonly SearchValues<byte> LineBreaks = SearchValues.Create("\r\n"u8);

    /// <summary>Hex digits in a chunk size, at most: 15 fit a long with room, so no size can overflow.</summary>
    private const int MaxChunkSizeDigits = 15;

    public static bool IsToken(ReadOnlySpan<byte> value) => value.Length > 0 && value.IndexOfAnyExcept(TokenChars) < 0;

    public static bool IsFieldValue(ReadOnlySpan<byte> value) => value.IndexOfAny(NotFieldValue) < 0;

    /// <summary>
    /// Where the line at the start of <paramref name="data"/> ends: the index of its CR (followed by LF), -1 when no
    /// line end is there yet, <see cref="int.MinValue"/> at a bare CR or a bare LF.
    /// </summary>
    public static int FindLineEnd(ReadOnlySpan<byte> data)
    {
        var at = data.IndexOfAny(LineBreaks);
        if (at < 0) return -1;
        if (data[at] == (byte)'\n') return int.MinValue;   // a bare LF
        if (at + 1 == data.Length) return -1;               // its LF may be in the next read
        return data[at + 1] == (byte)'\n' ? at : int.MinValue; // else a bare CR
    }

    /// <summary>field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5): no space before the colon, no obs-fold.</summary>
    public static bool TrySplitField(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            name = value = default;
            return false;
        }

        name = line[..colon];
        value = line[(colon + 1)..].Trim("\t "u8);
        return IsToken(name) && IsFieldValue(value);
    }

    /// <summary>
    /// chunk-size [ chunk-ext ] of a chunk line without its CRLF (RFC 9112 section 7.1.1): 1 to 15 hex digits, then
    /// extensions of the form BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ], which are checked and ignored.
    /// Whitespace after the size with no extension is let through, as every peer does.
    /// </summary>
    public static bool TryParseChunkLine(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        var digits = line.IndexOfAnyExcept(HexDigits);
        if (digits < 0) digits = line.Length;
        if (digits is 0 or > MaxChunkSizeDigits) return false;
        foreach (var digit in line[..digits]) size = size * 16 + HexValue(digit);
        return IsChunkExtension(line[digits..]);
    }

    private static bool IsChunkExtension(ReadOnlySpan<byte> rest)
    {
        while (true)
        {
            rest = rest.TrimStart("\t "u8);
            if (rest.IsEmpty) return true;
            if (rest[0] != (byte)';') return false;
            rest = rest[1..].TrimStart("\t "u8);
            var name = rest.IndexOfAnyExcept(TokenChars);
            if (name < 0) name = rest.Length;
            if (name == 0) return false;
            rest = rest[name..].TrimStart("\t "u8);
            if (rest.IsEmpty || rest[0] != (byte)'=') continue;
            rest = rest[1..].TrimStart("\t "u8);
            if (rest.IsEmpty) return false;
            if (rest[0] == (byte)'"')
            {
                var end = QuotedStringEnd(rest);
                if (end < 0) return false;
                rest = rest[end..];
            }
            else
            {
                var token = rest.IndexOfAnyExcept(TokenChars);
                if (token == 0) return false;
                rest = token < 0 ? default : rest[token..];
            }
        }
    }

    // The length of the quoted-string at the start of value (RFC 9110 section 5.6.4), or -1 when it is not one.
    private static int QuotedStringEnd(ReadOnlySpan<byte> value)
    {
        for (var i = 1; i < value.Length; i++)
        {
            var b = value[i];
            if (b == (byte)'"') return i + 1;
            // qdtext, and what a quoted-pair may escape: anything but control bytes (HTAB aside) and DEL.
            if (NotFieldValue.Contains(b)) return -1;
            if (b == (byte)'\\' && (++i == value.Length || NotFieldValue.Contains(value[i]))) return -1;
        }

        return -1;
    }

    private static int HexValue(byte digit) => digit switch
    {
        <= (byte)'9' => digit - '0',
        <= (byte)'F' => digit - 'A' + 10,
        _ => digit - 'a' + 10,
    };
}
