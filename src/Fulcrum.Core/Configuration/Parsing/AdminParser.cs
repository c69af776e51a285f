using System.Buffers;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class AdminParser
{
    private static readonly MappingSchema<AdminConfig> Schema = new MappingSchema<AdminConfig>("admin")
        .Required("bind", (a, n, c) => BindReader.Read(n, "bind", c) is { } b ? a with { Bind = b } : a)
        .Key("token", (a, n, c) => a with { Token = YamlReader.String(n, "token", c) });

    // b64token (RFC 6750 section 2.1): what an Authorization: Bearer header carries without quoting.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    public static AdminConfig Read(YamlNode node, ParseContext context)
    {
        var admin = Schema.Read(node, new AdminConfig { Bind = BindReader.Unset, Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping) return admin;
        if (YamlReader.Find(mapping, "bind") is { } bindNode && admin.Bind != BindReader.Unset)
        {
            context.Facts.Binds.Add(new BindFact("admin", admin.Bind, Udp: false, context.At(bindNode)));
            // The admin API drains backends and reloads the config: open to other hosts only behind a token.
            if (admin.Token is null && !IPAddress.IsLoopback(admin.Bind.Address))
            {
                context.Error(bindNode, $"admin.bind {admin.Bind} is reachable from other hosts, and the admin API can drain backends and reload the config: "
                    + "set admin.token (e.g. the output of 'openssl rand -base64 32'), or bind to 127.0.0.1");
            }
        }

        // The token's value is never repeated in a message: errors end up in logs and in the API's reload answer.
        if (YamlReader.Find(mapping, "token") is { } tokenNode && admin.Token is { } token && !IsBearerToken(token))
        {
            context.Error(tokenNode, "admin.token must be letters, digits and - . _ ~ + / with = only at its end, as a bearer token is (RFC 6750 section 2.1)");
        }

        return admin;
    }

    private static bool IsBearerToken(string token)
    {
        var body = token.AsSpan().TrimEnd('=');
        return body.Length > 0 && !body.ContainsAnyExcept(TokenChars);
    }
}
