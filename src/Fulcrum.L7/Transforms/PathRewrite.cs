using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Transforms;

/// <summary>
/// strip-prefix then add-prefix on the forwarded path. A prefix is stripped only at a segment boundary:
/// strip `/api` turns `/api/users` into `/users` and `/api` into `/`, and leaves `/apix` alone.
/// </summary>
internal sealed class PathRewrite
{
    private readonly PathString _strip;
    private readonly PathString _add;

    private PathRewrite(PathString strip, PathString add)
    {
        _strip = strip;
        _add = add;
    }

    public static PathRewrite? Create(string? strip, string? add)
    {
        var s = Normalize(strip);
        var a = Normalize(add);
        return s.HasValue || a.HasValue ? new PathRewrite(s, a) : null;
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
