using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>The request method is one of the listed ones (ignoring case, so `get` in a config means GET).</summary>
internal sealed class MethodMatcher(string[] methods) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange)
    {
        var method = exchange.Method;
        foreach (var m in methods)
        {
            if (string.Equals(m, method, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }
}
