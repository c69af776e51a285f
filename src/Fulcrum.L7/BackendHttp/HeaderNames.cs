using System.Text;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// Header names the lean leg treats specially: hop-by-hop ones (RFC 9110 section 7.6.1, plus the legacy
/// Keep-Alive and Proxy-Connection), and common response header names kept as interned strings so parsing
/// a response allocates no name strings.
/// </summary>
internal static class HeaderNames
{
    public const string Connection = "Connection";
    public const string ContentLength = "Content-Length";
    public const string TransferEncoding = "Transfer-Encoding";
    public const string Host = "Host";
    public const string Cookie = "Cookie";

    /// <summary>Response names looked up by their bytes; the index also names the connection's value cache slot.</summary>
    public static readonly string[] Known =
    [
        "Content-Length", "Content-Type", "Date", "Server", "Connection", "Transfer-Encoding", "Keep-Alive",
        "Cache-Control", "ETag", "Last-Modified", "Expires", "Vary", "Location", "Set-Cookie", "Content-Encoding",
        "Accept-Ranges", "Age", "Pragma", "Content-Language", "Content-Disposition", "Access-Control-Allow-Origin",
        "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Trailer", "Upgrade",
        "Proxy-Connection", "TE", "X-Request-ID", "Alt-Svc", "WWW-Authenticate", "Retry-After",
    ];

    private static readonly byte[][] KnownBytes = Array.ConvertAll(Known, static n => Encoding.ASCII.GetBytes(n));

    /// <summary>True for a header that describes one connection, never forwarded to the next hop.</summary>
    public static bool IsHopByHop(string name) => name.Length switch
    {
        2 => name.Equals("TE", StringComparison.OrdinalIgnoreCase),
        7 => name.Equals("Trailer", StringComparison.OrdinalIgnoreCase) || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase),
        10 => name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase),
        16 => name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase),
        17 => name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>True for a header that describes one connection, its name given as ASCII bytes.</summary>
    public static bool IsHopByHop(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => Ascii.EqualsIgnoreCase(name, "TE"u8),
        7 => Ascii.EqualsIgnoreCase(name, "Trailer"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8),
        10 => Ascii.EqualsIgnoreCase(name, "Connection"u8) || Ascii.EqualsIgnoreCase(name, "Keep-Alive"u8),
        16 => Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8),
        17 => Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8),
        _ => false,
    };

    /// <summary>The usual spelling of the known name at <paramref name="index"/>, as ASCII bytes.</summary>
    public static ReadOnlySpan<byte> KnownSpelling(int index) => KnownBytes[index];

    /// <summary>The index of a known name spelled by <paramref name="name"/> (any case), else -1.</summary>
    public static int IndexOf(ReadOnlySpan<byte> name)
    {
        var known = KnownBytes;
        for (var i = 0; i < known.Length; i++)
        {
            var candidate = known[i];
            if (candidate.Length == name.Length && Ascii.EqualsIgnoreCase(candidate, name)) return i;
        }

        return -1;
    }
}
