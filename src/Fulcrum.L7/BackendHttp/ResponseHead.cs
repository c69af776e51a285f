using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// A backend's response head (RFC 9112 sections 4 and 5), parsed in place from the connection's buffer: the
/// status, and what decides the body's framing (section 6.3) and the connection's reuse. Headers are copied to
/// the client's response by <see cref="CopyTo"/>, minus hop-by-hop ones, after the retry check saw the status.
/// </summary>
internal struct ResponseHead
{
    public int Status;
    /// <summary>An HTTP/1.0 answer: the connection is not reused (no keep-alive negotiation on this leg).</summary>
    public bool Http10;
    /// <summary>-1 when the backend sent none.</summary>
    public long ContentLength;
    public bool Chunked;
    /// <summary>A transfer coding other than chunked last: the body runs to the end of the connection.</summary>
    public bool OtherCoding;
    public bool ConnectionClose;
    /// <summary>The Connection header named other headers, which are then not forwarded.</summary>
    public bool ConnectionNamesHeaders;
    /// <summary>Where the header lines start and where the head ends (after the empty line), in the buffer.</summary>
    public int HeadersStart;
    public int End;

    /// <summary><see cref="FindEnd"/>'s answer when the bytes so far can begin no valid head.</summary>
    public const int Invalid = -2;

