using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// The decoded path of an origin-form target, as Kestrel gives it, so routes match the same way behind either front
/// end: percent-decoding except `%2F` (an encoded slash stays data, not a separator), then dot segments removed (RFC
/// 3986 section 5.2.4), so `/a/../admin` cannot slip past a `/admin` route.
/// </summary>
internal static class Http1Path
{
    public static PathString Decode(string raw)
    {
        if (raw.Length == 0 || raw[0] != '/') return PathString.Empty; // `*`
        var path = raw.Contains('%') ? PathString.FromUriComponent(raw).Value! : raw;
        return new PathString(path.Contains("/.", StringComparison.Ordinal) ? RemoveDotSegments(path) : path);
    }

    public static string RemoveDotSegments(string path)
    {
        var output = new List<string>();
        var segments = path.Split('/');
        // segments[0] is the empty string before the leading slash.
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment == ".")
            {
                if (last) output.Add("");
                continue;
            }

            if (segment == "..")
            {
                if (output.Count > 0) output.RemoveAt(output.Count - 1);
                if (last) output.Add("");
                continue;
            }

            output.Add(segment);
        }

        return "/" + string.Join('/', output);
    }
}
