using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>Header, cookie and query conditions: `{ name, equals | contains | regex | present }`, one or a list.</summary>
internal static class ValueMatchParser
{
    private static readonly string[] Tests = ["equals", "contains", "regex", "present"];

    private static readonly MappingSchema<ValueMatch> HeaderSchema = SchemaFor("header match");
    private static readonly MappingSchema<ValueMatch> CookieSchema = SchemaFor("cookie match");
    private static readonly MappingSchema<ValueMatch> QuerySchema = SchemaFor("query match");

    private static MappingSchema<ValueMatch> SchemaFor(string what) => new MappingSchema<ValueMatch>(what)
        .Required("name", (v, n, c) => YamlReader.String(n, "name", c) is { } s ? v with { Name = s } : v)
        .Key("equals", (v, n, c) => v with { EqualTo = YamlReader.String(n, "equals", c) })
        .Key("contains", (v, n, c) => v with { Contains = YamlReader.String(n, "contains", c) })
        .Key("regex", (v, n, c) => v with { Regex = RegexReader.Read(n, "regex", c) })
        .Key("present", (v, n, c) => v with { Present = Present(n, c) });

    public static ImmutableArray<ValueMatch> ReadMany(YamlNode node, string key, ParseContext context)
    {
        var schema = key.StartsWith("header", StringComparison.Ordinal) ? HeaderSchema
            : key.StartsWith("cookie", StringComparison.Ordinal) ? CookieSchema
            : QuerySchema;
        return node is YamlSequenceNode
            ? YamlReader.List(node, key, context, (item, _, c) => ReadOne(item, schema, c))
            : ReadOne(node, schema, context) is { } one ? [one] : [];
    }

    private static ValueMatch? ReadOne(YamlNode node, MappingSchema<ValueMatch> schema, ParseContext context)
    {
        var match = schema.Read(node, new ValueMatch { Name = "", Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping) return null;

        var given = Tests.Where(t => YamlReader.FindKey(mapping, t) is not null).ToArray();
        if (given.Length > 1)
            context.Error(YamlReader.FindKey(mapping, given[1])!, $"{schema.What} has more than one test ('{string.Join("' and '", given)}'); give one of 'equals', 'contains', 'regex' or 'present'");

        // With no test the name only has to be present.
        return given.Length == 0 ? match with { Present = true } : match;
    }

    private static bool Present(YamlNode node, ParseContext context)
    {
        var present = YamlReader.Bool(node, "present", context);
        if (present == false) context.Error(node, "'present' can only be true; to match a missing value, put a route without this condition after this one");
        return present == true;
    }
}
