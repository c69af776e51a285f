using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>The decoded path starts with the prefix, case-sensitively (a plain string prefix, like nginx's `location /api`).</summary>
internal sealed class PathPrefixMatcher(string prefix) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange)
    {
        var path = exchange.Path.Value;
        return path is not null && path.StartsWith(prefix, StringComparison.Ordinal);
    }
}
