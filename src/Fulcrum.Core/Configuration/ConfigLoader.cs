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
        yaml = yaml.TrimStart('\uFEFF');
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            return new(null, [SyntaxError(e, yaml, fileName)]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner can fail on some malformed text without a YamlException; report where it got to.
            var mark = parser.Current?.End;
            var location = mark is null ? new SourceLocation(fileName, 1, 1) : new SourceLocation(fileName, (int)mark.Value.Line, (int)mark.Value.Column);
            return new(null, [new ConfigError(location, "YAML syntax error after this point; check the brackets, indentation and quoting")]);
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

    private static ConfigError SyntaxError(YamlException e, string yaml, string fileName)
    {
        var location = new SourceLocation(fileName, (int)e.Start.Line, (int)e.Start.Column);
        var message = SyntaxMessage(e);
        if (DuplicateKey().Match(message) is { Success: true } duplicate)
            return new(location, $"duplicate key '{duplicate.Groups[1].Value}'; each key may appear once in a mapping");
        if (MissingAnchor().Match(message) is { Success: true } missing)
        {
            // YamlDotNet does not say where the alias is; the first `*name` in the text is the one it stopped at.
            var name = missing.Groups[1].Value;
            return new(Find(yaml, "*" + name, fileName) ?? location, $"alias '*{name}' refers to no anchor; define '&{name}' before it");
        }

        return new(location, $"YAML syntax error: {message}");
    }

    private static SourceLocation? Find(string yaml, string text, string fileName)
    {
        var index = yaml.IndexOf(text, StringComparison.Ordinal);
        if (index < 0) return null;
        var lineStart = yaml.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var line = yaml.AsSpan(0, index).Count('\n') + 1;
        return new SourceLocation(fileName, line, index - lineStart + 1);
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

    [GeneratedRegex(@"^The anchor '(.+?)' does not exists?")]
    private static partial Regex MissingAnchor();
}
