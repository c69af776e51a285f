using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// A route's `filters:`: each item a filter's name (`- served-by`) or a mapping with `name:` and the filter's settings
/// (`- { name: served-by, header: X-Backend }`). Which names exist and what their settings mean is the L7 plane's.
/// </summary>
internal static class FilterListParser
{
    public static ImmutableArray<FilterConfig> Read(YamlNode node, ParseContext context) =>
        YamlReader.List(node, "filters", context, ReadItem);

    private static FilterConfig? ReadItem(YamlNode node, int index, ParseContext context)
    {
        if (node is YamlScalarNode)
        {
            return YamlReader.String(node, "filters", context) is { Length: > 0 } name
                ? new FilterConfig { Name = name, Location = context.At(node) }
                : null;
        }

        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, $"a filter must be a name or a mapping with 'name:' and its settings, not {YamlReader.Describe(node)}");
            return null;
        }

        string? filterName = null;
        var settings = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var (key, value) in YamlReader.StringMap(mapping, "filters", context))
        {
            if (key == "name") filterName = value;
            else settings.Add(new(key, value));
        }

        if (string.IsNullOrEmpty(filterName))
        {
            context.Error(mapping, "filter is missing required key 'name'");
            return null;
        }

        return new FilterConfig { Name = filterName, Settings = settings.ToImmutable(), Location = context.At(mapping) };
    }
}
