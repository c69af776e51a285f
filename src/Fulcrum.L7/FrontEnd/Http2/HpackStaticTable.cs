using System.Collections.Frozen;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// HPACK's static table (RFC 7541 Appendix A), indices 1 to 61. Names are kept in the casing the rest of Fulcrum uses
/// (HeaderNames: `Content-Type`), so a header decoded from the table needs no string of its own; HTTP/2 itself is
/// lowercase on the wire, and the encoder lowercases.
/// </summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    private static readonly HpackEntry[] Entries =
    [
        new(":authority", ""),
        new(":method", "GET"),
        new(":method", "POST"),
        new(":path", "/"),
        new(":path", "/index.html"),
        new(":scheme", "http"),
        new(":scheme", "https"),
        new(":status", "200"),
        new(":status", "204"),
        new(":status", "206"),
        new(":status", "304"),
        new(":status", "400"),
        new(":status", "404"),
        new(":status", "500"),
        new("Accept-Charset", ""),
        new("Accept-Encoding", "gzip, deflate"),
        new("Accept-Language", ""),
        new("Accept-Ranges", ""),
        new("Accept", ""),
        new("Access-Control-Allow-Origin", ""),
        new("Age", ""),
        new("Allow", ""),
        new("Authorization", ""),
        new("Cache-Control", ""),
        new("Content-Disposition", ""),
        new("Content-Encoding", ""),
        new("Content-Language", ""),
        new("Content-Length", ""),
        new("Content-Location", ""),
        new("Content-Range", ""),
        new("Content-Type", ""),
        new("Cookie", ""),
        new("Date", ""),
        new("ETag", ""),
        new("Expect", ""),
        new("Expires", ""),
        new("From", ""),
        new("Host", ""),
        new("If-Match", ""),
        new("If-Modified-Since", ""),
        new("If-None-Match", ""),
        new("If-Range", ""),
        new("If-Unmodified-Since", ""),
        new("Last-Modified", ""),
        new("Link", ""),
        new("Location", ""),
        new("Max-Forwards", ""),
        new("Proxy-Authenticate", ""),
        new("Proxy-Authorization", ""),
        new("Range", ""),
        new("Referer", ""),
        new("Refresh", ""),
        new("Retry-After", ""),
        new("Server", ""),
        new("Set-Cookie", ""),
        new("Strict-Transport-Security", ""),
        new("Transfer-Encoding", ""),
        new("User-Agent", ""),
        new("Vary", ""),
        new("Via", ""),
        new("WWW-Authenticate", ""),
    ];

    /// <summary>Each name's first index, case-insensitively, for the encoder.</summary>
    private static readonly FrozenDictionary<string, int> NameIndex = BuildNameIndex();

    /// <summary>The entry at <paramref name="index"/> (1-based, as on the wire).</summary>
    public static HpackEntry Get(int index) => Entries[index - 1];

    /// <summary>The first index whose name is <paramref name="name"/> (any case), or 0.</summary>
    public static int IndexOfName(string name) => NameIndex.TryGetValue(name, out var index) ? index : 0;

    private static FrozenDictionary<string, int> BuildNameIndex()
    {
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = Entries.Length; i >= 1; i--) names[Entries[i - 1].Name] = i;
        return names.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
