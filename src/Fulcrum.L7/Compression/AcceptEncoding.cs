using System.Collections.Immutable;
using Fulcrum.Core.Configuration;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Compression;

/// <summary>
/// Picks the content coding of a response from the request's Accept-Encoding (RFC 9110 section 12.5.3): each coding
/// offered gets the weight the client gave it by name, else the weight of `*`, else none; the highest weight above 0
/// wins, and among equal weights the route's order. `gzip;q=0` refuses gzip even when `*` would take it; `x-gzip`
/// counts as gzip (section 8.4.1.3). Reads the header in place: no allocation.
/// </summary>
internal static class AcceptEncoding
{
    /// <summary>The coding to send, or null for none (no header, nothing acceptable, or only `identity`).</summary>
    public static ContentCoding? Choose(StringValues header, ImmutableArray<ContentCoding> offered)
    {
        if (header.Count == 0) return null;
        ContentCoding? best = null;
        var bestWeight = 0;
        foreach (var coding in offered)
        {
            var weight = WeightOf(header, coding);
            if (weight > bestWeight)
            {
                best = coding;
                bestWeight = weight;
            }
        }

        return best;
    }

    /// <summary>The weight (0 to 1000, thousandths) the header gives <paramref name="coding"/>: by its name, else by `*`, else 0.</summary>
    public static int WeightOf(StringValues header, ContentCoding coding)
    {
        var named = -1;
        var star = -1;
        foreach (var line in header)
        {
            if (line is null) continue;
            var rest = line.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var item = comma < 0 ? rest : rest[..comma];
                rest = comma < 0 ? default : rest[(comma + 1)..];
                var semicolon = item.IndexOf(';');
                var name = (semicolon < 0 ? item : item[..semicolon]).Trim(" \t");
                if (name.IsEmpty) continue;
                var weight = semicolon < 0 ? 1000 : Weight(item[(semicolon + 1)..]);
                if (Names(name, coding)) named = Math.Max(named, weight);
                else if (name is "*") star = Math.Max(star, weight);
            }
        }

        return named >= 0 ? named : Math.Max(star, 0);
    }

    public static string NameOf(ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => "gzip",
        ContentCoding.Brotli => "br",
        _ => "zstd",
    };

    private static bool Names(ReadOnlySpan<char> name, ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase),
        ContentCoding.Brotli => name.Equals("br", StringComparison.OrdinalIgnoreCase),
        _ => name.Equals("zstd", StringComparison.OrdinalIgnoreCase),
    };

    // `q=0.5` among the parameters: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). A weight that breaks the
    // grammar counts as 0: a client that cannot write one has not said it takes the coding.
    private static int Weight(ReadOnlySpan<char> parameters)
    {
        while (!parameters.IsEmpty)
        {
            var semicolon = parameters.IndexOf(';');
            var parameter = (semicolon < 0 ? parameters : parameters[..semicolon]).Trim(" \t");
            parameters = semicolon < 0 ? default : parameters[(semicolon + 1)..];
            if (parameter.Length < 2 || (parameter[0] | 0x20) != 'q' || parameter[1] != '=') continue;
            return QValue(parameter[2..]);
        }

        return 1000;
    }

    private static int QValue(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text[0] is not ('0' or '1')) return 0;
        var whole = text[0] - '0';
        if (text.Length == 1) return whole * 1000;
        if (text[1] != '.' || text.Length > 5) return 0;
        var thousandths = 0;
        var scale = 100;
        foreach (var c in text[2..])
        {
            if (!char.IsAsciiDigit(c)) return 0;
            thousandths += (c - '0') * scale;
            scale /= 10;
        }

        return whole == 1 ? (thousandths == 0 ? 1000 : 0) : thousandths;
    }
}
