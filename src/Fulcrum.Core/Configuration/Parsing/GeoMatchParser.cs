using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// `geo: { country: [DE, FR], continent: EU }` in a route's match or on a dns site. Codes are MaxMind's: ISO 3166-1
/// alpha-2 countries and the seven continent codes. Every use is remembered: it needs the top-level `geo:` section.
/// </summary>
internal static class GeoMatchParser
{
    /// <summary>MaxMind's continent codes (GeoLite2's continent.code).</summary>
    public static readonly string[] ContinentCodes = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

    private static readonly MappingSchema<GeoMatchConfig> Schema = new MappingSchema<GeoMatchConfig>("geo match")
        .Key("country", (g, n, c) => g with { Countries = g.Countries.AddRange(Countries(n, "country", c)) })
        .Key("continent", (g, n, c) => g with { Continents = g.Continents.AddRange(Continents(n, "continent", c)) });

    public static GeoMatchConfig? Read(YamlNode node, ParseContext context)
    {
        var geo = Schema.Read(node, new GeoMatchConfig { Location = context.At(node) }, context);
        if (node is YamlMappingNode mapping && YamlReader.Find(mapping, "country") is null && YamlReader.Find(mapping, "continent") is null)
            context.Error(node, "geo needs 'country' or 'continent', e.g. geo: { country: [ DE, FR ] }");
        context.Facts.GeoUses.Add(geo.Location);
        return geo;
    }

    public static IEnumerable<string> Countries(YamlNode node, string key, ParseContext context)
    {
        foreach (var (text, item) in YamlReader.OneOrMany(node, key, context))
        {
            if (Country(text) is { } code) yield return code;
            else context.Error(item, $"{key} '{text}' must be a two-letter ISO 3166 country code like DE or US");
        }
    }

    public static IEnumerable<string> Continents(YamlNode node, string key, ParseContext context)
    {
        foreach (var (text, item) in YamlReader.OneOrMany(node, key, context))
        {
            if (Continent(text) is { } code) yield return code;
            else context.Error(item, $"{key} '{text}' must be one of {string.Join(", ", ContinentCodes)}");
        }
    }

    public static string? Country(string text) =>
        text.Length == 2 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[1]) ? text.ToUpperInvariant() : null;

    public static string? Continent(string text)
    {
        var upper = text.ToUpperInvariant();
        return ContinentCodes.Contains(upper) ? upper : null;
    }
}
