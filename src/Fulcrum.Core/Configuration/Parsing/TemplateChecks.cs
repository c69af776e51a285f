using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Checks the values with variables a route writes (docs/routing.md, "Variables"): each `${...}` must be a variable
/// Fulcrum knows or a capture the regex it refers to has. Header values and `redirect.to` take the captures of the
/// route's `match.path-regex`; `rewrite.to` takes its own regex's. Errors point at the value that is wrong.
/// </summary>
internal static class TemplateChecks
{
    /// <summary>Reads a value that may have variables; null (with the error at the node) when its syntax is wrong.</summary>
    public static ValueTemplate? Read(YamlNode node, string key, ParseContext context)
    {
        if (YamlReader.String(node, key, context) is not { } text) return null;
        var template = ValueTemplate.Parse(text, out var error);
        if (template is null) context.Error(node, error!);
        return template;
    }

    /// <summary>The header values and redirect target of one route, checked against its path-regex.</summary>
    public static void CheckRoute(YamlMappingNode route, RouteConfig config, ParseContext context)
    {
        var regex = Compile(config.Match.PathRegex);
        var source = config.Match.PathRegex is null ? null : "the route's path-regex";
        if (YamlReader.Find(route, "transforms") is YamlMappingNode transforms)
        {
            foreach (var edits in new[] { "request-headers", "response-headers" })
            {
                if (YamlReader.Find(transforms, edits) is not YamlMappingNode mapping) continue;
                foreach (var kind in new[] { "set", "add" })
                {
                    if (YamlReader.Find(mapping, kind) is not YamlMappingNode values) continue;
                    foreach (var (_, value) in values.Children)
                    {
                        if (value is YamlScalarNode { Value: { } text }) Check(value, text, regex, source, context);
                    }
                }
            }
        }

        if (YamlReader.Find(route, "redirect") is YamlMappingNode redirect && YamlReader.Find(redirect, "to") is YamlScalarNode { Value: { } to } toNode)
        {
            CheckCaptures(toNode, ValueTemplate.Parse(to, out _), regex, source, context);
        }
    }

    /// <summary>The captures <paramref name="template"/> names must be groups of <paramref name="regex"/>.</summary>
    public static void CheckCaptures(YamlNode node, ValueTemplate? template, Regex? regex, string? source, ParseContext context)
    {
        if (template is null) return;
        foreach (var capture in template.Captures)
        {
            if (regex is null)
            {
                var known = string.Join(", ", ValueTemplate.Variables.Select(static v => "${" + v + "}"));
                context.Error(node, capture.Kind == TemplatePartKind.CaptureNumber
                    ? $"'${{{capture.Value}}}' is a regex capture, but the route has no path-regex to capture it"
                    : $"unknown variable '${{{capture.Value}}}'; variables are {known}, and regex captures of a path-regex");
            }
            else if (capture.Kind == TemplatePartKind.CaptureNumber ? capture.Number > regex.GetGroupNumbers().Max() : regex.GroupNumberFromName(capture.Value) < 0)
            {
                context.Error(node, $"'${{{capture.Value}}}' names no capture group of {source} '{regex}'");
            }
        }
    }

    public static Regex? Compile(string? pattern)
    {
        if (pattern is null) return null;
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, RegexReader.MatchTimeout);
        }
        catch (ArgumentException)
        {
            return null; // already reported where the pattern was read
        }
    }

    private static void Check(YamlNode node, string text, Regex? regex, string? source, ParseContext context)
    {
        var template = ValueTemplate.Parse(text, out var error);
        if (template is null) context.Error(node, error!);
        else CheckCaptures(node, template, regex, source, context);
    }
}
