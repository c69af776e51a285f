using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>Reads a pool name and remembers where it was written; the validator checks it once every pool is known.</summary>
internal static class PoolReferenceReader
{
    public static string? Read(YamlNode node, string key, ParseContext context)
    {
        var name = YamlReader.String(node, key, context);
        if (name is not null) context.Facts.PoolReferences.Add(new PoolReference(name, context.At(node), context.ListenerIndex));
        return name;
    }
}
