using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// Parses the two address forms of the config: a bind (an IP literal and a port, IPv6 in brackets as in
/// RFC 3986's authority syntax) and a backend address (a host name or IP literal and a port 1-65535, optionally
/// behind an http:// or https:// scheme).
/// Errors are returned as text for the caller to place.
/// </summary>
public static class AddressParser
{
    public static bool TryParseBind(string text, out BindAddress bind, out string error)
    {
        bind = null!;
        if (!TrySplit(text, out var host, out var portText, out var bracketed, out error)) return false;
        if (!IPAddress.TryParse(host, out var ip) || (!bracketed && ip.AddressFamily == AddressFamily.InterNetworkV6))
        {
            error = $"bind '{text}' must be an IP address and a port, like 127.0.0.1:8080, 0.0.0.0:80 or [::1]:8080 (host names are not allowed)";
            return false;
        }

        if (!TryPort(portText, min: 0, out var port))
        {
            error = $"port '{portText}' in '{text}' must be a number from 0 to 65535";
            return false;
        }

        bind = new BindAddress(ip, port);
        return true;
    }

    /// <summary>
    /// A backend address: host:port, or a URL prefix `http://host[:port]` or `https://host[:port]` (the port defaults
    /// to 80 or 443; one trailing slash is allowed, a path is not). <paramref name="hostPort"/> is the address without
    /// its scheme, with the port filled in; it is what the data planes connect to and the backend's default id.
    /// </summary>
    public static bool TryParseBackendUrl(string text, out BackendScheme scheme, out string hostPort, out string error)
    {
        hostPort = text;
        scheme = BackendScheme.None;
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator >= 0)
        {
            var name = text[..separator];
            if (name.Equals("https", StringComparison.OrdinalIgnoreCase)) scheme = BackendScheme.Https;
            else if (name.Equals("http", StringComparison.OrdinalIgnoreCase)) scheme = BackendScheme.Http;
            else
            {
                error = $"address '{text}' has scheme '{name}://'; use host:port, http://host:port or https://host:port";
                return false;
            }

            var rest = text[(separator + 3)..];
            if (rest.EndsWith('/')) rest = rest[..^1];
            if (rest.IndexOfAny(['/', '?', '#', '@']) >= 0)
            {
                error = $"address '{text}' must be a scheme, a host and a port only, like https://10.0.0.1:8443 (no path, query or user)";
                return false;
            }

            // No port after the host (IPv6 literals are bracketed): the scheme's default one.
            var hasPort = rest.StartsWith('[') ? !rest.EndsWith(']') : rest.Contains(':');
            hostPort = hasPort ? rest : $"{rest}:{(scheme == BackendScheme.Https ? 443 : 80)}";
        }

        if (TryParseBackend(hostPort, out string _, out int _, out error)) return true;
        // Name what the user wrote, not the host:port made of it.
        if (!ReferenceEquals(hostPort, text)) error = error.Replace($"'{hostPort}'", $"'{text}'", StringComparison.Ordinal);
        return false;
    }

    public static bool TryParseBackend(string text, out string host, out int port, out string error)
    {
        port = 0;
        host = "";
        if (text.Contains("://", StringComparison.Ordinal))
        {
            error = $"address '{text}' must be host:port here, without a scheme";
            return false;
        }

        if (!TrySplit(text, out host, out var portText, out var bracketed, out error)) return false;
        var kind = Uri.CheckHostName(host);
        var valid = bracketed ? kind == UriHostNameType.IPv6 : kind is UriHostNameType.Dns or UriHostNameType.IPv4;
        if (!valid)
        {
            error = $"address '{text}' must be a host name or IP address and a port, like 10.0.0.5:8080, api.internal:80, [::1]:8080 or https://10.0.0.5:8443";
            return false;
        }

        if (!TryPort(portText, min: 1, out port))
        {
            error = $"port '{portText}' in '{text}' must be a number from 1 to 65535";
            return false;
        }

        return true;
    }

    private static bool TrySplit(string text, out string host, out string port, out bool bracketed, out string error)
    {
        host = port = error = "";
        bracketed = text.StartsWith('[');
        int colon;
        if (bracketed)
        {
            var close = text.IndexOf(']');
            colon = close + 1;
            if (close < 0 || colon >= text.Length || text[colon] != ':')
            {
                error = $"'{text}' needs a port after the bracketed IPv6 address, like [::1]:8080";
                return false;
            }

            host = text[1..close];
        }
        else
        {
            colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"'{text}' needs a port, like {text}:8080";
                return false;
            }

            host = text[..colon];
            if (host.Contains(':'))
            {
                error = $"'{text}' looks like an IPv6 address; put it in brackets, like [::1]:8080";
                return false;
            }
        }

        port = text[(colon + 1)..];
        return true;
    }

    private static bool TryPort(string text, int min, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port >= min && port <= 65535;
}
