using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// Parses the two address forms of the config: a bind (an IP literal and a port, IPv6 in brackets as in
/// RFC 3986's authority syntax) and a backend address (a host name or IP literal and a port 1-65535).
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

    public static bool TryParseBackend(string text, out string host, out int port, out string error)
    {
        port = 0;
        host = "";
        if (text.Contains("://", StringComparison.Ordinal))
        {
            // The data planes add the scheme themselves; re-encryption is the pool's `tls`, for all its backends.
            error = $"address '{text}' must be host:port without a scheme; to use TLS to the backends, give the pool 'tls: {{}}'";
            return false;
        }

        if (!TrySplit(text, out host, out var portText, out var bracketed, out error)) return false;
        var kind = Uri.CheckHostName(host);
        var valid = bracketed ? kind == UriHostNameType.IPv6 : kind is UriHostNameType.Dns or UriHostNameType.IPv4;
        if (!valid)
        {
            error = $"address '{text}' must be a host name or IP address and a port, like 10.0.0.5:8080, api.internal:80 or [::1]:8080";
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
