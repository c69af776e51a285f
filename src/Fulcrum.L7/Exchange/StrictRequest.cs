using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Exchange;

/// <summary>
/// What Fulcrum refuses beyond what the front end's parser does, so that no request reaches a backend with a meaning
/// a peer could read differently (tests/Fulcrum.L7.Tests/Hardening, docs/security.md). Kestrel accepts a body framed
/// `chunked, chunked` or by two Transfer-Encoding lines (HAProxy refuses both: http_transfer_encoding.vtc), a
/// Content-Length with a sign (`+5`), and header names with separators such as `(`; RFC 9110 section 5.1 and RFC 9112
/// section 6 allow none of them.
/// </summary>
internal static class StrictRequest
{
    // RFC 9110 section 5.6.2: tchar.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly byte[] BadFraming = Encoding.ASCII.GetBytes("400 bad request: Transfer-Encoding must be chunked, once\n");
    private static readonly byte[] BadLength = Encoding.ASCII.GetBytes("400 bad request: Content-Length must be digits only\n");
    private static readonly byte[] BadName = Encoding.ASCII.GetBytes("400 bad request: a header name has a character RFC 9110 does not allow\n");

    /// <summary>The answer's body saying why the request is refused, or null when it may go on.</summary>
    public static byte[]? Problem(IHeaderDictionary headers)
    {
        var encoding = headers.TransferEncoding;
        if (encoding.Count > 0 && (encoding.Count > 1 || !string.Equals(encoding[0]?.Trim(' ', '\t'), "chunked", StringComparison.OrdinalIgnoreCase)))
        {
            return BadFraming;
        }

        var length = headers.ContentLength;
        if (length is not null && headers["Content-Length"] is { Count: 1 } text && text[0] is { } value && value.AsSpan().Trim(" \t").IndexOfAnyExceptInRange('0', '9') >= 0)
        {
            return BadLength;
        }

        foreach (var header in headers)
        {
            var name = header.Key;
            if (name.Length == 0 || name.AsSpan().IndexOfAnyExcept(TokenChars) >= 0)
            {
                // HTTP/2 pseudo-headers never reach the dictionary; anything else with a separator is refused.
                if (name.Length > 0 && name[0] == ':') continue;
                return BadName;
            }
        }

        return null;
    }
}
