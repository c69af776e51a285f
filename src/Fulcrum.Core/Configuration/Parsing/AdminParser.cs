using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class AdminParser
{
    private static readonly MappingSchema<AdminConfig> Schema = new MappingSchema<AdminConfig>("admin")
        .Required("bind", (a, n, c) => BindReader.Read(n, "bind", c) is { } b ? a with { Bind = b } : a)
        .Key("token", (a, n, c) => a with { Token = YamlReader.String(n, "token", c) });

    public static AdminConfig Read(YamlNode node, ParseContext context)
    {
        var admin = Schema.Read(node, new AdminConfig { Bind = BindReader.Unset, Location = context.At(node) }, context);
        if (node is YamlMappingNode mapping && YamlReader.Find(mapping, "bind") is { } bindNode && admin.Bind != BindReader.Unset)
            context.Facts.Binds.Add(new BindFact("admin", admin.Bind, Udp: false, context.At(bindNode)));
        return admin;
    }
}
