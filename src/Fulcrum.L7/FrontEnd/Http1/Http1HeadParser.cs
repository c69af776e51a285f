using System.Buffers;
using System.Text;
using Fulcrum.L7.BackendHttp;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// A strict reader of HTTP/1.1 request heads (RFC 9112 sections 2 to 5). Lines end in CRLF only: a bare CR or LF is
/// 400, never a line end (RFC 9112 section 2.2 allows either; the strict choice leaves no room for two parsers to
/// split a message differently). No obs-fold, no whitespace before a colon, token names, field values without control
/// bytes. Sizes follow the listener's limits: a long request line is 414, a long or crowded head 431, an unknown
/// HTTP/1.x or HTTP/2+ version 505. The framing checks then run in <see cref="Http1Framing"/>.
/// </summary>
internal static class Http1HeadParser
{
    private static readonly SearchValues<byte> Target = SearchValues.Create(BuildTargetChars());
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownNames = BuildKnownNames();
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownMethods = BuildKnownMethods();

    /// <summary>
    /// Reads the head at the start of <paramref name="data"/> into <paramref name="head"/> (cleared first). Done says
    /// how many bytes the head took; Incomplete asks for more; Refused gives the status to answer.
    /// </summary>
    public static Http1ParseResult Parse(ReadOnlySpan<byte> data, in Http1Limits limits, Http1RequestHead head)
    {
        var lineEnd = HttpSyntax.FindLineEnd(data);
        if (lineEnd == -1)
        {
            return data.Length > limits.MaxRequestLine + 1 ? Refuse(414, "the request line is too long") : Http1ParseResult.Incomplete;
        }

        if (lineEnd < 0) return Refuse(400, "a bare CR or LF in the request line");
        if (lineEnd > limits.MaxRequestLine) return Refuse(414, "the request line is too long");
        head.Clear();
        if (RequestLine(data[..lineEnd], head) is { } refused) return refused;

        var at = lineEnd + 2;
        var size = 0;
        var count = 0;
        while (true)
        {
            var rest = data[at..];
            var end = HttpSyntax.FindLineEnd(rest);
            if (end == -1)
            {
                return size + rest.Length > limits.MaxHeaderSize + 1 ? Refuse(431, "the request's header fields are too large") : Http1ParseResult.Incomplete;
            }

            if (end < 0) return Refuse(400, "a bare CR or LF in the header section");
            if (end == 0)
            {
                if (Http1Framing.Check(head) is { } framing) return framing;
                head.Keep(data[..(at + 2)]);
                return Http1ParseResult.Done(at + 2);
            }
            size += end + 2;
            if (size > limits.MaxHeaderSize) return Refuse(431, "the request's header fields are too large");
            if (++count > limits.MaxHeaders) return Refuse(431, "the request has too many header fields");
            if (Field(rest[..end], at, head) is { } bad) return bad;
            at += end + 2;
        }
    }

