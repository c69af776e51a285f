using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route's `auth`: at least one of `jwt`, `basic` and `forward`.</summary>
internal static class AuthParser
{
    private static readonly MappingSchema<AuthConfig> Schema = new MappingSchema<AuthConfig>("auth")
        .Key("jwt", (a, n, c) => a with { Jwt = JwtAuthParser.Read(n, c) })
        .Key("basic", (a, n, c) => a with { Basic = BasicAuthParser.Read(n, c) })
        .Key("forward", (a, n, c) => a with { Forward = ForwardAuthParser.Read(n, c) });

    public static AuthConfig? Read(YamlNode node, ParseContext context)
    {
        var auth = Schema.Read(node, new AuthConfig { Location = context.At(node) }, context);
        if (node is YamlMappingNode mapping && auth.Jwt is null && auth.Basic is null && auth.Forward is null
            && mapping.Children.Count == 0)
        {
            context.Error(node, "'auth' needs one of 'jwt', 'basic' or 'forward'");
        }

        return auth;
    }
}
