using System.Globalization;
using Fulcrum.Core.Observability;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class AccessLogParser
{
    private static readonly MappingSchema<AccessLogConfig> Schema = new MappingSchema<AccessLogConfig>("access-log")
        .Key("path", (a, n, c) => YamlReader.String(n, "path", c) is { } p ? a with { Path = p } : a)
        .Key("format", (a, n, c) => ReadFormat(n, c) is { } f ? a with { Format = f } : a)
        .Key("sample", (a, n, c) => ReadSample(n, c) is { } s ? a with { Sample = s } : a)
        .Key("buffer", (a, n, c) => YamlReader.Int(n, "buffer", c, min: 1, max: 1_000_000) is { } b ? a with { Buffer = b } : a)
        .Key("enabled", (a, n, c) => YamlReader.Bool(n, "enabled", c) is { } b ? a with { Enabled = b } : a);

    public static AccessLogConfig Read(YamlNode node, ParseContext context)
    {
        var config = Schema.Read(node, new AccessLogConfig { Location = context.At(node) }, context);
        // A file path is resolved against the config file, like certificate paths, so `fulcrum run` works from anywhere.
        if (!string.Equals(config.Path, "stdout", StringComparison.Ordinal) && !System.IO.Path.IsPathRooted(config.Path)
            && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(context.File)) is { } dir && File.Exists(context.File))
        {
            config = config with { Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, config.Path)) };
        }

        return config;
    }

    private static string? ReadFormat(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "format", context);
        if (text is null || string.Equals(text, "json", StringComparison.OrdinalIgnoreCase)) return text;
        if (!text.Contains('{', StringComparison.Ordinal))
        {
            context.Error(node, $"'format' must be json or a template with {{field}} names, like \"{{client}} {{method}} {{path}} {{status}}\", not '{text}'");
            return null;
        }

        var at = 0;
        while ((at = text.IndexOf('{', at)) >= 0)
        {
            var end = text.IndexOf('}', at);
            if (end < 0)
            {
                context.Error(node, $"'format' has a '{{' at {at} without its '}}'");
                return null;
            }

            var name = text[(at + 1)..end];
            if (!AccessLogFields.Known.Contains(name))
            {
                context.Error(node, YamlReader.UnknownName("access log field", name, AccessLogFields.Names));
                return null;
            }

            at = end + 1;
        }

        return text;
    }

    private static double? ReadSample(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "sample", context);
        if (text is null) return null;
        if (text.EndsWith('%')) return YamlReader.Percent(node, "sample", context);
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1) return share;
        context.Error(node, $"'sample' must be a share from 0 to 1 (like 0.1) or a percentage (like 10%), not '{text}'");
        return null;
    }
}
