using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>The request method is one of the listed ones (ignoring case, so `get` in a config means GET).</summary>
internal sealed class MethodMatcher(string[] methods) : IRequestMatcher
{
    public bool Matches(HttpContext context)
    {
        var method = context.Request.Method;
        foreach (var m in methods)
        {
            if (string.Equals(m, method, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }
}
