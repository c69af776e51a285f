using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Fulcrum.Core.Configuration.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// Reads a YAML config file into a validated <see cref="FulcrumConfig"/>. Every mistake in the file comes back as a
/// <see cref="ConfigError"/> with FILE:LINE:COL; all of them at once, so one run of `fulcrum validate` shows them all.
/// </summary>
public static partial class ConfigLoader
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
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var location = new SourceLocation(fileName, (int)e.Start.Line, (int)e.Start.Column);
            var message = SyntaxMessage(e);
            message = DuplicateKey().Match(message) is { Success: true } m
                ? $"duplicate key '{m.Groups[1].Value}'; each key may appear once in a mapping"
                : $"YAML syntax error: {message}";
            return new(null, [new ConfigError(location, message)]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode root && YamlReader.IsNull(root))
            return new(null, [new ConfigError(new SourceLocation(fileName, 1, 1), "the config file is empty; it needs at least 'listeners' and 'pools'")]);
        if (stream.Documents.Count > 1)
            context.Error(stream.Documents[1].RootNode, "the config file holds more than one YAML document; keep one (remove the second '---')");

        var config = ConfigParser.Read(stream.Documents[0].RootNode, context);
        ConfigValidator.Validate(context);
        if (context.Errors.Count == 0) return new(config, []);

        var errors = context.Errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ToImmutableArray();
        return new(null, errors);
    }

    /// <summary>YamlDotNet puts "(Line: 3, Col: 5, Idx: 20) - (Line: ...): " before its text; the location is ours to print.</summary>
    private static string SyntaxMessage(YamlException e)
    {
        var message = MarkPrefix().Replace(e.Message, "");
        if (e.InnerException is YamlException inner) message += ": " + MarkPrefix().Replace(inner.Message, "");
        return message;
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();

    [GeneratedRegex(@"^Duplicate key (.+?)\.?$")]
    private static partial Regex DuplicateKey();
}
