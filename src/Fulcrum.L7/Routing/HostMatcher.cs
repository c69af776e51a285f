using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>
/// The request's host (Host header or :authority, without the port) equals one of the names, ignoring case.
/// `*.example.com` matches one or more labels in front of example.com but not example.com itself,
/// like Envoy's virtual host domains and nginx's server_name wildcards.
/// </summary>
internal sealed class HostMatcher : IRequestMatcher
{
    private readonly string[] _exact;
    private readonly string[] _suffixes; // ".example.com" for "*.example.com"

    public HostMatcher(IEnumerable<string> hosts)
    {
        var exact = new List<string>();
        var suffixes = new List<string>();
        foreach (var host in hosts)
        {
            if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                suffixes.Add(host[1..]);
            }
            else
            {
                exact.Add(host);
            }
        }

        _exact = [.. exact];
        _suffixes = [.. suffixes];
    }

    public bool Matches(HttpExchange exchange)
    {
        var host = exchange.Host.Host.AsSpan();
        if (host.EndsWith(".")) host = host[..^1]; // fully qualified form, "example.com."
        foreach (var name in _exact)
        {
            if (host.Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
        }

        foreach (var suffix in _suffixes)
        {
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }
}