    /// <summary>
    /// The length of the head at the start of <paramref name="data"/> (through its empty line), -1 when incomplete, or
    /// <see cref="Invalid"/> as soon as the bytes so far cannot be the start of one: not "HTTP/1.", a bare CR or LF,
    /// a status line that does not parse. So a backend that sends garbage and holds the connection gets its 502 at
    /// once instead of a 504 at the request-timeout.
    /// </summary>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        var version = "HTTP/1."u8;
        if (!version.StartsWith(data[..Math.Min(data.Length, version.Length)])) return Invalid;
        var lineStart = 0;
        while (true)
        {
            var end = HttpSyntax.FindLineEnd(data[lineStart..]);
            if (end == -1) return -1;
            if (end < 0) return Invalid;
            if (end == 0) return lineStart + 2; // the empty line (the status line, first, is never empty)
            if (lineStart == 0 && !TryParseStatusLine(data[..end], out _, out _)) return Invalid;
            lineStart += end + 2;
        }
    }

    /// <summary>Parses a complete head; false when it is not a valid HTTP/1.x response.</summary>
    public static bool TryParse(ReadOnlySpan<byte> head, out ResponseHead result)
    {
        result = default;
        result.ContentLength = -1;
        result.End = head.Length;
        var lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd < 0 || !TryParseStatusLine(head[..lineEnd], out result.Status, out result.Http10)) return false;
        result.HeadersStart = lineEnd + 2;

        var chunkedCodings = 0;
        var lines = head[result.HeadersStart..(head.Length - 2)];
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            if (!HttpSyntax.TrySplitField(line, out var name, out var value)) return false;
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                // 1*DIGIT: no sign, no list (a repeated equal value arrives as its own line).
                if (value.IndexOfAnyExcept("0123456789"u8) >= 0 || !Utf8Parser.TryParse(value, out long length, out var digits) || digits != value.Length) return false;
                if (result.ContentLength >= 0 && result.ContentLength != length) return false; // RFC 9112 section 6.3, item 5
                result.ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                // The last coding decides the framing (RFC 9112 section 6.3, item 4); chunked twice is never valid (section 6.1).
                var last = default(ReadOnlySpan<byte>);
                foreach (var range in value.Split((byte)','))
                {
                    var coding = value[range].Trim("\t "u8);
                    if (coding.Length == 0) continue;
                    if (Ascii.EqualsIgnoreCase(coding, "chunked"u8)) chunkedCodings++;
                    last = coding;
                }

                if (last.Length == 0) continue;
                result.Chunked = Ascii.EqualsIgnoreCase(last, "chunked"u8);
                result.OtherCoding = !result.Chunked;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var token = value[range].Trim("\t "u8);
                    if (Ascii.EqualsIgnoreCase(token, "close"u8)) result.ConnectionClose = true;
                    else if (token.Length > 0 && !Ascii.EqualsIgnoreCase(token, "keep-alive"u8)) result.ConnectionNamesHeaders = true;
                }
            }
        }

        if (chunkedCodings > 1) return false;
        // Both framings at once may be an attempt to split the response (RFC 9112 section 6.3, item 3): the coding wins
        // and the connection, whose next bytes two readers could disagree on, is not used again.
        if ((result.Chunked || result.OtherCoding) && result.ContentLength >= 0) result.ConnectionClose = true;
        return true;
    }

    /// <summary>
    /// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4), the status 100 to 599
    /// (RFC 9110 section 15), the reason free of control bytes; "HTTP/1.1 200" without the second space is let through.
    /// </summary>
    private static bool TryParseStatusLine(ReadOnlySpan<byte> line, out int status, out bool http10)
    {
        status = 0;
        http10 = false;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ') return false;
        if (line[7] == (byte)'0') http10 = true;
        else if (line[7] != (byte)'1') return false;
        for (var i = 9; i < 12; i++)
        {
            if (!char.IsAsciiDigit((char)line[i])) return false;
            status = status * 10 + (line[i] - '0');
        }

        if (status is < 100 or > 599) return false;
        return line.Length == 12 || (line[12] == (byte)' ' && HttpSyntax.IsFieldValue(line[13..]));
    }

    /// <summary>True when the response has no body whatever its headers say (RFC 9112 section 6.3, item 1).</summary>
    public readonly bool HasNoBody(bool head) => head || Status is 204 or 304 || Status < 200;

    /// <summary>
    /// Copies the end-to-end headers to <paramref name="headers"/>: interned names, values reused from the
    /// connection's cache when the backend repeats them. With a transfer coding, Content-Length is dropped
    /// (RFC 9112 section 6.3, item 3) and Kestrel frames the body itself.
    /// </summary>
    public readonly void CopyTo(ReadOnlySpan<byte> head, IHeaderDictionary headers, BackendConnection connection)
    {
        var connectionTokens = ConnectionNamesHeaders ? ConnectionTokens(head) : null;
        var lines = head[HeadersStart..(head.Length - 2)];
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            HttpSyntax.TrySplitField(line, out var nameBytes, out var valueBytes);
            var known = HeaderNames.IndexOf(nameBytes);
            string name;
            string value;
            if (known >= 0)
            {
                name = HeaderNames.Known[known];
                if (HeaderNames.IsHopByHop(name)) continue;
                if ((Chunked || OtherCoding || Status == 204) && known == 0) continue; // beside a transfer coding, or on a 204 (RFC 9110 section 8.6)
                var cached = connection.ValueCache[known];
                if (cached is not null && Matches(cached, valueBytes)) value = cached;
                else connection.ValueCache[known] = value = Encoding.Latin1.GetString(valueBytes);
            }
            else
            {
                name = Encoding.Latin1.GetString(nameBytes);
                if (connectionTokens is not null && connectionTokens.Contains(name)) continue;
                value = Encoding.Latin1.GetString(valueBytes);
            }

            if (headers.TryGetValue(name, out var existing)) headers[name] = StringValues.Concat(existing, value);
            else headers[name] = value;
        }
    }

    /// <summary>
    /// Writes the end-to-end header lines <see cref="CopyTo"/> would put in a dictionary, as bytes: each `Name: value`
    /// CRLF, known names in their usual spelling, the rest as the backend sent them. <paramref name="destination"/>
    /// needs <paramref name="head"/>'s length plus one byte a line (a line sent as `Name:value`).
    /// </summary>
    public readonly int WriteFields(ReadOnlySpan<byte> head, Span<byte> destination)
    {
        var connectionTokens = ConnectionNamesHeaders ? ConnectionTokens(head) : null;
        var lines = head[HeadersStart..(head.Length - 2)];
        var at = 0;
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            HttpSyntax.TrySplitField(line, out var nameBytes, out var valueBytes);
            var known = HeaderNames.IndexOf(nameBytes);
            if (known >= 0)
            {
                if (HeaderNames.IsHopByHop(HeaderNames.Known[known])) continue;
                if ((Chunked || OtherCoding || Status == 204) && known == 0) continue; // as in CopyTo
                nameBytes = HeaderNames.KnownSpelling(known);
            }
            else if (connectionTokens is not null && connectionTokens.Contains(Encoding.Latin1.GetString(nameBytes))) continue;

            nameBytes.CopyTo(destination[at..]);
            at += nameBytes.Length;
            destination[at++] = (byte)':';
            destination[at++] = (byte)' ';
            valueBytes.CopyTo(destination[at..]);
            at += valueBytes.Length;
            destination[at++] = (byte)'\r';
            destination[at++] = (byte)'\n';
        }

        return at;
    }

    /// <summary>The room <see cref="WriteFields"/> needs for <paramref name="head"/>.</summary>
    public static int FieldsRoom(ReadOnlySpan<byte> head) => head.Length + head.Length / 3 + 2;

    private readonly HashSet<string> ConnectionTokens(ReadOnlySpan<byte> head)
    {
        var tokens = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var lines = head[HeadersStart..(head.Length - 2)];
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            HttpSyntax.TrySplitField(lines[..end], out var name, out var value);
            lines = lines[(end + 2)..];
            if (!Ascii.EqualsIgnoreCase(name, "Connection"u8)) continue;
            foreach (var range in value.Split((byte)','))
            {
                var token = value[range].Trim("\t "u8);
                if (token.Length > 0) tokens.Add(Encoding.Latin1.GetString(token));
            }
        }

        return tokens;
    }

    private static bool Matches(string cached, ReadOnlySpan<byte> value)
    {
        if (cached.Length != value.Length) return false;
        for (var i = 0; i < value.Length; i++)
        {
            if (cached[i] != value[i]) return false;
        }

        return true;
    }
}
