using System.Text.RegularExpressions;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `transforms.rewrite`, then `strip-prefix`, then `add-prefix` on the path the backend sees
/// (<see cref="HttpExchange.BackendPath"/>; the access log keeps the client's). `rewrite` is nginx's `rewrite REGEX
/// REPLACEMENT` for the path: when its regex is found in the client's decoded path, the path becomes `to` with the
/// regex's captures filled in; otherwise it stays. A prefix is stripped only at a segment boundary: strip `/api` turns
/// `/api/users` into `/users` and `/api` into `/`, and leaves `/apix` alone. The query is always kept.
/// </summary>
internal sealed class PathRewriteFilter : HttpFilter
{
    private readonly PathString _strip;
    private readonly PathString _add;
    private readonly Regex? _regex;
    private readonly TemplateRenderer? _to;
    private readonly PathString _literalTo;

    private PathRewriteFilter(PathString strip, PathString add, Regex? regex, ValueTemplate? to)
    {
        _strip = strip;
        _add = add;
        _regex = regex;
        if (to is null) return;
        if (to.HasVariables) _to = TemplateRenderer.For(to, regex, TemplateTarget.Path);
        else _literalTo = new PathString(to.Plain);
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    /// <summary>The filter, or null when the route rewrites nothing.</summary>
    public static PathRewriteFilter? Create(string? strip, string? add, Regex? regex = null, ValueTemplate? to = null)
    {
        var s = Normalize(strip);
        var a = Normalize(add);
        return s.HasValue || a.HasValue || regex is not null ? new PathRewriteFilter(s, a, regex, to) : null;
    }

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var path = exchange.BackendPath;
        if (_regex is not null) path = Rewrite(exchange, path);
        exchange.BackendPath = Apply(path);
        return Continue;
    }

    private PathString Rewrite(HttpExchange exchange, PathString path)
    {
        Match match;
        try
        {
            match = _regex!.Match(path.Value ?? "");
        }
        catch (RegexMatchTimeoutException)
        {
            return path; // a pathological path is left as it came rather than pin a core
        }

        if (!match.Success) return path;
        if (_to is null) return _literalTo;
        var rendered = _to.Render(exchange, match);
        return new PathString(rendered.StartsWith('/') ? rendered : "/" + rendered);
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
