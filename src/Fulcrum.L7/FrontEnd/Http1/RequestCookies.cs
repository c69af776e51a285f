using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>One cookie's value from the Cookie header (RFC 6265 section 5.4: `name=value` pairs joined by `; `), found without a collection.</summary>
internal static class RequestCookies
{
    public static string? Find(StringValues header, string name)
    {
        foreach (var line in header)
        {
            if (line is null) continue;
            var rest = line.AsSpan();
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf(';');
                var pair = (end < 0 ? rest : rest[..end]).Trim(' ');
                rest = end < 0 ? default : rest[(end + 1)..];
                var equals = pair.IndexOf('=');
                if (equals <= 0 || !pair[..equals].SequenceEqual(name)) continue;
                var value = pair[(equals + 1)..];
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
                return Uri.UnescapeDataString(value.ToString());
            }
        }

        return null;
    }
}
