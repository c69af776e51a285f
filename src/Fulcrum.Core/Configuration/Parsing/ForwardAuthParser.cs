using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>`auth.forward`: the auth service's URL, the headers to send it and to copy from its answer, the timeout.</summary>
internal static class ForwardAuthParser
{
    private static readonly MappingSchema<ForwardAuthConfig> Schema = new MappingSchema<ForwardAuthConfig>("auth.forward")
        .Required("url", Url)
        .Key("copy-headers", (f, n, c) => f with { CopyHeaders = Headers(n, "copy-headers", c) })
        .Key("request-headers", (f, n, c) => f with { RequestHeaders = Headers(n, "request-headers", c) })
        .Key("timeout", (f, n, c) => YamlReader.Duration(n, "timeout", c, allowZero: false) is { } d ? f with { Timeout = d } : f);

    public static ForwardAuthConfig? Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new ForwardAuthConfig { Location = context.At(node) }, context);

    private static ForwardAuthConfig Url(ForwardAuthConfig forward, YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "url", context);
        if (text is null) return forward;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
            return forward with { Url = text };
        context.Error(node, $"'url' must be an absolute http or https URL like http://127.0.0.1:9000/auth, not '{text}'");
        return forward;
    }

    private static ImmutableArray<string> Headers(YamlNode node, string key, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var (name, item) in YamlReader.OneOrMany(node, key, context))
        {
            if (HeaderNames.IsToken(name)) builder.Add(name);
            else context.Error(item, $"'{name}' in '{key}' is not a header name");
        }

        return builder.ToImmutable();
    }
}