    // request-line = method SP request-target SP HTTP-version (RFC 9112 section 3), single spaces only.
    private static Http1ParseResult? RequestLine(ReadOnlySpan<byte> line, Http1RequestHead head)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0) return Refuse(400, "the request line is not method, target and version");
        var method = line[..space];
        if (!HttpSyntax.IsToken(method)) return Refuse(400, "the method is not a token");
        var rest = line[(space + 1)..];
        space = rest.IndexOf((byte)' ');
        if (space <= 0) return Refuse(400, "the request line is not method, target and version");
        var target = rest[..space];
        var version = rest[(space + 1)..];

        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5]) || version[6] != (byte)'.'
            || !char.IsAsciiDigit((char)version[7]))
        {
            return Refuse(400, "the version is not HTTP/1.1");
        }

        if (version[5] != (byte)'1' || version[7] is not ((byte)'0' or (byte)'1')) return Refuse(505, "only HTTP/1.0 and HTTP/1.1 are served here");
        head.Http10 = version[7] == (byte)'0';
        head.KeepAlive = !head.Http10;

        // Visible ASCII without '#': a fragment is never sent (RFC 9112 section 3.2), and bytes past 0x7E are not a URI.
        if (target.IndexOfAnyExcept(Target) >= 0) return Refuse(400, "the request target has a character a URI does not allow");
        head.Method = Intern(method, KnownMethods);
        head.Target = head.LastTarget = Reuse(target, head.LastTarget);
        if (target[0] == (byte)'/') return Split(head, head.Target);
        if (target.SequenceEqual("*"u8) && HttpMethods.IsOptions(head.Method))
        {
            head.RawPath = "*";
            return null;
        }

        if (HttpMethods.IsConnect(head.Method)) return Refuse(405, "CONNECT is not served here");
        if (StartsWithIgnoreCase(target, "http://"u8) || StartsWithIgnoreCase(target, "https://"u8)) return null; // Http1Framing checks it against Host
        return Refuse(400, "the request target is not a path, an absolute URI or *");
    }

    /// <summary>Sets the path and query of an origin-form target.</summary>
    public static Http1ParseResult? Split(Http1RequestHead head, string pathAndQuery)
    {
        var query = pathAndQuery.IndexOf('?');
        head.RawPath = query < 0 ? pathAndQuery : pathAndQuery[..query];
        head.RawQuery = query < 0 ? "" : pathAndQuery[query..];
        return null;
    }

    // field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5). The line stays bytes (its place is
    // recorded); only the fields the framing checks read become strings here.
    private static Http1ParseResult? Field(ReadOnlySpan<byte> line, int at, Http1RequestHead head)
    {
        if (line[0] is (byte)' ' or (byte)'\t') return Refuse(400, "a header line starts with whitespace (obs-fold)");
        var colon = line.IndexOf((byte)':');
        if (colon < 0) return Refuse(400, "a header line has no colon");
        var name = line[..colon];
        if (!HttpSyntax.IsToken(name)) return Refuse(400, "a header name is not a token (or has whitespace before its colon)");
        var rest = line[(colon + 1)..];
        var leading = rest.Length - rest.TrimStart("\t "u8).Length;
        var value = rest.Trim("\t "u8);
        if (!HttpSyntax.IsFieldValue(value)) return Refuse(400, "a header value has a control character");
        var known = Known(name);
        // An empty framing field would vanish from the dictionary, and with it the sign that the framing is broken.
        if (value.IsEmpty && (ReferenceEquals(known, "Content-Length") || ReferenceEquals(known, "Transfer-Encoding")))
            return Refuse(400, $"an empty {known}");
        // obs-text (RFC 9110 section 5.5) is refused, as Kestrel does, so both front ends pass the same requests on.
        if (value.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0) return Refuse(400, "a header value has a byte outside ASCII");
        head.AddField(new Http1Field(at, colon, at + colon + 1 + leading, value.Length, known));
        if (known is not null) Framing(known, value, head);
        return null;
    }

    private static void Framing(string known, ReadOnlySpan<byte> value, Http1RequestHead head)
    {
        switch (known)
        {
            case "Host":
                head.HostField = head.HostField.Count == 0 ? new(head.LastHost = Reuse(value, head.LastHost)) : Concat(head.HostField, value);
                break;
            case "Content-Length":
                head.ContentLengthField = Concat(head.ContentLengthField, value);
                break;
            case "Transfer-Encoding":
                head.TransferEncodingField = Concat(head.TransferEncodingField, value);
                break;
            case "Connection":
                head.ConnectionField = Concat(head.ConnectionField, value);
                break;
            case "Expect":
                head.ExpectField = Concat(head.ExpectField, value);
                break;
            case "Cookie":
                if (head.CookieSeen) head.RepeatedCookie = true;
                head.CookieSeen = true;
                break;
        }
    }

    private static Microsoft.Extensions.Primitives.StringValues Concat(Microsoft.Extensions.Primitives.StringValues existing, ReadOnlySpan<byte> value)
    {
        var text = value.IsEmpty ? "" : Encoding.ASCII.GetString(value);
        return existing.Count == 0 ? new Microsoft.Extensions.Primitives.StringValues(text) : Microsoft.Extensions.Primitives.StringValues.Concat(existing, text);
    }

    // A keep-alive client tends to send the same target and Host request after request: the last one's string is reused.
    private static string Reuse(ReadOnlySpan<byte> value, string? last) =>
        last is not null && last.Length == value.Length && Ascii.Equals(value, last) ? last : value.IsEmpty ? "" : Encoding.ASCII.GetString(value);

    // The usual spelling of a known name (interned), or null.
    private static string? Known(ReadOnlySpan<byte> token)
    {
        if (token.Length > 32) return null;
        Span<char> chars = stackalloc char[token.Length];
        for (var i = 0; i < token.Length; i++) chars[i] = (char)token[i];
        return KnownNames.TryGetValue(chars, out var name) ? name : null;
    }

    private static string Intern(ReadOnlySpan<byte> token, Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> known)
    {
        if (token.Length <= 64)
        {
            Span<char> chars = stackalloc char[token.Length];
            for (var i = 0; i < token.Length; i++) chars[i] = (char)token[i];
            if (known.TryGetValue(chars, out var name)) return name;
            return new string(chars);
        }

        return Encoding.ASCII.GetString(token);
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prefix) =>
        value.Length >= prefix.Length && Ascii.EqualsIgnoreCase(value[..prefix.Length], prefix);

    private static Http1ParseResult Refuse(int status, string reason) => Http1ParseResult.Refuse(status, reason);

    private static byte[] BuildTargetChars()
    {
        var chars = new List<byte>();
        for (var b = 0x21; b <= 0x7E; b++)
        {
            if (b != '#') chars.Add((byte)b);
        }

        return [.. chars];
    }

    // Names are case-insensitive; a request that writes one the usual way gets the interned string, no allocation.
    private static Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BuildKnownNames()
    {
        string[] names =
        [
            "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Connection", "Content-Length",
            "Content-Type", "Transfer-Encoding", "Cookie", "Authorization", "Cache-Control", "Pragma", "Referer", "Origin",
            "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range", "Expect", "Upgrade",
            "TE", "Keep-Alive", "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP",
            "X-Request-ID", "Content-Encoding", "Via", "DNT", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-Dest",
            "Upgrade-Insecure-Requests", "Priority", "traceparent", "tracestate", "baggage",
        ];
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names) map[name] = name;
        return map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    // Methods are case-sensitive (RFC 9110 section 9.1): only the exact spelling is interned.
    private static Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BuildKnownMethods()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var method in (string[])[HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Head,
                     HttpMethods.Options, HttpMethods.Patch, HttpMethods.Trace, HttpMethods.Connect])
        {
            map[method] = method;
        }

        return map.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
