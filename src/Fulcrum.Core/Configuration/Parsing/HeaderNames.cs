using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>Checks of header names and of values that go inside a quoted-string (a realm) in the auth keys.</summary>
internal static class HeaderNames
{
    /// <summary>An RFC 9110 token: what a field name may be.</summary>
    public static bool IsToken(string name)
    {
        if (name.Length == 0) return false;
        foreach (var c in name)
        {
            if (c is < '!' or > '~' || "\"(),/:;<=>?@[\\]{}".Contains(c)) return false;
        }

        return true;
    }

    public static string? One(YamlNode node, string key, ParseContext context)
    {
        var name = YamlReader.String(node, key, context);
        if (name is null || IsToken(name)) return name;
        context.Error(node, $"'{key}' must be a header name, not '{name}'");
        return null;
    }

    /// <summary>The values of `forward-claims` are header names.</summary>
    public static ImmutableArray<KeyValuePair<string, string>> Check(ImmutableArray<KeyValuePair<string, string>> map, YamlNode node, ParseContext context)
    {
        foreach (var (claim, header) in map)
        {
            if (!IsToken(header)) context.Error(node, $"claim '{claim}' is forwarded as '{header}', which is not a header name");
        }

        return map;
    }

    /// <summary>Printable ASCII without `"` or `\`, so it goes into `realm="..."` as it is.</summary>
    public static string? QuotableOrNull(YamlNode node, string key, ParseContext context)
    {
        var text = YamlReader.String(node, key, context);
        if (text is null) return null;
        foreach (var c in text)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                context.Error(node, $"'{key}' must be printable ASCII without quotes or backslashes");
                return null;
            }
        }

        return text;
    }
}
