using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>`auth.basic`: the htpasswd file, the realm, and the header that tells the backend the user.</summary>
internal static class BasicAuthParser
{
    private static readonly MappingSchema<BasicAuthConfig> Schema = new MappingSchema<BasicAuthConfig>("auth.basic")
        .Required("htpasswd", (b, n, c) => YamlReader.String(n, "htpasswd", c) is { Length: > 0 } f ? b with { Htpasswd = f, HtpasswdLocation = c.At(n) } : b)
        .Key("realm", (b, n, c) => HeaderNames.QuotableOrNull(n, "realm", c) is { } r ? b with { Realm = r } : b)
        .Key("user-header", (b, n, c) => HeaderNames.One(n, "user-header", c) is { } h ? b with { UserHeader = h } : b);

    public static BasicAuthConfig? Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new BasicAuthConfig { Location = context.At(node) }, context);
}
