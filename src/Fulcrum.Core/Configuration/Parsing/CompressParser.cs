using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route's `compress` (docs/compression.md).</summary>
internal static class CompressParser
{
    public static readonly NameTable<ContentCoding> Codings = new(
        ("zstd", ContentCoding.Zstd),
        ("br", ContentCoding.Brotli),
        ("gzip", ContentCoding.Gzip));

    private static readonly MappingSchema<CompressConfig> Schema = new MappingSchema<CompressConfig>("compress")
        .Key("encodings", (z, n, c) => Encodings(n, c) is { } e ? z with { Encodings = e } : z)
        .Key("types", (z, n, c) => Types(n, c) is { } t ? z with { Types = t } : z)
        .Key("min-size", (z, n, c) => YamlReader.Bytes(n, "min-size", c) is { } b ? z with { MinSize = b } : z)
        .Key("gzip-level", (z, n, c) => YamlReader.Int(n, "gzip-level", c, min: 1, max: 9) is { } l ? z with { GzipLevel = l } : z)
        .Key("br-level", (z, n, c) => YamlReader.Int(n, "br-level", c, min: 0, max: 11) is { } l ? z with { BrotliLevel = l } : z)
        .Key("zstd-level", (z, n, c) => YamlReader.Int(n, "zstd-level", c, min: 1, max: 19) is { } l ? z with { ZstdLevel = l } : z);

    /// <summary>A mapping; `compress: {}` takes every default.</summary>
    public static CompressConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new CompressConfig { Location = context.At(node) }, context);

    private static ImmutableArray<ContentCoding>? Encodings(YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<ContentCoding>();
        var ok = true;
        foreach (var (name, item) in YamlReader.OneOrMany(node, "encodings", context))
        {
            if (!Codings.TryGet(name, out var coding))
            {
                context.Error(item, YamlReader.UnknownName("encoding", name, Codings.Names));
                ok = false;
            }
            else if (builder.Contains(coding)) context.Error(item, $"encoding '{name}' is listed twice");
            else builder.Add(coding);
        }

        return ok && builder.Count > 0 ? builder.ToImmutable() : null;
    }

    // `text/html`, `text/*`, `application/*+json`: a type, a whole family, or a family's structured suffix (RFC 6839).
    private static ImmutableArray<string>? Types(YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var (type, item) in YamlReader.OneOrMany(node, "types", context))
        {
            var slash = type.IndexOf('/');
            var valid = slash > 0 && slash < type.Length - 1 && type.IndexOf('/', slash + 1) < 0 && !type.Contains(';')
                && !type.AsSpan().ContainsAny(" \t") && (type.IndexOf('*') < 0 || type.IndexOf('*') == slash + 1);
            if (valid) builder.Add(type.ToLowerInvariant());
            else context.Error(item, $"'types' takes media types like text/html, text/* or application/*+json, not '{type}'");
        }

        return builder.Count > 0 ? builder.ToImmutable() : null;
    }
}
