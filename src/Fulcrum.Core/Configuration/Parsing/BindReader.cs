using System.Net;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class BindReader
{
    /// <summary>Stands in for a bind that is missing or wrong, so parsing can go on; never reaches a valid config.</summary>
    public static readonly BindAddress Unset = new(IPAddress.None, 0);

    public static BindAddress? Read(YamlNode node, string key, ParseContext context)
    {
        var text = YamlReader.String(node, key, context);
        if (text is null) return null;
        if (AddressParser.TryParseBind(text, out var bind, out var error)) return bind;
        context.Error(node, error);
        return null;
    }
}
