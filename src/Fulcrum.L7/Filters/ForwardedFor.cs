using System.Net;

namespace Fulcrum.L7.Filters;

/// <summary>
/// The `for=` nodes of a `Forwarded` header (RFC 7239), from the right: section 4 lists one element per proxy, comma
/// separated, each a `;`-list of `name=value` pairs whose value is a token or a quoted string; section 6 gives a node
/// as an IPv4 address, a bracketed and quoted IPv6 address (`"[2001:db8::1]:8080"`), either with a port, or an
/// identifier that is not an address (`unknown`, `_hidden`).
/// </summary>
internal static class ForwardedFor
{
    /// <summary>What one element's `for=` says.</summary>
    public enum Node
    {
        /// <summary>The element has no `for=`: a proxy that did not say; it is skipped.</summary>
        Absent,
        Address,
        /// <summary>`unknown`, an obfuscated identifier or garbage: the walk must stop there.</summary>
        NotAnAddress,
    }

    /// <summary>
    /// The `for=` node of the element that ends just before <paramref name="end"/> in <paramref name="value"/>; sets
    /// <paramref name="end"/> to where the element before it ends (0 when none is left).
    /// </summary>
    public static Node Previous(string value, ref int end, out IPAddress? address)
    {
        address = null;
        var start = ElementStart(value, end);
        var element = value.AsSpan(start, end - start);
        end = start == 0 ? 0 : start - 1;
        var node = Node.Absent;
        foreach (var range in element.Split(';'))
        {
            var pair = element[range].Trim(" \t");
            var equals = pair.IndexOf('=');
            if (equals < 0 || !pair[..equals].Trim(" \t").Equals("for", StringComparison.OrdinalIgnoreCase)) continue;
            node = Parse(pair[(equals + 1)..].Trim(" \t"), out address);
        }

        return node;
    }

    // The element's first character: after the last comma before end that is not inside a quoted string.
    private static int ElementStart(string value, int end)
    {
        var quoted = false;
        for (var i = end - 1; i >= 0; i--)
        {
            var c = value[i];
            if (c == '"' && (i == 0 || value[i - 1] != '\\')) quoted = !quoted;
            else if (c == ',' && !quoted) return i + 1;
        }

        return 0;
    }

    private static Node Parse(ReadOnlySpan<char> node, out IPAddress? address)
    {
        address = null;
        if (node.Length >= 2 && node[0] == '"' && node[^1] == '"') node = node[1..^1];
        if (node.Length > 0 && node[0] == '[')
        {
            // IPv6, with a port after the bracket or not.
            var close = node.IndexOf(']');
            if (close < 0 || (close + 1 < node.Length && node[close + 1] != ':')) return Node.NotAnAddress;
            node = node[1..close];
            return IPAddress.TryParse(node, out address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? Node.Address
                : Node.NotAnAddress;
        }

        var colon = node.IndexOf(':');
        if (colon >= 0) node = node[..colon];
        return IPAddress.TryParse(node, out address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? Node.Address
            : Node.NotAnAddress;
    }
}
