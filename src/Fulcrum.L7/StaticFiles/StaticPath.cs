namespace Fulcrum.L7.StaticFiles;

/// <summary>
/// Maps a request to a file under a `static` root and refuses every way out of it. The front end has already decoded
/// the path and removed its dot segments (Kestrel does, RFC 3986 section 5.2.4), but this does not rely on it: the
/// request target as the client wrote it is checked too, so `../`, `%2e%2e/`, `..%2f`, a backslash (raw or `%5c`,
/// a separator on Windows) and NUL are refused whichever front end carried them.
/// </summary>
internal static class StaticPath
{
    /// <summary>True when the raw request target tries to leave its folder or smuggles a separator or NUL.</summary>
    public static bool IsHostile(string rawTarget)
    {
        var query = rawTarget.IndexOf('?');
        var target = query < 0 ? rawTarget.AsSpan() : rawTarget.AsSpan(0, query);
        if (target.IndexOfAny('\\', '\0') >= 0) return true;
        if (target.Contains("%5c", StringComparison.OrdinalIgnoreCase) || target.Contains("%00", StringComparison.Ordinal)) return true;
        // Segments split on `/` and on an encoded one (`%2f`), each decoded of `%2e` before comparing with `..`.
        while (!target.IsEmpty)
        {
            var slash = NextSeparator(target, out var width);
            var segment = slash < 0 ? target : target[..slash];
            if (IsDotDot(segment)) return true;
            target = slash < 0 ? default : target[(slash + width)..];
        }

        return false;
    }

    /// <summary>
    /// The file a decoded path names under <paramref name="root"/>, or null when it would be outside it or names a
    /// hidden entry (a segment starting with `.`, like .git or .env; `.well-known` excepted, RFC 8615).
    /// </summary>
    public static string? Resolve(string root, ReadOnlySpan<char> path)
    {
        if (path.IndexOfAny('\\', '\0') >= 0) return null;
        var rest = path.TrimStart('/');
        var check = rest;
        while (!check.IsEmpty)
        {
            var slash = check.IndexOf('/');
            var segment = slash < 0 ? check : check[..slash];
            if (segment.StartsWith('.') && !segment.SequenceEqual(".well-known")) return null;
            check = slash < 0 ? default : check[(slash + 1)..];
        }

        var full = Path.GetFullPath(Path.Join(root, rest));
        // The last line of defence: whatever the checks above missed, the result must lie in the root.
        return full == root || full.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal) ? full : null;
    }

    private static int NextSeparator(ReadOnlySpan<char> target, out int width)
    {
        var slash = target.IndexOf('/');
        var encoded = target.IndexOf("%2f", StringComparison.OrdinalIgnoreCase);
        if (encoded >= 0 && (slash < 0 || encoded < slash))
        {
            width = 3;
            return encoded;
        }

        width = 1;
        return slash;
    }

    private static bool IsDotDot(ReadOnlySpan<char> segment)
    {
        var dots = 0;
        while (!segment.IsEmpty)
        {
            if (segment[0] == '.') segment = segment[1..];
            else if (segment.Length >= 3 && segment[0] == '%' && segment[1] == '2' && (segment[2] | 0x20) == 'e') segment = segment[3..];
            else return false;
            dots++;
        }

        return dots == 2;
    }
}
