using System.Collections.Immutable;
using Fulcrum.Core.Configuration.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// Reads a YAML config file into a validated <see cref="FulcrumConfig"/>. Every mistake in the file comes back as a
/// <see cref="ConfigError"/> with FILE:LINE:COL; all of them at once, so one run of `fulcrum validate` shows them all.
/// </summary>
public static class ConfigLoader
{
    public static ConfigLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new(null, [new ConfigError(new SourceLocation(path, 0, 0), $"cannot read file: {e.Message}")]);
        }

        return LoadText(text, path);
    }

    public static ConfigLoadResult LoadText(string yaml, string fileName)
    {
        var context = new ParseContext(fileName);
        var stream = new YamlStream();
        yaml = yaml.TrimStart('\uFEFF');
        var parser = new AnchorsFirstParser(new Parser(new StringReader(yaml)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            return new(null, [YamlSyntaxError.From(e, yaml, fileName)]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner can fail on some malformed text without a YamlException; report where it got to.
            return new(null, [YamlSyntaxError.After(parser.Current?.End, fileName)]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode root && YamlReader.IsNull(root))
            return new(null, [new ConfigError(new SourceLocation(fileName, 1, 1), "the config file is empty; it needs at least 'listeners' and 'pools'")]);
        if (stream.Documents.Count > 1)
            context.Error(stream.Documents[1].RootNode, "the config file holds more than one YAML document; keep one (remove the second '---')");

        var config = ConfigParser.Read(stream.Documents[0].RootNode, context);
        ConfigValidator.Validate(context);
        if (context.Errors.Count == 0) return new(config, []);

        // An alias reads its anchor's node again, so one mistake can be found twice at one place.
        var errors = context.Errors.Distinct().OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ToImmutableArray();
        return new(null, errors);
    }
}
