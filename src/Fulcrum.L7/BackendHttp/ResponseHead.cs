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

    /// <summary>The length of the head at the start of <paramref name="data"/> (through its empty line), or -1 when incomplete.</summary>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        var at = data.IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : at + 4;
    }

    /// <summary>Parses a complete head; false when it is not a valid HTTP/1.x response.</summary>
    public static bool TryParse(ReadOnlySpan<byte> head, out ResponseHead result)
    {
        result = default;
        result.ContentLength = -1;
        result.End = head.Length;
        // Status line: HTTP/1.x SP 3DIGIT SP reason CRLF (the reason may be empty, and the SP before it missing).
        if (head.Length < 14 || !head.StartsWith("HTTP/1."u8) || head[8] != (byte)' ') return false;
        if (head[7] == (byte)'0') result.Http10 = true;
        else if (head[7] != (byte)'1') return false;
        if (!Utf8Parser.TryParse(head.Slice(9, 3), out int status, out var used) || used != 3 || status < 100 || status > 999) return false;
        if (head[12] is not ((byte)' ' or (byte)'\r')) return false;
        result.Status = status;
        var lineEnd = head.IndexOf("\r\n"u8);
        result.HeadersStart = lineEnd + 2;

        var lines = head[result.HeadersStart..(head.Length - 2)];
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            if (!TrySplit(line, out var name, out var value)) return false;
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var digits) || digits != value.Length || length < 0) return false;
                if (result.ContentLength >= 0 && result.ContentLength != length) return false; // RFC 9112 section 6.3, item 5
                result.ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                var last = value.LastIndexOf((byte)',');
                var coding = (last < 0 ? value : value[(last + 1)..]).Trim((byte)' ');
                result.Chunked = Ascii.EqualsIgnoreCase(coding, "chunked"u8);
                result.OtherCoding = !result.Chunked;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var token = value[range].Trim((byte)' ');
                    if (Ascii.EqualsIgnoreCase(token, "close"u8)) result.ConnectionClose = true;
                    else if (token.Length > 0 && !Ascii.EqualsIgnoreCase(token, "keep-alive"u8)) result.ConnectionNamesHeaders = true;
                }
            }
        }

        return true;
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
            TrySplit(line, out var nameBytes, out var valueBytes);
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

    private readonly HashSet<string> ConnectionTokens(ReadOnlySpan<byte> head)
    {
        var tokens = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var lines = head[HeadersStart..(head.Length - 2)];
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8);
            TrySplit(lines[..end], out var name, out var value);
            lines = lines[(end + 2)..];
            if (!Ascii.EqualsIgnoreCase(name, "Connection"u8)) continue;
            foreach (var range in value.Split((byte)','))
            {
                var token = value[range].Trim((byte)' ');
                if (token.Length > 0) tokens.Add(Encoding.Latin1.GetString(token));
            }
        }

        return tokens;
    }

    // field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5); no space before the colon, no obs-fold.
    private static bool TrySplit(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            name = value = default;
            return false;
        }

        name = line[..colon];
        value = line[(colon + 1)..].Trim("\t "u8);
        return name.IndexOfAny("\t \r\n"u8) < 0 && value.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) < 0;
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
