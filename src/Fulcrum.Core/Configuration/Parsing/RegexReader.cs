using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>Regexes are compiled once here so a bad pattern is a config error, not a failure on the first request.</summary>
internal static class RegexReader
{
    /// <summary>The match timeout the data plane should use too: a pathological pattern must not stall a request.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    public static string? Read(YamlNode node, string key, ParseContext context)
    {
        var pattern = YamlReader.String(node, key, context);
        if (pattern is null) return null;
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            return pattern;
        }
        catch (ArgumentException e)
        {
            context.Error(node, $"'{key}' does not compile: {e.Message}");
            return null;
        }
    }
}
