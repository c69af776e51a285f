using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>The actions a route can take besides naming one pool: a weighted split, a redirect, a fixed response.</summary>
internal static class RouteActionParser
{
    private static readonly int[] RedirectStatuses = [301, 302, 303, 307, 308];

    private static readonly string[] Schemes = ["http", "https"];

    private static readonly MappingSchema<SplitTarget> SplitSchema = new MappingSchema<SplitTarget>("split target")
        .Required("pool", (s, n, c) => PoolReferenceReader.Read(n, "pool", c) is { } p ? s with { Pool = p } : s)
        .Key("weight", (s, n, c) => YamlReader.Int(n, "weight", c, min: 1) is { } w ? s with { Weight = w } : s);

    private static readonly MappingSchema<RedirectConfig> RedirectSchema = new MappingSchema<RedirectConfig>("redirect")
        .Key("to", (r, n, c) => RedirectTarget(n, c) is var (to, template) ? r with { To = to, ToTemplate = template } : r)
        .Key("scheme", (r, n, c) => r with { Scheme = YamlReader.String(n, "scheme", c) is { } s ? Scheme(n, s, c) : null })
        .Key("host", (r, n, c) => r with { Host = YamlReader.String(n, "host", c) })
        .Key("port", (r, n, c) => r with { Port = YamlReader.Int(n, "port", c, min: 1, max: 65535) })
        .Key("status", (r, n, c) => RedirectStatus(n, c) is { } s ? r with { Status = s } : r);

    private static readonly MappingSchema<FixedResponseConfig> RespondSchema = new MappingSchema<FixedResponseConfig>("respond")
        .Key("status", (r, n, c) => YamlReader.Int(n, "status", c, min: 200, max: 599) is { } s ? r with { Status = s } : r)
        .Key("body", (r, n, c) => YamlReader.String(n, "body", c) is { } b ? r with { Body = b } : r)
        .Key("content-type", (r, n, c) => YamlReader.String(n, "content-type", c) is { } t ? r with { ContentType = t } : r)
        .Key("headers", (r, n, c) => r with { Headers = ToDictionary(YamlReader.StringMap(n, "headers", c)) });

    public static ImmutableArray<SplitTarget> ReadSplit(YamlNode node, ParseContext context)
    {
        var targets = YamlReader.List(node, "split", context,
            (item, _, c) => SplitSchema.Read(item, new SplitTarget("", 1, c.At(item)), c));
        if (node is YamlSequenceNode { Children.Count: 0 } or YamlScalarNode)
            context.Error(node, "'split' needs at least one target, like - { pool: web, weight: 90 }");
        return targets;
    }

    public static RedirectConfig ReadRedirect(YamlNode node, ParseContext context)
    {
        var redirect = RedirectSchema.Read(node, new RedirectConfig { Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping) return redirect;

        var hasTo = YamlReader.FindKey(mapping, "to") is not null;
        var parts = new[] { "scheme", "host", "port" }.Where(k => YamlReader.FindKey(mapping, k) is not null).ToArray();
        if (!hasTo && parts.Length == 0)
            context.Error(mapping, "redirect needs 'to', or at least one of 'scheme', 'host' and 'port' to change");
        else if (hasTo && parts.Length > 0)
            context.Error(YamlReader.FindKey(mapping, parts[0])!, $"redirect has both 'to' and '{parts[0]}'; 'to' is the whole target, so give one or the other");
        return redirect;
    }

    public static FixedResponseConfig ReadRespond(YamlNode node, ParseContext context) =>
        RespondSchema.Read(node, new FixedResponseConfig { Location = context.At(node) }, context);

    /// <summary>
    /// An absolute http(s) URL, or a path on the same host; anything else would be glued to the host. Variables may
    /// stand anywhere in it (`https://${host}/new/${1}`): the shape is checked with each one written as a plain word.
    /// </summary>
    private static (string? To, ValueTemplate? Template)? RedirectTarget(YamlNode node, ParseContext context)
    {
        var template = TemplateChecks.Read(node, "to", context);
        if (template is null) return null;
        var to = template.Text;
        var shape = string.Concat(template.Parts.Select(static p => p.Kind == TemplatePartKind.Literal ? p.Value : "x"));
        var withVariables = template.HasVariables ? template : null;
        if (shape.StartsWith('/')) return (to, withVariables);
        if (Uri.TryCreate(shape, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return (to, withVariables);
        context.Error(node, $"redirect 'to' must be an absolute URL like https://example.com/new or a path like /new, not '{to}'");
        return null;
    }

    private static string? Scheme(YamlNode node, string text, ParseContext context)
    {
        if (Schemes.Contains(text)) return text;
        context.Error(node, YamlReader.UnknownName("scheme", text, Schemes));
        return null;
    }

    private static int? RedirectStatus(YamlNode node, ParseContext context)
    {
        var status = YamlReader.Int(node, "status", context);
        if (status is null || RedirectStatuses.Contains(status.Value)) return status;
        context.Error(node, $"redirect 'status' must be 301, 302, 303, 307 or 308, not {status}");
        return null;
    }

    private static ImmutableDictionary<string, string> ToDictionary(ImmutableArray<KeyValuePair<string, string>> pairs)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in pairs) builder[name] = value;
        return builder.ToImmutable();
    }
}
