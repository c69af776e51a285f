using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `transforms.strip-prefix` then `transforms.add-prefix` on the path the backend sees (<see cref="HttpExchange.BackendPath"/>;
/// the access log keeps the client's). A prefix is stripped only at a segment boundary: strip `/api` turns `/api/users`
/// into `/users` and `/api` into `/`, and leaves `/apix` alone.
/// </summary>
internal sealed class PathRewriteFilter : HttpFilter
{
    private readonly PathString _strip;
    private readonly PathString _add;

    private PathRewriteFilter(PathString strip, PathString add)
    {
        _strip = strip;
        _add = add;
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    /// <summary>The filter, or null when the route rewrites nothing.</summary>
    public static PathRewriteFilter? Create(string? strip, string? add)
    {
        var s = Normalize(strip);
        var a = Normalize(add);
        return s.HasValue || a.HasValue ? new PathRewriteFilter(s, a) : null;
    }

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        exchange.BackendPath = Apply(exchange.BackendPath);
        return Continue;
    }

    public PathString Apply(PathString path)
    {
        if (_strip.HasValue && path.StartsWithSegments(_strip, StringComparison.Ordinal, out var rest))
        {
            path = rest.HasValue ? rest : new PathString("/");
        }

        return _add.HasValue ? _add.Add(path) : path;
    }

    // "/api/" and "api" both mean "/api"; "/" and "" mean nothing to do.
    private static PathString Normalize(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix)) return PathString.Empty;
        var trimmed = prefix.TrimEnd('/');
        if (trimmed.Length == 0) return PathString.Empty;
        return new PathString(trimmed.StartsWith('/') ? trimmed : "/" + trimmed);
    }
}
