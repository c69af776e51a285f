using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>Turns YamlDotNet's exceptions into config errors that say what to fix, at the place to fix it.</summary>
internal static partial class YamlSyntaxError
{
    public static ConfigError From(YamlException e, string yaml, string fileName)
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

    public static ConfigError After(Mark? mark, string fileName)
    {
        var location = mark is null ? new SourceLocation(fileName, 1, 1) : new SourceLocation(fileName, (int)mark.Value.Line, (int)mark.Value.Column);
        return new(location, "YAML syntax error after this point; check the brackets, indentation and quoting");
    }
}
