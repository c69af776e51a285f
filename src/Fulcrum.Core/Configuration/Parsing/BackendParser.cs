using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class BackendParser
{
    private static readonly MappingSchema<BackendConfig> Schema = new MappingSchema<BackendConfig>("backend")
        .Key("name", (b, n, c) => b with { Name = YamlReader.String(n, "name", c) })
        .Required("address", Address)
        .Key("weight", (b, n, c) => YamlReader.Int(n, "weight", c, min: 1) is { } w ? b with { Weight = w } : b)
        .Key("backup", (b, n, c) => YamlReader.Bool(n, "backup", c) is { } u ? b with { Backup = u } : b)
        .Key("geo", (b, n, c) => b with { Geo = GeoMatchParser.Read(n, c) });

    public static BackendConfig? Read(YamlNode node, int index, ParseContext context) =>
        Schema.Read(node, new BackendConfig { Address = "", Location = context.At(node) }, context);

    private static BackendConfig Address(BackendConfig backend, YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "address", context);
        if (text is null) return backend;
        if (AddressParser.TryParseBackendUrl(text, out var scheme, out var hostPort, out var error))
            return backend with { Address = hostPort, Scheme = scheme };
        context.Error(node, error);
        return backend;
    }
}
