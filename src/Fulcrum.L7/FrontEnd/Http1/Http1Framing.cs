using System.Buffers;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// The checks on a whole request head that decide where its body ends and who it is for (RFC 9112 sections 3.2 and
/// 6, RFC 9110 section 8.6), strict where peers may differ, as HAProxy is (reg-tests/http-messaging): one Host (none
/// is 400 in HTTP/1.1), one Content-Length of digits only, Transfer-Encoding only as a single `chunked` in HTTP/1.1 and
/// never with Content-Length. What a second parser could read another way is refused, not repaired.
/// </summary>
internal static class Http1Framing
{
    // RFC 3986 section 3.2.2 and 3.2.3: reg-name, IP-literal and port characters.
    private static readonly SearchValues<char> HostChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:[]%");

    /// <summary>Null when the head may be served; else the refusal.</summary>
    public static Http1ParseResult? Check(Http1RequestHead head)
    {
        var host = head.HostField;
        if (host.Count > 1) return Refuse(400, "more than one Host");
        if (host.Count == 0 && !head.Http10) return Refuse(400, "HTTP/1.1 needs a Host");
        if (host.Count == 1)
        {
            var value = host[0] ?? "";
            if (value.AsSpan().IndexOfAnyExcept(HostChars) >= 0) return Refuse(400, "the Host is not a host name and port");
            head.Host = value;
        }

        if (head.RawPath.Length == 0 && head.Target.Length > 0 && Absolute(head) is { } wrongHost) return wrongHost;

        var length = head.ContentLengthField;
        var encoding = head.TransferEncodingField;
        if (encoding.Count > 0)
        {
            if (head.Http10) return Refuse(400, "Transfer-Encoding in an HTTP/1.0 request");
            if (length.Count > 0) return Refuse(400, "both Transfer-Encoding and Content-Length");
            if (encoding.Count > 1) return Refuse(400, "Transfer-Encoding more than once");
            var coding = (encoding[0] ?? "").AsSpan();
            if (coding.Contains(',')) return Refuse(400, "Transfer-Encoding must be chunked alone");
            if (!coding.Equals("chunked", StringComparison.OrdinalIgnoreCase)) return Refuse(501, "the only transfer coding served is chunked");
            head.Framing = Http1BodyFraming.Chunked;
        }
        else if (length.Count > 0)
        {
            if (length.Count > 1) return Refuse(400, "Content-Length more than once");
            var digits = (length[0] ?? "").AsSpan();
            // 18 digits cannot overflow a long.
            if (digits.Length is 0 or > 18 || digits.IndexOfAnyExceptInRange('0', '9') >= 0) return Refuse(400, "Content-Length must be digits only");
            head.ContentLength = long.Parse(digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            if (head.ContentLength > 0) head.Framing = Http1BodyFraming.Length;
        }

        ConnectionOptions(head, head.ConnectionField);
        if (head.Framing != Http1BodyFraming.None && head.ExpectField is { Count: 1 } expect
            && string.Equals(expect[0], "100-continue", StringComparison.OrdinalIgnoreCase))
        {
            head.ExpectContinue = !head.Http10;
        }

        return null;
    }

    // Connection's options (RFC 9110 section 7.6.1): close, keep-alive (HTTP/1.0), upgrade.
    private static void ConnectionOptions(Http1RequestHead head, StringValues connection)
    {
        foreach (var value in connection)
        {
            foreach (var range in (value ?? "").AsSpan().Split(','))
            {
                var option = (value ?? "").AsSpan()[range].Trim(" \t");
                if (option.Equals("close", StringComparison.OrdinalIgnoreCase)) head.KeepAlive = false;
                else if (option.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) && head.Http10) head.KeepAlive = true;
                else if (option.Equals("upgrade", StringComparison.OrdinalIgnoreCase)) head.Upgrade = true;
            }
        }
    }

    // absolute-form (RFC 9112 section 3.2.2): its authority must be the Host, so nobody routes by one and forwards the other.
    private static Http1ParseResult? Absolute(Http1RequestHead head)
    {
        var target = head.Target;
        var start = target.IndexOf("://", StringComparison.Ordinal) + 3;
        var slash = target.IndexOfAny(['/', '?'], start);
        var authority = slash < 0 ? target[start..] : target[start..slash];
        if (authority.Length == 0 || authority.Contains('@')) return Refuse(400, "the absolute target has no host");
        if (!string.Equals(authority, head.Host, StringComparison.OrdinalIgnoreCase)) return Refuse(400, "the absolute target names another host than Host");
        var rest = slash < 0 ? "/" : target[slash..];
        if (rest[0] == '?') rest = "/" + rest;
        return Http1HeadParser.Split(head, rest);
    }

    private static Http1ParseResult Refuse(int status, string reason) => Http1ParseResult.Refuse(status, reason);
}
