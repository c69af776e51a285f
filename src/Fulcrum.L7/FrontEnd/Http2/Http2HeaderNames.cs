using System.Collections.Frozen;
using System.Text;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// Field names as HTTP/2 carries them: lowercase tokens, or a pseudo-header (RFC 9113 section 8.2.1 and 8.3). Common
/// names map to one shared string in the casing the rest of Fulcrum uses, so decoding them allocates nothing.
/// </summary>
internal static class Http2HeaderNames
{
    private static readonly FrozenDictionary<string, string> Known = Build();
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars = Known.GetAlternateLookup<ReadOnlySpan<char>>();

    private static FrozenDictionary<string, string> Build()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i <= HpackStaticTable.Count; i++)
        {
            var name = HpackStaticTable.Get(i).Name;
            names.TryAdd(name.ToLowerInvariant(), name);
        }

        foreach (var name in (ReadOnlySpan<string>)[
            "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Origin", "Pragma", "TE", "Connection",
            "Keep-Alive", "Upgrade", "Upgrade-Insecure-Requests", "X-Requested-With", "Forwarded", "baggage",
            "traceparent", "tracestate", "grpc-encoding", "grpc-accept-encoding", "grpc-timeout", "Sec-Fetch-Site",
            "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User", "DNT", "priority", "X-Real-IP", "X-Request-ID",
            "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "Proxy-Connection"])
        {
            names.TryAdd(name.ToLowerInvariant(), name);
        }

        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The shared string for a known name, else a new one (Latin-1, as sent).</summary>
    public static string Intern(ReadOnlySpan<byte> raw)
    {
        if (raw.Length <= 64)
        {
            Span<char> chars = stackalloc char[raw.Length];
            for (var i = 0; i < raw.Length; i++) chars[i] = (char)raw[i];
            if (ByChars.TryGetValue(chars, out var known)) return known;
        }

        return Encoding.Latin1.GetString(raw);
    }

    /// <summary>A lowercase token (RFC 9110 section 5.1), or `:` and one for a pseudo-header; never empty.</summary>
    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty) return false;
        if (name[0] == ':') name = name[1..];
        if (name.IsEmpty) return false;
        return name.IndexOfAnyInRange((byte)'A', (byte)'Z') < 0 && BackendHttp.HttpSyntax.IsToken(name);
    }
}
