using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class BackendParser
{
    private static readonly MappingSchema<BackendConfig> Schema = new MappingSchema<BackendConfig>("backend")
        .Key("name", (b, n, c) => b with { Name = YamlReader.String(n, "name", c) })
        .Required("address", (b, n, c) => Address(n, c) is { } a ? b with { Address = a } : b)
        .Key("weight", (b, n, c) => YamlReader.Int(n, "weight", c, min: 1) is { } w ? b with { Weight = w } : b)
        .Key("backup", (b, n, c) => YamlReader.Bool(n, "backup", c) is { } u ? b with { Backup = u } : b);

    public static BackendConfig? Read(YamlNode node, int index, ParseContext context) =>
        Schema.Read(node, new BackendConfig { Address = "", Location = context.At(node) }, context);

    private static string? Address(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "address", context);
        if (text is null) return null;
        if (AddressParser.TryParseBackend(text, out _, out _, out var error)) return text;
        context.Error(node, error);
        return null;
    }
}
