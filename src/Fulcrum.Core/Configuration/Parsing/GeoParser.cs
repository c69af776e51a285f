using System.Net;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// The top-level `geo:` section. The database file is only named here; the host opens it and reports a missing or
/// broken file at `database:`'s place (GeoConfigCheck), as the L7 plane does for certificates.
/// </summary>
internal static class GeoParser
{
    private static readonly MappingSchema<GeoNetworkConfig> NetworkSchema = new MappingSchema<GeoNetworkConfig>("geo network")
        .Required("cidr", (g, n, c) => Cidr(n, c) is { } cidr ? g with { Cidr = cidr } : g)
        .Key("country", (g, n, c) => g with { Country = One(n, "country", c, GeoMatchParser.Countries) })
        .Key("continent", (g, n, c) => g with { Continent = One(n, "continent", c, GeoMatchParser.Continents) });

    private static readonly MappingSchema<GeoConfig> Schema = new MappingSchema<GeoConfig>("geo")
        .Key("database", (g, n, c) => YamlReader.String(n, "database", c) is { } path ? g with { Database = path, DatabaseLocation = c.At(n) } : g)
        .Key("networks", (g, n, c) => g with { Networks = YamlReader.List(n, "networks", c, Network) });

    public static GeoConfig Read(YamlNode node, ParseContext context)
    {
        var geo = Schema.Read(node, new GeoConfig { Location = context.At(node) }, context);
        if (node is YamlMappingNode mapping && YamlReader.Find(mapping, "database") is null && YamlReader.Find(mapping, "networks") is null)
            context.Error(node, "geo needs 'database' (a MaxMind DB file) or 'networks' (CIDR blocks with their country)");
        if (geo.Database is { Length: 0 }) context.Error(geo.DatabaseLocation, "geo.database must name a MaxMind DB file, like geo/GeoLite2-Country.mmdb");
        context.Facts.Geo = geo;
        return geo;
    }

    private static GeoNetworkConfig? Network(YamlNode node, int index, ParseContext context)
    {
        var network = NetworkSchema.Read(node, new GeoNetworkConfig { Cidr = "", Location = context.At(node) }, context);
        if (node is YamlMappingNode mapping && YamlReader.Find(mapping, "country") is null && YamlReader.Find(mapping, "continent") is null)
            context.Error(node, "a geo network needs 'country' or 'continent'");
        return network;
    }

    private static string? Cidr(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "cidr", context);
        if (text is null) return null;
        if (IPNetwork.TryParse(text, out var network)) return network.ToString();
        context.Error(node, $"cidr '{text}' must be a CIDR block like 192.0.2.0/24 or 2001:db8::/32 (no bits set after the prefix)");
        return null;
    }

    private static string? One(YamlNode node, string key, ParseContext context, Func<YamlNode, string, ParseContext, IEnumerable<string>> read)
    {
        if (node is YamlSequenceNode)
        {
            context.Error(node, $"'{key}' of a geo network is one code, not a list");
            return null;
        }

        return read(node, key, context).FirstOrDefault();
    }
}
